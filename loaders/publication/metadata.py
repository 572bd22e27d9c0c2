"""The words of the publication: ``publication/catalog.yaml``, read and checked.

What the DCAT-AP catalogue and the VoID description say of the graph in words (titles,
descriptions, keywords, themes, the licence, the labels of the vocabulary terms they point to)
is a file; this module is its model. A file that lacks a field, holds one it should not or
gives one a value of the wrong kind is refused, naming the file and the field, before anything
is published (``loaders/publication/publish.py`` reads it at each publication).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from loaders.errors import BadInputError
from loaders.settings import Settings

#: Texts by language tag (``fr``, ``en``), French first.
Texts = dict[str, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CatalogInfo(_Strict):
    """The catalogue itself, and the dataset of the whole graph."""

    identifier: str
    title: Texts
    description: Texts
    publisher: str
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    #: EU data themes (``SOCI``, ``ECON``...), under
    #: http://publications.europa.eu/resource/authority/data-theme/
    themes: list[str] = Field(default_factory=list)
    spatial: str
    language: str


class DatasetSpec(_Strict):
    """One family of graphs (one dataset of the catalogue), chosen by the graphs' kind;
    ``{name}`` in the texts of the ``partner`` family is the partner's name."""

    kind: str | list[str]
    title: Texts
    description: Texts
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    themes: list[str] = Field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return self.kind if isinstance(self.kind, list) else [self.kind]


class Wording(_Strict):
    """A title and a description by language, with ``{placeholders}`` filled in at each
    publication (which ones: the comments of catalog.yaml)."""

    title: Texts
    description: Texts = Field(default_factory=dict)


class DumpWordings(_Strict):
    """The wording of a dump, by what it holds (``Dump.holds``)."""

    graphs: Wording
    union: Wording

    def of(self, holds: str) -> Wording:
        return self.graphs if holds == "graphs" else self.union


class Distributions(_Strict):
    """The wording of the distributions: each named graph, each dump."""

    graph: Wording
    dumps: DumpWordings


class ServiceWording(_Strict):
    """The SPARQL endpoint, as the catalogue's data service."""

    title: Texts


class VoidWording(_Strict):
    """The VoID description's own words."""

    #: a name, in no language (a plain literal)
    title: str


class CatalogMetadata(_Strict):
    """The whole of ``publication/catalog.yaml``."""

    catalog: CatalogInfo
    #: the families, by name; ``partner`` describes each partner's dataset
    datasets: dict[str, DatasetSpec]
    distributions: Distributions
    service: ServiceWording
    void: VoidWording
    licence: str
    #: the licence's name as its publisher gives it (portals match a licence by URL or title)
    licence_title: str = ""
    #: labels of the controlled-vocabulary terms the catalogue points to: IRI -> texts
    labels: dict[str, Texts] = Field(default_factory=dict)

    @field_validator("datasets")
    @classmethod
    def _has_partner(cls, value: dict[str, DatasetSpec]) -> dict[str, DatasetSpec]:
        if "partner" not in value:
            raise ValueError("a 'partner' dataset is required (it describes each partner's)")
        return value


def metadata_path(settings: Settings) -> Path:
    return settings.project_dir / "publication" / "catalog.yaml"


def _field(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(the document)"


def read_metadata(path: Path) -> CatalogMetadata:
    """The model of a catalog.yaml; BadInputError naming the file and the field if wrong."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BadInputError(f"cannot read {path}: {exc}", path=str(path)) from None
    if not isinstance(data, dict):
        raise BadInputError(f"{path} must hold a mapping", path=str(path))
    try:
        return CatalogMetadata.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        fields = [_field(e["loc"]) for e in errors]
        listed = "; ".join(f"{f}: {e['msg']}" for f, e in zip(fields, errors, strict=True))
        raise BadInputError(
            f"{path} is not a valid catalogue description: {listed}",
            path=str(path),
            field=fields[0],
            fields=fields,
        ) from None


def load_metadata(settings: Settings) -> CatalogMetadata:
    """The words of the catalogue (``publication/catalog.yaml`` of the project)."""
    return read_metadata(metadata_path(settings))
