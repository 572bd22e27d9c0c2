"""Source files of the graph: discovery, graph names, checksums and parsing."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders.errors import BadInputError, SourceSyntaxError, UnreadableSourceError
from loaders.limits import (
    check_language_tags,
    check_no_null_context,
    check_term_sizes,
    check_xml_prolog,
    load_json,
    raise_token_too_large,
)
from loaders.rdfformats import NQUADS, NTRIPLES, RDF_SYNTAXES, TURTLE
from loaders.settings import DEFAULT_BASE_IRI, Settings

log = logging.getLogger(__name__)

#: File suffixes read as RDF, most specific first: the line-based and Turtle files may be
#: gzipped; an ``.xml`` file of the repository is not taken for RDF/XML.
RDF_SUFFIXES: dict[str, ox.RdfFormat] = {
    **{f"{s.suffixes[0]}.gz": s.oxigraph for s in (NTRIPLES, TURTLE, NQUADS)},
    **{suffix: s.oxigraph for s in RDF_SYNTAXES for suffix in s.suffixes if suffix != ".xml"},
}

#: Source kinds, in load order; the folder each lives in.
KINDS = ("ontology", "shapes", "data")


@dataclass(frozen=True)
class Source:
    """One file of the repository that becomes one named graph."""

    path: Path
    kind: str
    key: str
    format: ox.RdfFormat

    @property
    def is_reference(self) -> bool:
        """Official reference data, validated when imported rather than at each build."""
        return self.kind == "data" and self.key.startswith("reference/")

    def checksum(self) -> str:
        return file_checksum(self.path)


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its suffix."""
    name = path.name.lower()
    for suffix, fmt in RDF_SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    raise BadInputError(
        f"{path}: unknown RDF file type (expected one of {', '.join(RDF_SUFFIXES)})",
        path=str(path),
    )


