"""Quality checks (queries/qc/*-violation.rq): none returns rows on the repository's data,
and each returns rows on a fixture that breaks it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.build import BuildReport
from loaders.checks import check_rows, run_quality_checks
from loaders.namedqueries import load_quality_checks
from loaders.settings import PROJECT_DIR, Settings

FIXTURES = Path(__file__).parent.parent / "fixtures" / "qc"
CHECKS = sorted(load_quality_checks(Settings(project_dir=PROJECT_DIR)))


def test_there_are_quality_checks() -> None:
    assert len(CHECKS) >= 8


def test_no_quality_check_returns_rows_on_the_data(settings: Settings, built: BuildReport) -> None:
    failures = {name: rows[:5] for name, rows in run_quality_checks(settings).items() if rows}
    assert failures == {}


@pytest.mark.parametrize("name", CHECKS)
def test_each_check_catches_its_fixture(name: str, settings: Settings) -> None:
    fixture = FIXTURES / f"{name}.ttl"
    assert fixture.is_file(), f"every quality check needs a fixture that breaks it: {fixture}"
    store = ox.Store()
    for path in sorted(settings.ontology_dir.rglob("*.ttl")):
        store.load(
            path=path,
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode("https://example.org/ontology"),
        )
    store.load(
        path=fixture,
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode("https://example.org/fixture"),
    )
    rows = check_rows(store, load_quality_checks(settings)[name])
    assert rows, f"{name} returned no rows on its fixture"
