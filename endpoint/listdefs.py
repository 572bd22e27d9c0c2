"""The lists' definitions: each list's class, columns, facets and sorts, read from the ``#+``
header of ``queries/internal/list-NAME.rq``; a list's URL, the list of a class."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import yaml

from loaders.namedqueries import split_header
from loaders.namespaces import IGEO, select
from loaders.settings import Settings

#: The prefixed names a list's header may use (beside qpvkg:, under the server's base IRI).
PREFIXES = {f"{prefix}:": namespace for prefix, namespace in select("igeo", "skos", "org").items()}


HEADER_KEYS = {"class", "columns", "facets", "sorts"}


#: Optional: ``inherit: {region: departement}``, a resource without a région takes that of its
#: département (when the département is a resource of the list).
OPTIONAL_KEYS = {"inherit"}


@dataclass(frozen=True)
class Column:
    name: str
    property: str | None  # the property whose label heads the column, if any


@dataclass(frozen=True)
class ListDef:
    """A list, from its query's header."""

    name: str
    cls: str
    columns: tuple[Column, ...]
    facets: tuple[str, ...]
    sorts: tuple[str, ...]
    inherit: tuple[tuple[str, str], ...] = ()  # (column, the column of the resource it takes)

    @property
    def query(self) -> str:
        return f"list-{self.name}"


def expand(name: str, base_iri: str) -> str:
    if name.startswith("qpvkg:"):
        return f"{base_iri}def#{name[6:]}"
    for prefix, namespace in PREFIXES.items():
        if name.startswith(prefix):
            return namespace + name[len(prefix) :]
    return name


def load_lists(settings: Settings) -> dict[str, ListDef]:
    """The lists, from ``queries/internal/list-*.rq``; a header that does not fit fails."""
    lists = {}
    for path in sorted((settings.queries_dir / "internal").glob("list-*.rq")):
        name = path.stem.removeprefix("list-")
        header_text, _ = split_header(path.read_text(encoding="utf-8"))
        header = yaml.safe_load(header_text) or {}
        if (
            not isinstance(header, dict)
            or not HEADER_KEYS <= set(header) <= HEADER_KEYS | OPTIONAL_KEYS
        ):
            raise ValueError(f"{path}: the header must have {sorted(HEADER_KEYS)} (and inherit)")
        columns = tuple(
            Column(str(c), expand(str(p), settings.base_iri) if p else None)
            for c, p in (header["columns"] or {}).items()
        )
        names = {c.name for c in columns}
        facets, sorts = tuple(header["facets"] or ()), tuple(header["sorts"] or ())
        if not set(facets) <= names or not set(sorts) <= names | {"label"}:
            raise ValueError(f"{path}: a facet or a sort names no column")
        lists[name] = ListDef(
            name, expand(header["class"], settings.base_iri), columns, facets, sorts
        )
    return lists


def key_of(iri: str, base_iri: str) -> str:
    """A value's name in a URL: a concept's notation, an instance's path after ``id/``
    (``commune/93066``), a term's local name."""
    if iri.startswith(base_iri):
        rest = iri[len(base_iri) :]
        if rest.startswith("concept/") and rest.count("/") == 2:
            return rest.rsplit("/", 1)[1]
        if rest.startswith("id/"):
            return rest[3:]
        return re.split(r"[#/]", rest)[-1]
    return re.split(r"[#/]", iri)[-1]


def list_url(spec: ListDef) -> str:
    return f"/lists/{spec.name}"


def list_for_class(lists: dict[str, ListDef], cls: str) -> str | None:
    """The list page of a class's resources (INSEE's territory classes: the territories'
    list, filtered by type), if there is one."""
    for spec in lists.values():
        if spec.cls == cls:
            return list_url(spec)
    territories = lists.get("territories")
    if territories and cls.startswith(IGEO) and "type" in territories.facets:
        return f"{list_url(territories)}?{urlencode({'type': key_of(cls, '')})}"
    return None