def strip_rdf_suffix(name: str) -> str:
    lower = name.lower()
    for suffix in RDF_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def file_checksum(path: Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover(settings: Settings) -> list[Source]:
    """Every source file of the repository, in load order (ontology, shapes, data)."""
    sources: list[Source] = []
    for kind in KINDS:
        root = settings.project_dir / kind
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.name.startswith((".", "_")):
                continue
            if not any(path.name.lower().endswith(s) for s in RDF_SUFFIXES):
                continue
            rel_path = path.relative_to(root)
            if "context" in rel_path.parts[:-1]:
                continue
            rel = rel_path.as_posix()
            key = strip_rdf_suffix(rel)
            if kind != "data":
                key = f"{kind}/{key}"
            sources.append(Source(path=path, kind=kind, key=key, format=rdf_format(path)))
    return sources


def read_file_bytes(path: Path) -> bytes:
    """The bytes of a file, or a domain error naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise UnreadableSourceError(f"{path}: no such file", path=str(path)) from exc
    except IsADirectoryError as exc:
        raise UnreadableSourceError(f"{path}: is a directory", path=str(path)) from exc
    except OSError as exc:
        raise UnreadableSourceError(
            f"{path}: cannot be read ({exc.strerror})", path=str(path)
        ) from exc


def decode_utf8(raw: bytes, path: Path) -> str:
    """Text of UTF-8 bytes (a BOM is dropped), or a domain error naming the file."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceSyntaxError(f"{path}: not UTF-8 ({exc.reason})", path=str(path)) from exc


def open_bytes(path: Path) -> bytes:
    """The bytes of a file, gunzipped when its name ends with .gz."""
    raw = read_file_bytes(path)
    if path.name.lower().endswith(".gz"):
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise SourceSyntaxError(f"{path}: not a valid gzip file", path=str(path)) from exc
    return raw


def rebase(term: Any, base_iri: str) -> Any:
    """The term with the default base IRI replaced by ``base_iri`` (IRIs only)."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE_IRI):
        return ox.NamedNode(base_iri + term.value[len(DEFAULT_BASE_IRI) :])
    return term


def rebase_quads(quads: Iterable[ox.Quad], base_iri: str) -> Iterator[ox.Quad]:
    """Quads with their IRIs moved from the default base to ``base_iri``."""
    if base_iri == DEFAULT_BASE_IRI:
        yield from quads
        return
    for q in quads:
        yield ox.Quad(
            rebase(q.subject, base_iri),
            rebase(q.predicate, base_iri),
            rebase(q.object, base_iri),
            rebase(q.graph_name, base_iri),
        )


def parse_bytes(
    data: bytes,
    fmt: ox.RdfFormat,
    *,
    name: str,
    base_iri: str,
    context_loader: Any = None,
) -> list[ox.Quad]:
    """Parse RDF bytes into quads (default graph); raise SourceSyntaxError with the position."""
    if fmt == ox.RdfFormat.JSON_LD:
        data = jsonld_to_nquads(data, name=name, base_iri=base_iri, loader=context_loader)
        fmt = ox.RdfFormat.N_QUADS
    elif fmt == ox.RdfFormat.RDF_XML:
        check_xml_prolog(data, name)
    try:
        return list(ox.parse(data, fmt, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as exc:
        raise SourceSyntaxError(f"{name}: {exc}", path=name, detail=str(exc)) from exc
    except ValueError as exc:
        raise SourceSyntaxError(f"{name}: {exc}", path=name, detail=str(exc)) from exc
    except MemoryError as exc:
        raise_token_too_large(exc, name)


def parse_file(path: Path, settings: Settings, fmt: ox.RdfFormat | None = None) -> list[ox.Quad]:
    """Parse one file (gzip allowed) into quads rebased onto the configured base IRI."""
    fmt = fmt or rdf_format(path)
    data = open_bytes(path)
    # JSON-LD's relative references resolve as partners' documents do on the server
    base = f"{settings.base_iri}id/" if fmt == ox.RdfFormat.JSON_LD else settings.base_iri
    quads = parse_bytes(
        data,
        fmt,
        name=str(path),
        base_iri=base,
        context_loader=local_context_loader(settings),
    )
    check_term_sizes((q.triple for q in quads), settings.max_literal_bytes, str(path))
    return list(rebase_quads(quads, settings.base_iri))


# --------------------------------------------------------------------------- JSON-LD


def context_dir(settings: Settings) -> Path:
    return settings.ontology_dir / "context"


def local_context_loader(settings: Settings) -> Any:
    """A pyld document loader that serves the project's own contexts and nothing else.

    Contexts under ``{base}context/`` are read from ``ontology/context/``; any other
    remote context is refused, so parsing never opens a network connection.
    """
    prefixes = {settings.base_iri, DEFAULT_BASE_IRI}

    def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        for prefix in prefixes:
            if url.startswith(prefix + "context/"):
                name = url[len(prefix + "context/") :]
                path = context_dir(settings) / name
                if path.is_file() and "/" not in name:
                    document = json.loads(path.read_text(encoding="utf-8"))
                    return {
                        "contentType": "application/ld+json",
                        "contextUrl": None,
                        "documentUrl": url,
                        "document": document,
                    }
        from pyld.jsonld import JsonLdError

        raise JsonLdError(
            f"remote context {url} is not one of the project's contexts "
            f"({settings.base_iri}context/...); inline it or use the project's context",
            "jsonld.LoadDocumentError",
            code="loading remote context failed",
        )

    return loader


def jsonld_to_nquads(data: bytes, *, name: str, base_iri: str, loader: Any) -> bytes:
    """Expand JSON-LD with pyld (local contexts only) and return N-Quads bytes."""
    from pyld import jsonld

    document = load_json(data, name)
    if not isinstance(document, dict | list):
        raise SourceSyntaxError(
            f"{name}: JSON but not a JSON-LD document (an object or an array of objects)",
            path=name,
        )
    check_no_null_context(document, name)
    check_language_tags(document, name)
    options: dict[str, Any] = {"format": "application/n-quads", "base": base_iri}
    if loader is not None:
        options["documentLoader"] = loader
    try:
        nquads = jsonld.to_rdf(document, options)
    except jsonld.JsonLdError as exc:
        raise SourceSyntaxError(
            f"{name}: invalid JSON-LD: {_jsonld_message(exc)}", path=name
        ) from exc
    text = nquads if isinstance(nquads, str) else ""
    return text.encode("utf-8")


def _jsonld_message(exc: BaseException) -> str:
    """The innermost message of pyld's chained errors (the one that says what went wrong)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or getattr(current, "cause", None)
    inner = chain[-1]
    message = str(inner.args[0]) if inner.args else str(inner)
    code = getattr(inner, "code", None)
    return f"{message} ({code})" if code else message


def serialize_ntriples(quads: Iterable[ox.Quad]) -> bytes:
    """N-Triples bytes of the quads' triples (graph names dropped)."""
    out = io.BytesIO()
    ox.serialize((q.triple for q in quads), out, ox.RdfFormat.N_TRIPLES)
    return out.getvalue()
