"""Synthetic benchmark data: deterministic, marked as synthetic, on real territories, valid."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.synth import Commune, counts, load_communes, synth_quads, write_synth
from loaders.checks import validate_files
from loaders.errors import BadInputError
from loaders.settings import PROJECT_DIR, Settings

BASE = "https://w3id.org/qpvkg/"
SOURCE = ox.NamedNode(f"{BASE}id/dataset/synth")
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class NoProgress:
    def step(self, description: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass


@pytest.fixture(scope="module")
def communes(settings: Settings) -> list[Commune]:
    return load_communes(settings)


@pytest.fixture(scope="module")
def quads(settings: Settings, communes: list[Commune]) -> list[ox.Quad]:
    return list(synth_quads(settings, 300, seed=3, communes=communes))


def test_communes_come_from_the_reference_data(communes: list[Commune]) -> None:
    by_iri = {c.iri: c for c in communes}
    marseille = by_iri[f"{BASE}id/commune/13055"]
    assert marseille.label == "Marseille"
    assert marseille.population > 800_000
    assert marseille.region == f"{BASE}id/region/93"
    assert all(c.population >= 5_000 for c in communes)


def test_same_seed_same_bytes_other_seed_other_data(
    settings: Settings, communes: list[Commune], tmp_path: Path
) -> None:
    a = write_synth(settings, 40, tmp_path / "a.nq.gz", seed=5, communes=communes)
    b = write_synth(settings, 40, tmp_path / "b.nq.gz", seed=5, communes=communes)
    c = write_synth(settings, 40, tmp_path / "c.nq.gz", seed=6, communes=communes)
    assert (tmp_path / "a.nq.gz").read_bytes() == (tmp_path / "b.nq.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.nq.gz").read_bytes()) != gzip.decompress(
        (tmp_path / "c.nq.gz").read_bytes()
    )
    assert a.quads == b.quads > 40 * 20
    assert (a.projects, a.organisations, a.partnerships, a.schemes) == (40, *counts(40))
    assert c.graph == f"{BASE}graph/synth"


def test_every_resource_is_marked_synthetic(quads: list[ox.Quad]) -> None:
    assert {q.graph_name for q in quads} == {ox.NamedNode(f"{BASE}graph/synth")}
    minted = {
        q.subject.value
        for q in quads
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(f"{BASE}id/")
    }
    assert minted
    dataset = f"{BASE}id/dataset/synth"
    assert all(iri.rsplit("/", 1)[-1].startswith("synth-") for iri in minted - {dataset})
    sourced = {q.subject.value for q in quads if q.predicate == DCT_SOURCE and q.object == SOURCE}
    assert minted - {dataset} <= sourced


def test_resources_follow_the_ontology(quads: list[ox.Quad]) -> None:
    types = Counter(q.object.value.rsplit("#", 1)[-1] for q in quads if q.predicate == RDF_TYPE)
    assert types["Innovation"] == 300
    organisations, partnerships, schemes = counts(300)
    assert types["Organisation"] == organisations
    assert types["Partnership"] == partnerships
    assert types["SupportScheme"] + types["PublicSupportScheme"] == schemes
    assert types["Involvement"] >= 300
    assert types["Membership"] >= 2 * partnerships
    assert types["Figure"] > 0
    roles = Counter(
        q.object.value.rsplit("/", 1)[-1] for q in quads if q.predicate.value.endswith("#role")
    )
    assert roles["porteur"] >= 300
    assert roles["connecteur"] > 0


def test_territories_are_real_and_large_towns_dominate(
    quads: list[ox.Quad], communes: list[Commune]
) -> None:
    known = {c.iri for c in communes} | {c.region for c in communes if c.region}
    places = [
        q.object.value for q in quads if q.predicate.value.endswith(("#territory", "#basedIn"))
    ]
    assert places
    assert set(places) <= known
    population = {c.iri: c.population for c in communes}
    drawn = [population[p] for p in places if p in population]
    # the median place is a town, where the median commune of 5,000 or more has 9,000 people
    assert sorted(drawn)[len(drawn) // 2] > 30_000


def test_never_writes_into_data(settings: Settings, communes: list[Commune]) -> None:
    with pytest.raises(BadInputError, match="never written into"):
        write_synth(settings, 5, settings.data_dir / "study" / "synth.ttl", communes=communes)
    assert not (settings.data_dir / "study" / "synth.ttl").exists()


def test_refuses_unknown_formats(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(BadInputError):
        write_synth(settings, 5, tmp_path / "out.csv")
    with pytest.raises(BadInputError, match="at least 1"):
        list(synth_quads(settings, 0, communes=[]))


def test_a_sample_conforms_to_the_shapes(
    settings: Settings, communes: list[Commune], tmp_path: Path
) -> None:
    path = tmp_path / "sample.ttl"
    write_synth(settings, 30, path, seed=11, communes=communes)
    report = validate_files(settings, [path], NoProgress())
    assert report.conforms, [r.as_dict() for r in report.violations][:5]
    assert not report.results, [r.as_dict() for r in report.results][:5]


def test_the_command_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "cli.nq"
    command = [sys.executable, "-m", "benchmarks.synth", "--projects", "3", "--seed", "2", str(out)]
    env = {**os.environ, "QPVKG_STORE": str(tmp_path / "store")}
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "3 innovations" in result.stdout
    assert out.read_text(encoding="utf-8").count("/id/innovation/synth-") >= 3
    refused = subprocess.run([*command[:3], "--projects", "0", str(out)], cwd=PROJECT_DIR, env=env)
    assert refused.returncode == 2
