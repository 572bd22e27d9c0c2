"""Map layers: GeoJSON features from the store's WKT, and the QPV contours simplified for the map.

The map (`/map`) draws the 1,584 contours of the QPV of 2024 at once; drawn whole (232,000
points) they make the page slow, so it gets them simplified: shapely's ``simplify`` with
``preserve_topology=True`` at ``TOLERANCE`` degrees (Douglas-Peucker; about 22 m north-south and
15 m east-west in metropolitan France, less than the width of a street), which keeps a quarter of
the points. A QPV's page draws its full contour, as the source gives it. The simplified layer is
made by ``qpvkg build`` into a file next to the store (``{store}-map/``), named by the version
of the contours (the checksums of the reference graphs and the number of contours), and made
again by the server when that version has no file. Coordinates are written with
``DECIMALS`` decimals (about 1 m): the sources give 4.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from loaders.errors import BadInputError
from loaders.namedqueries import internal_query
from loaders.settings import Settings

log = logging.getLogger(__name__)

#: Tolerance of the simplification of the map's QPV layer, in degrees (CRS84).
TOLERANCE = 0.0002
#: Decimals of the coordinates written in the layers (1e-5 degree: about 1 m).
DECIMALS = 5
#: What the layer's file name says of how it was made; change it with TOLERANCE or DECIMALS.
RECIPE = f"simplify-{TOLERANCE}-preserve-topology-{DECIMALS}dp-v1"

Row = Mapping[str, Any]


def geometry_of(wkt: str) -> BaseGeometry:
    """A shapely geometry from a WKT literal (CRS84, longitude latitude)."""
    try:
        return shapely.from_wkt(wkt)
    except shapely.errors.GEOSException as exc:
        raise BadInputError(f"the WKT {wkt[:60]!r} does not parse: {exc}") from exc


def rounded(value: Any, decimals: int = DECIMALS) -> Any:
    """Coordinates (nested lists or tuples of numbers) rounded to ``decimals``."""
    if isinstance(value, (list, tuple)):
        return [rounded(v, decimals) for v in value]
    if isinstance(value, float) and math.isfinite(value):
        return round(value, decimals)
    return value


def geojson_geometry(geometry: BaseGeometry) -> dict[str, Any]:
    shape = mapping(geometry)
    return {"type": shape["type"], "coordinates": rounded(shape["coordinates"])}


def simplified(geometry: BaseGeometry, tolerance: float = TOLERANCE) -> BaseGeometry:
    """The geometry simplified for the map; the original when simplifying would empty it."""
    out = geometry.simplify(tolerance, preserve_topology=True)
    return geometry if out.is_empty else out


def feature(
    wkt: str, properties: Mapping[str, Any], *, tolerance: float | None = None
) -> dict[str, Any]:
    """A GeoJSON feature from a WKT literal: whole, or simplified at ``tolerance``."""
    geometry = geometry_of(wkt)
    if tolerance is not None:
        geometry = simplified(geometry, tolerance)
    shape = geojson_geometry(geometry)
    return {"type": "Feature", "geometry": shape, "properties": dict(properties)}


def collection(features: Iterable[dict[str, Any]], **members: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", **members, "features": list(features)}


def qpv_features(
    rows: Iterable[tuple[str, str, str, str]], base_iri: str, *, tolerance: float | None
) -> list[dict[str, Any]]:
    """Features of QPV contours from (iri, code, label, wkt) rows."""
    return [
        feature(
            wkt,
            {"id": iri, "href": local(iri, base_iri), "code": code, "label": label, "kind": "qpv"},
            tolerance=tolerance,
        )
        for iri, code, label, wkt in rows
    ]


def local(iri: str, base_iri: str) -> str:
    """The path of an IRI under the base on this server (/id/...), else the IRI."""
    return "/" + iri[len(base_iri) :] if iri.startswith(base_iri) else iri


def version_key(rows: Sequence[tuple[str, str]]) -> str:
    """The version of the contours: the recipe, the reference graphs' checksums, the count."""
    text = "\n".join([RECIPE, *(f"{g} {c}" for g, c in sorted(rows))])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def layer_path(store_path: Path, key: str) -> Path:
    """Where the simplified layer of a store on disk is kept: in a folder beside it."""
    return store_path.parent / f"{store_path.name}-map" / f"qpv-2024-{key}.geojson"


def encode(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_layer(store_path: Path, key: str, body: bytes) -> Path | None:
    """Write the layer file atomically, removing the files of older versions; None when the
    folder cannot be written (a read-only replica, a remote store)."""
    target = layer_path(store_path, key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".tmp") as out:
            out.write(body)
        Path(out.name).replace(target)
        for old in target.parent.glob("qpv-2024-*.geojson"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("the map's QPV layer could not be written to %s: %s", target, exc)
        return None
    return target


def read_layer(store_path: Path, key: str) -> bytes | None:
    try:
        return layer_path(store_path, key).read_bytes()
    except OSError:
        return None


def qpv_layer(rows: Iterable[tuple[str, str, str, str]], base_iri: str, key: str) -> bytes:
    """The map's QPV layer, simplified, as GeoJSON bytes."""
    start = time.perf_counter()
    features = qpv_features(rows, base_iri, tolerance=TOLERANCE)
    body = encode(collection(features, version=key, tolerance=TOLERANCE, simplified=True))
    log.info(
        "map layer: %d QPV contours simplified in %.0f ms (%d bytes)",
        len(features),
        (time.perf_counter() - start) * 1000,
        len(body),
    )
    return body


# ----------------------------------------------------------------------------- at build


def _text(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else ""


def _solutions(store: ox.Store, settings: Settings, name: str) -> list[ox.QuerySolution]:
    result = store.query(internal_query(settings, name), use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def qpv_rows(solutions: Iterable[Mapping[str, str]]) -> list[tuple[str, str, str, str]]:
    """(iri, code, label, wkt) of each QPV once (a second label or contour is left out)."""
    out: dict[str, tuple[str, str, str, str]] = {}
    for s in solutions:
        out.setdefault(s["qpv"], (s["qpv"], s["code"], s["label"], s["wkt"]))
    return list(out.values())


def build_layer(store: ox.Store, settings: Settings, store_path: Path) -> Path | None:
    """Make the simplified QPV layer of the store's contours into its file, unless it exists."""
    versions = [
        (_text(s["graph"]), _text(s["checksum"]))
        for s in _solutions(store, settings, "geo-contours-version")
    ]
    key = version_key(versions)
    target = layer_path(store_path, key)
    if target.exists():
        return target
    rows = qpv_rows(
        {name: _text(s[name]) for name in ("qpv", "code", "label", "wkt")}
        for s in _solutions(store, settings, "geo-qpv-contours")
    )
    return write_layer(store_path, key, qpv_layer(rows, settings.base_iri, key))
