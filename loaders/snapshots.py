"""What every reference snapshot carries: its DCAT dataset, counts, validation and the file."""

from __future__ import annotations

import logging
import time
from collections.abc import Container, Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from loaders.errors import BadInputError
from loaders.namespaces import DCAT, DCT, IANA_MEDIA, RDFS, SPDX, VOID
from loaders.progress import Progress
from loaders.references import RDF_TYPE, context_from
from loaders.settings import Settings
from loaders.sources import file_checksum
from loaders.territories import (
    LICENCE_OUVERTE,
    ImportReport,
    ntriples_lines,
    validate_quads,
    write_gzip_atomically,
)
from loaders.triples import Triples

log = logging.getLogger(__name__)


def check_codes(
    items: Iterable[tuple[str, str]], known: Container[str], file: Path, what: str, held: str
) -> None:
    """Each (code, where) given once and known (``held`` names where the known codes come
    from); otherwise an error naming every unknown code."""
    seen: dict[str, str] = {}
    unknown = []
    for code, where in items:
        if code in seen:
            raise BadInputError(
                f"{where}: {what} {code} is already given at {seen[code]}", path=str(file)
            )
        seen[code] = where
        if code not in known:
            unknown.append(f"{code} ({where})")
    if unknown:
        shown = "; ".join(unknown[:20]) + (" ..." if len(unknown) > 20 else "")
        raise BadInputError(
            f"{file}: {len(unknown)} {what} code(s) not in {held}: {shown}", path=str(file)
        )


def describe_file(
    g: Triples,
    dataset: ox.NamedNode,
    file: Path,
    media: str,
    *,
    source_url: str | None = None,
) -> str:
    """The dataset's licence, source and distribution (the imported file, its media type and
    SHA-256); returns the checksum."""
    distribution = ox.NamedNode(f"{dataset.value}#file")
    checksum = ox.NamedNode(f"{dataset.value}#checksum")
    digest = file_checksum(file)
    g.add(dataset, RDF_TYPE, ox.NamedNode(f"{DCAT}Dataset"))
    g.add(dataset, ox.NamedNode(f"{DCT}license"), LICENCE_OUVERTE)
    if source_url:
        g.add(dataset, ox.NamedNode(f"{DCT}source"), ox.NamedNode(source_url))
    g.add(dataset, ox.NamedNode(f"{DCAT}distribution"), distribution)
    g.add(distribution, RDF_TYPE, ox.NamedNode(f"{DCAT}Distribution"))
    g.text(distribution, ox.NamedNode(f"{DCT}title"), file.name)
    g.add(distribution, ox.NamedNode(f"{DCAT}mediaType"), ox.NamedNode(IANA_MEDIA + media))
    if file.name.lower().endswith(".gz"):
        g.add(
            distribution,
            ox.NamedNode(f"{DCAT}compressFormat"),
            ox.NamedNode(IANA_MEDIA + "application/gzip"),
        )
    g.add(distribution, ox.NamedNode(f"{SPDX}checksum"), checksum)
    g.add(checksum, RDF_TYPE, ox.NamedNode(f"{SPDX}Checksum"))
    g.add(
        checksum,
        ox.NamedNode(f"{SPDX}algorithm"),
        ox.NamedNode(f"{SPDX}checksumAlgorithm_sha256"),
    )
    g.text(checksum, ox.NamedNode(f"{SPDX}checksumValue"), digest)
    return digest


def describe_texts(
    g: Triples, dataset: ox.NamedNode, title: dict[str, str], description: dict[str, str]
) -> None:
    """The dataset's title and description, French first."""
    for lang, text in title.items():
        g.add(dataset, ox.NamedNode(f"{DCT}title"), ox.Literal(text, language=lang))
    for lang, text in description.items():
        g.add(dataset, ox.NamedNode(f"{DCT}description"), ox.Literal(text, language=lang))


def describe_counts(g: Triples, dataset: ox.NamedNode, counts: Iterable[tuple[str, int]]) -> None:
    """The counts of an import on its dataset: a comment (@en) naming each, and the
    snapshot's triple count (void:triples, this triple included)."""
    text = "; ".join(f"{name}: {n:,}" for name, n in counts)
    g.add(dataset, ox.NamedNode(f"{RDFS}comment"), ox.Literal(f"Counts: {text}.", language="en"))
    g.integer(dataset, ox.NamedNode(f"{VOID}triples"), len(set(g.quads)) + 1)


def validate_and_write(
    settings: Settings,
    quads: Sequence[ox.Quad],
    reference: ox.Store,
    target: Path,
    progress: Progress,
    *,
    what: str,
    described: Iterable[ox.NamedNode] = (),
) -> tuple[int, float]:
    """Validate the snapshot's quads against the shapes, then write them (sorted, gzip).

    ``described`` are official resources the snapshot adds to (a commune given its centre):
    their whole description in the reference store is validated with the snapshot's triples
    (their shapes need it), and only the snapshot's triples are written. Returns the number of
    lines written and the validation's seconds; on a violation nothing is written.
    """
    extra: list[ox.Quad] = []
    for iri in described:
        extra.extend(
            ox.Quad(q.subject, q.predicate, q.object)
            for q in reference.quads_for_pattern(iri, None, None, None)
        )
    checked = list(dict.fromkeys([*quads, *extra]))
    subjects = {q.subject for q in checked}
    referenced = {
        q.object for q in checked if isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE
    } - subjects
    context = context_from(reference, referenced)
    t0 = time.perf_counter()
    report = validate_quads(settings, checked, progress, context=context)
    seconds = time.perf_counter() - t0
    report.raise_for_violations(f"the {what} do not conform")
    progress.step(f"Writing {target.name}", total=None)
    lines = ntriples_lines(quads)
    write_gzip_atomically(lines, target)
    log.info("wrote %s: %d triples", target, len(lines))
    return len(lines), seconds


def report(
    what: str,
    target: Path,
    triples: int,
    counts: Sequence[tuple[str, int]],
    start: float,
    validation_seconds: float,
    warnings: Sequence[str],
) -> ImportReport:
    for w in warnings:
        log.warning("%s", w)
    return ImportReport(
        what=what,
        output=target,
        triples=triples,
        counts=tuple(counts),
        seconds=time.perf_counter() - start,
        validation_seconds=validation_seconds,
        warnings=tuple(warnings),
    )
