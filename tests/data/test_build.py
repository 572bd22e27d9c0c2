"""The store built from the repository: one graph per source, provenance, idempotent rebuild."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from loaders.build import BuildReport, build
from loaders.settings import Settings
from loaders.sources import discover
from loaders.store import open_read

SPDX = "http://spdx.org/rdf/terms#"
VOID = "http://rdfs.org/ns/void#"
Q = "https://w3id.org/qpvkg/def#"


def test_every_source_is_a_named_graph(settings: Settings, built: BuildReport) -> None:
    with open_read(settings) as store:
        graphs = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    for source in discover(settings):
        assert settings.graph_iri(source.key) in graphs, source.key
    assert settings.graph_iri("build") in graphs
    assert settings.graph_iri("reference/territories-2026") in graphs


def test_provenance_of_each_graph(settings: Settings, built: BuildReport) -> None:
    with open_read(settings) as store:
        for source in discover(settings):
            g = settings.graph_iri(source.key)
            rows = list(
                store.query(
                    f"""SELECT ?file ?sum ?n ?when WHERE {{ GRAPH <{settings.graph_iri("build")}> {{
                        <{g}> <{Q}sourceFile> ?file ; <{SPDX}checksum>/<{SPDX}checksumValue> ?sum ;
                              <{VOID}triples> ?n ; <http://www.w3.org/ns/prov#generatedAtTime> ?when }} }}"""
                )
            )
            assert len(rows) == 1, source.key
            row = rows[0]
            assert row["file"].value == source.path.relative_to(settings.project_dir).as_posix()  # type: ignore[union-attr]
            assert row["sum"].value == hashlib.sha256(source.path.read_bytes()).hexdigest()  # type: ignore[union-attr]
            count = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
            assert int(row["n"].value) == count > 0  # type: ignore[union-attr]


def test_rebuild_is_idempotent(settings: Settings, built: BuildReport) -> None:
    with open_read(settings) as store:
        before = len(store)
    again = build(settings)
    assert again.loaded == []
    assert len(again.unchanged) == len(discover(settings))
    assert again.total_triples == before


def test_full_build_is_timed(built: BuildReport) -> None:
    assert built.seconds > 0 and built.validation_seconds > 0
    assert built.total_triples > 400_000


def test_case_study_territories_link_to_official_communes(
    settings: Settings, built: BuildReport
) -> None:
    """Every territory of a case study's innovation is, or lies within, an official commune,
    unless it is a wider official territory (an EPCI, a région)."""
    with open_read(settings) as store:
        rows = list(
            store.query(
                f"""PREFIX qpvkg: <{Q}> PREFIX igeo: <http://rdf.insee.fr/def/geo#>
                SELECT DISTINCT ?i ?t WHERE {{
                  ?case a qpvkg:CaseStudy ; <http://purl.org/dc/terms/subject> ?i .
                  ?i a qpvkg:Innovation ; qpvkg:territory ?t .
                  FILTER NOT EXISTS {{ ?t qpvkg:within* ?c . ?c a igeo:Commune }}
                  FILTER NOT EXISTS {{ ?t a igeo:Intercommunalite }}
                  FILTER NOT EXISTS {{ ?t a igeo:Region }}
                }}""",
                use_default_graph_as_union=True,
            )
        )
    assert [(r["i"].value, r["t"].value) for r in rows] == []  # type: ignore[union-attr]


def test_a_changed_file_is_reloaded_alone(project_copy: Path, store_copy: Path) -> None:
    settings = Settings(project_dir=project_copy, store=str(store_copy))
    assert build(settings, publish_too=False).loaded == []
    path = project_copy / "data" / "study" / "actors.ttl"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n# a comment changes the checksum\n", encoding="utf-8"
    )
    report = build(settings, publish_too=False)
    # The neighbourhood links are derived from the data: computed again when a graph changes.
    assert [g.key for g in report.loaded] == ["study/actors", "derived/neighbourhood-links"]
    path.unlink()
    (project_copy / "data" / "study" / "innovations.ttl").unlink()
    (project_copy / "data" / "study" / "schemes.ttl").unlink()
    (project_copy / "data" / "study" / "study.ttl").unlink()
    # the editorial readings of the study's actors go with them
    (project_copy / "data" / "editorial" / "readings.ttl").unlink()
    report = build(settings, publish_too=False)
    assert settings.graph_iri("study/actors") in report.removed
