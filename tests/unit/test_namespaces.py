"""The one table of namespaces and prefixes agrees with the JSON-LD context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders import namespaces
from loaders.settings import PROJECT_DIR

CONTEXTS = sorted((PROJECT_DIR / "ontology" / "context").glob("v*.jsonld"))


@pytest.mark.parametrize("path", CONTEXTS, ids=lambda p: p.name)
def test_the_context_names_the_vocabularies_as_the_table_does(path: Path) -> None:
    context = json.loads(path.read_text(encoding="utf-8"))["@context"]
    shared = [name for name in namespaces.PREFIXES if isinstance(context.get(name), str)]
    assert len(shared) >= 10
    for name in shared:
        assert context[name] == namespaces.PREFIXES[name], name


def test_the_subsets_come_from_the_table() -> None:
    for table in (namespaces.RESULT_PREFIXES, namespaces.DUMP_PREFIXES):
        assert all(namespaces.PREFIXES[p] == ns for p, ns in table.items())
    assert namespaces.CATALOGUE_PREFIXES["dct"] == namespaces.PREFIXES["dcterms"]
