"""publication/catalog.yaml: read through its model, refused with the file and the field named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from loaders.errors import BadInputError
from loaders.publication.metadata import CatalogMetadata, load_metadata, read_metadata
from loaders.settings import PROJECT_DIR, Settings

CATALOG = PROJECT_DIR / "publication" / "catalog.yaml"


def repository_catalog() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    return data


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_repository_catalog_is_valid() -> None:
    meta = load_metadata(Settings(project_dir=PROJECT_DIR))
    assert isinstance(meta, CatalogMetadata)
    assert meta.catalog.identifier == "qpvkg"
    assert "partner" in meta.datasets
    assert meta.datasets["vocabulary"].kinds == ["ontology", "shapes"]


def without(data: dict[str, Any], *path: str) -> dict[str, Any]:
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return data


def test_a_missing_field_is_refused_naming_the_file_and_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, without(repository_catalog(), "catalog", "title"))
    with pytest.raises(BadInputError) as caught:
        read_metadata(path)
    assert str(path) in caught.value.message
    assert "catalog.title" in caught.value.message
    assert caught.value.details["field"] == "catalog.title"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["catalog"].update(themes="SOCI"), "catalog.themes"),
        (lambda d: d["datasets"]["study"].update(title="Étude"), "datasets.study.title"),
        (lambda d: d.update(licence=["a", "b"]), "licence"),
        (lambda d: d["catalog"].update(titel={"fr": "qpvkg"}), "catalog.titel"),
        (lambda d: d["datasets"].pop("partner"), "datasets"),
        (lambda d: d["distributions"]["dumps"].pop("union"), "distributions.dumps.union"),
        (lambda d: d.pop("service"), "service"),
    ],
    ids=[
        "themes-not-a-list",
        "title-not-by-language",
        "licence-not-text",
        "unknown",
        "partner",
        "dump-wording",
        "service",
    ],
)
def test_a_wrong_field_is_refused_naming_the_file_and_the_field(
    tmp_path: Path, change: Any, field: str
) -> None:
    data = repository_catalog()
    change(data)
    (tmp_path / "publication").mkdir()
    path = write(tmp_path / "publication", data)
    with pytest.raises(BadInputError) as caught:
        load_metadata(Settings(project_dir=tmp_path, store=str(tmp_path / "store")))
    assert str(path) in caught.value.message
    assert field in caught.value.message
    assert caught.value.details["field"] == field


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ["catalog"])
    with pytest.raises(BadInputError, match="must hold a mapping"):
        read_metadata(path)
