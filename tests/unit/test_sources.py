"""Source discovery, graph names, parsing errors and rebasing."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.errors import BadInputError, SourceSyntaxError, UnreadableSourceError
from loaders.settings import Settings
from loaders.sources import discover, parse_file, rdf_format


def test_discover_names_graphs_after_files(settings: Settings) -> None:
    sources = {s.key: s for s in discover(settings)}
    assert "study/innovations" in sources
    assert "ontology/qpvkg" in sources
    assert "ontology/concepts/role" in sources
    assert all(not k.startswith("ontology/context") for k in sources)
    kinds = [s.kind for s in discover(settings)]
    assert kinds == sorted(kinds, key=["ontology", "shapes", "data"].index)


def test_formats_from_suffix() -> None:
    assert rdf_format(Path("a.nt.gz")) == ox.RdfFormat.N_TRIPLES
    assert rdf_format(Path("a.jsonld")) == ox.RdfFormat.JSON_LD
    with pytest.raises(BadInputError, match="unknown RDF file type"):
        rdf_format(Path("a.csv"))


def test_turtle_syntax_error_names_file_and_position(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(
        '@prefix ex: <https://example.org/> .\nex:a ex:b "unterminated .\n', encoding="utf-8"
    )
    with pytest.raises(SourceSyntaxError) as info:
        parse_file(path, settings)
    assert "bad.ttl" in info.value.message
    assert "2" in info.value.message  # the line


def test_jsonld_errors(tmp_path: Path, settings: Settings) -> None:
    bad_json = tmp_path / "bad.jsonld"
    bad_json.write_text('{"@id": "x",', encoding="utf-8")
    with pytest.raises(SourceSyntaxError, match="invalid JSON at line 1"):
        parse_file(bad_json, settings)
    remote = tmp_path / "remote.jsonld"
    remote.write_text(
        '{"@context": "https://example.org/ctx.jsonld", "@id": "https://e.org/x"}', encoding="utf-8"
    )
    with pytest.raises(SourceSyntaxError, match="not one of the project's contexts"):
        parse_file(remote, settings)


def test_jsonld_with_the_project_context(tmp_path: Path, settings: Settings) -> None:
    doc = tmp_path / "ok.jsonld"
    doc.write_text(
        '{"@context": "https://w3id.org/qpvkg/context/v1.jsonld", "id": "innovation:x", "type": "Innovation",'
        ' "libelle": "X", "categorie": "sociale", "territoire": "commune/93066"}',
        encoding="utf-8",
    )
    triples = {
        (q.subject.value, q.predicate.value, q.object.value) for q in parse_file(doc, settings)
    }
    x = "https://w3id.org/qpvkg/id/innovation/x"
    assert (
        x,
        "https://w3id.org/qpvkg/def#category",
        "https://w3id.org/qpvkg/concept/innovation-category/sociale",
    ) in triples
    assert (
        x,
        "https://w3id.org/qpvkg/def#territory",
        "https://w3id.org/qpvkg/id/commune/93066",
    ) in triples


def test_unreadable_paths(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(UnreadableSourceError, match="no such file"):
        parse_file(tmp_path / "absent.ttl", settings)
    with pytest.raises(UnreadableSourceError, match="is a directory"):
        parse_file(tmp_path, settings, ox.RdfFormat.TURTLE)
    broken = tmp_path / "broken.nt.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(SourceSyntaxError, match="gzip"):
        parse_file(broken, settings)


def test_gzip_and_rebase(tmp_path: Path) -> None:
    path = tmp_path / "a.nt.gz"
    path.write_bytes(
        gzip.compress(
            b"<https://w3id.org/qpvkg/id/a> <https://w3id.org/qpvkg/def#p> <https://example.org/b> .\n"
        )
    )
    moved = Settings(project_dir=tmp_path, base_iri="https://kg.example.org/")
    quads = parse_file(path, moved)
    assert quads[0].subject.value == "https://kg.example.org/id/a"
    assert quads[0].predicate.value == "https://kg.example.org/def#p"
    assert quads[0].object.value == "https://example.org/b"
