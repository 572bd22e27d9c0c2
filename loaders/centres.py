"""Import of the centres of the communes (longitude, latitude) as GeoSPARQL points."""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

import pyoxigraph as ox

from loaders.errors import BadInputError, SourceSyntaxError
from loaders.geometry import point_wkt
from loaders.progress import Progress
from loaders.qpv import COMMUNE_CODE, csv_rows, describe_geometry, load_reference
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

NAME = "communes-centres"

#: Columns the file must have (lower case); ``name`` and ``dept`` are read when present.
REQUIRED = ("insee", "lon", "lat")


def _coordinate(text: str, low: float, high: float, what: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SourceSyntaxError(f"{where}: {what} {text!r} is not a number") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise SourceSyntaxError(f"{where}: {what} {text!r} is out of range [{low}, {high}]")
    return value


def read_centres(path: Path) -> list[tuple[str, float, float, str]]:
    """The rows (code, longitude, latitude, where) of a CSV ``insee,dept,lon,lat,name``."""
    text = decode_utf8(open_bytes(path), path)
    records = csv_rows(path, text)
    missing = [c for c in REQUIRED if records and c not in records[0].fields]
    if missing:
        raise SourceSyntaxError(
            f"{path}: the header has no {', '.join(missing)} column "
            f"(expected insee,dept,lon,lat,name; found {','.join(records[0].fields)})",
            path=str(path),
        )
    rows: list[tuple[str, float, float, str]] = []
    for record in records:
        code = record.get(("insee",))
        if not COMMUNE_CODE.match(code):
            raise BadInputError(
                f"{record.where}: commune code {code!r} is not an INSEE code "
                "(5 characters: 2 digits or 2A/2B, then 3 digits)",
                path=str(path),
            )
        try:
            lon = _coordinate(record.get(("lon",)), -180, 180, "longitude", record.where)
            lat = _coordinate(record.get(("lat",)), -90, 90, "latitude", record.where)
        except SourceSyntaxError as exc:
            raise SourceSyntaxError(str(exc), path=str(path)) from None
        rows.append((code, lon, lat, record.where))
    if not rows:
        raise BadInputError(f"{path}: no commune centres", path=str(path))
    return rows


def import_centres(
    settings: Settings,
    file: Path,
    *,
    output: Path | None = None,
    source_url: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import commune centres (CSV ``insee,dept,lon,lat,name``) as gzip N-Triples.

    Each current commune (and municipal arrondissement) of data/reference/territories-*
    gets ``geo:hasCentroid <id/commune/{code}/centre>``, a point as the source gives it. A code
    the territories do not hold as a current commune or arrondissement, or given twice, is an
    error naming it; the current communes without a centre are reported.
    """
    progress = quiet_progress(progress)
    start = time.perf_counter()
    target = output or settings.data_dir / "reference" / f"{NAME}.nt.gz"
    progress.step(f"Reading {file.name}", total=None)
    rows = read_centres(file)
    progress.step("Loading the official territories", total=None)
    ref = load_reference(settings)

    check_codes(
        ((code, where) for code, _, _, where in rows),
        {*ref.communes, *ref.arrondissements},
        file,
        "commune",
        "the current communes and municipal arrondissements of the official territories "
        f"({', '.join(ref.files)})",
    )
    seen = {code for code, _, _, _ in rows}

    g = Triples(settings)
    dataset = g.iri(f"id/dataset/{NAME}")
    describe_file(g, dataset, file, "text/csv", source_url=source_url)
    describe_texts(
        g,
        dataset,
        {"fr": "Centres des communes", "en": "Centres of the communes"},
        {
            "fr": f"Le centre (longitude, latitude, WGS84) de chaque commune et arrondissement "
            f"municipal, importé du fichier {file.name} ; points donnés par la source "
            "(geo.api.gouv.fr), non calculés par qpvkg.",
            "en": f"The centre (longitude, latitude, WGS84) of each commune and municipal "
            f"arrondissement, imported from the file {file.name}; points given by the source "
            "(geo.api.gouv.fr), not computed by qpvkg.",
        },
    )
    progress.step("Describing the centres", total=len(rows))
    described: list[ox.NamedNode] = []
    communes = arrondissements = 0
    for code, lon, lat, _ in sorted(rows):
        if code in ref.communes:
            segment, communes = "commune", communes + 1
        else:
            segment, arrondissements = "arrondissement-municipal", arrondissements + 1
        feature = g.iri(f"id/{segment}/{code}")
        described.append(feature)
        centre = g.iri(f"id/{segment}/{code}/centre")
        describe_geometry(g, feature, centre, "Point", point_wkt(lon, lat), dataset)
        progress.advance()
    missing = sorted(set(ref.communes) - set(seen))
    warnings = []
    if missing:
        warnings.append(
            f"{len(missing)} current commune(s) without a centre: {', '.join(missing[:50])}"
            + (" ..." if len(missing) > 50 else "")
        )
    counts = (
        ("communes", communes),
        ("municipal arrondissements", arrondissements),
        ("current communes without a centre", len(missing)),
    )
    describe_counts(g, dataset, counts)
    quads = list(dict.fromkeys(g.quads))
    triples, validation = validate_and_write(
        settings,
        quads,
        ref.store,
        target,
        progress,
        what=f"commune centres imported from {file}",
        described=described,
    )
    return report("commune centres", target, triples, counts, start, validation, warnings)
