"""Import of the contours of the départements or the régions (GeoJSON) as GeoSPARQL geometries."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from loaders import geometry as geo
from loaders.errors import BadInputError, SourceSyntaxError
from loaders.limits import load_json
from loaders.progress import Progress
from loaders.qpv import describe_geometry, load_reference
from loaders.settings import Settings
from loaders.snapshots import (
    check_codes,
    describe_counts,
    describe_file,
    describe_texts,
    report,
    validate_and_write,
)
from loaders.sources import decode_utf8, open_bytes
from loaders.territories import ImportReport, quiet_progress
from loaders.triples import Triples

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Level:
    """A level of territory: its IRI segment, the code field of the file, its words."""

    segment: str
    field: str
    plural_fr: str
    plural_en: str


LEVELS = {
    "departement": Level("departement", "insee_dep", "départements", "départements"),
    "region": Level("region", "insee_reg", "régions", "regions"),
}


def read_contours(path: Path, level: Level) -> list[tuple[str, list[geo.PolygonRings], str]]:
    """The features (code, polygons, where) of a GeoJSON FeatureCollection of one level."""
    data = load_json(decode_utf8(open_bytes(path), path), str(path))
    out = []
    for properties, geometry, where in geo.features_of(data, path):
        code = str(properties.get(level.field) or "").strip()
        if not code:
            raise BadInputError(
                f"{where}: no {level.field} field (fields: {', '.join(sorted(properties))})",
                path=str(path),
            )
        try:
            polygons = geo.polygons_of(geometry, where)
        except SourceSyntaxError as exc:
            raise SourceSyntaxError(str(exc), path=str(path)) from None
        out.append((code, polygons, where))
    if not out:
        raise BadInputError(f"{path}: no features", path=str(path))
    return out


def import_contours(
    settings: Settings,
    file: Path,
    *,
    level: str,
    output: Path | None = None,
    source_url: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ANCT's contours of the départements or régions as gzip N-Triples.

    Each feature's code (``insee_dep`` or ``insee_reg``) must be a territory of
    data/reference/territories-*; it gets ``geo:hasGeometry <id/{level}/{code}/contour>``, the
    feature's Polygon or MultiPolygon as a CRS84 MULTIPOLYGON, as given (not repaired).
    """
    progress = quiet_progress(progress)
    start = time.perf_counter()
    if level not in LEVELS:
        raise BadInputError(f"--level must be departement or region, got {level!r}")
    kind = LEVELS[level]
    name = f"contours-{level}s"
    target = output or settings.data_dir / "reference" / f"{name}.nt.gz"
    progress.step(f"Reading {file.name}", total=None)
    features = read_contours(file, kind)
    progress.step("Loading the official territories", total=None)
    ref = load_reference(settings)
    known = ref.departements if level == "departement" else ref.regions
    check_codes(
        ((code, where) for code, _, where in features),
        known,
        file,
        level,
        f"the official territories ({', '.join(ref.files)})",
    )
    seen = {code for code, _, _ in features}

    g = Triples(settings)
    dataset = g.iri(f"id/dataset/{name}")
    describe_file(g, dataset, file, "application/geo+json", source_url=source_url)
    describe_texts(
        g,
        dataset,
        {"fr": f"Contours des {kind.plural_fr}", "en": f"Contours of the {kind.plural_en}"},
        {
            "fr": f"Les contours simplifiés des {kind.plural_fr} dessinés par l'ANCT pour ses "
            f"cartes (d'après ADMIN EXPRESS de l'IGN), importés du fichier {file.name}, tels "
            "que donnés.",
            "en": f"The simplified contours of the {kind.plural_en} drawn by ANCT for its maps "
            f"(from IGN's ADMIN EXPRESS), imported from the file {file.name}, as given.",
        },
    )
    progress.step("Describing the contours", total=len(features))
    described: list[ox.NamedNode] = []
    invalid: list[str] = []
    for code, polygons, _ in sorted(features, key=lambda f: f[0]):
        feature = known[code]
        described.append(feature)
        contour = g.iri(f"id/{level}/{code}/contour")
        describe_geometry(
            g, feature, contour, "MultiPolygon", geo.multipolygon_wkt(polygons), dataset
        )
        if not geo.is_valid(polygons):
            invalid.append(code)
        progress.advance()
    missing = sorted(set(known) - set(seen))
    warnings = []
    if missing:
        warnings.append(f"{len(missing)} {kind.plural_en} without a contour: {', '.join(missing)}")
    if invalid:
        warnings.append(
            f"{len(invalid)} contour(s) not valid for GEOS, kept as given: {', '.join(invalid)}"
        )
    counts = (
        (f"{kind.plural_en} contours", len(features)),
        ("contours not valid for GEOS (kept as given)", len(invalid)),
        (f"{kind.plural_en} without a contour", len(missing)),
    )
    describe_counts(g, dataset, counts)
    quads = list(dict.fromkeys(g.quads))
    triples, validation = validate_and_write(
        settings,
        quads,
        ref.store,
        target,
        progress,
        what=f"contours imported from {file}",
        described=described,
    )
    return report(f"contours ({level})", target, triples, counts, start, validation, warnings)
