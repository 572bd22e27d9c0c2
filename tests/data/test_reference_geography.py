"""The shipped geography snapshots: QPV 2024 with contours, commune centres, contours of the
départements and régions, their sources and their graphs in the built store."""

from __future__ import annotations

import gzip
import re
from functools import cache

import pyoxigraph as ox
import pytest
import shapely

from loaders.build import BuildReport
from loaders.settings import PROJECT_DIR, Settings
from loaders.sources import file_checksum
from loaders.store import open_read

REFERENCE = PROJECT_DIR / "data" / "reference"
SOURCES = PROJECT_DIR / "data" / "sources" / "reference"
BASE = "https://w3id.org/qpvkg/"
Q = f"{BASE}def#"
GEO = "http://www.opengis.net/ont/geosparql#"
SF = "http://www.opengis.net/ont/sf#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SPDX = "http://spdx.org/rdf/terms#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
WKT = ox.NamedNode(f"{GEO}wktLiteral")

#: Each snapshot and the raw files it is imported from.
SNAPSHOTS = {
    "qpv-2024": ("qpv-2024.json.gz",),
    "communes-centres": ("communes-centres.csv",),
    "contours-departements": ("departements.geojson",),
    "contours-regions": ("regions.geojson",),
}


@cache
def snapshot(name: str) -> ox.Store:
    store = ox.Store()
    store.load(gzip.decompress((REFERENCE / f"{name}.nt.gz").read_bytes()), ox.RdfFormat.N_TRIPLES)
    return store


def subjects(store: ox.Store, predicate: str, obj: ox.NamedNode | None = None) -> set[str]:
    return {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(predicate), obj)}


def objects(store: ox.Store, subject: str, predicate: str) -> list[ox.Term]:
    pattern = store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)
    return [q.object for q in pattern]


def values(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {o.value for o in objects(store, subject, predicate)}


def geometry_of(store: ox.Store, feature: str, link: str, kind: str) -> str:
    """The WKT of the feature's one geometry by ``link``, checked for type and datatype."""
    (node,) = objects(store, feature, f"{GEO}{link}")
    assert {f"{GEO}Geometry", f"{SF}{kind}"} <= values(store, node.value, RDF_TYPE.value)
    (text,) = objects(store, node.value, f"{GEO}asWKT")
    assert isinstance(text, ox.Literal) and text.datatype == WKT
    return text.value


# ----------------------------------------------------------------------------- QPV 2024


def test_the_1584_qpv_of_2024_each_with_one_contour_and_one_point() -> None:
    store = snapshot("qpv-2024")
    qpvs = subjects(store, RDF_TYPE.value, ox.NamedNode(f"{Q}QuartierPrioritaire"))
    assert len(qpvs) == 1584
    for qpv in qpvs:
        code = qpv.rsplit("/", 1)[-1]
        assert re.fullmatch(r"QN[0-9]{2}[0-9AB][0-9]{2}[A-Z]", code), code
        assert values(store, qpv, f"{Q}qpvCode") == {code}
        contour = geometry_of(store, qpv, "hasGeometry", "MultiPolygon")
        point = geometry_of(store, qpv, "hasCentroid", "Point")
        assert contour.startswith("MULTIPOLYGON(((") and point.startswith("POINT(")
        methods = {
            o.language: o.value
            for o in objects(store, f"{qpv}/centre", f"{Q}pointMethod")
            if isinstance(o, ox.Literal)
        }
        assert "calculé" in methods["fr"] and "computed" in methods["en"]


def test_each_qpv_point_lies_in_its_contour_where_geos_finds_the_contour_valid() -> None:
    store = snapshot("qpv-2024")
    qpvs = subjects(store, f"{GEO}hasGeometry")
    checked = 0
    for qpv in qpvs:
        contour = shapely.from_wkt(geometry_of(store, qpv, "hasGeometry", "MultiPolygon"))
        if not contour.is_valid:
            continue  # kept as given (data/reference/SOURCE.md counts them)
        point = shapely.from_wkt(geometry_of(store, qpv, "hasCentroid", "Point"))
        assert contour.buffer(1e-6).contains(point), qpv  # 6 decimals of rounding
        checked += 1
    assert checked == 1584 - 586


def test_les_beaudottes_in_sevran_and_aulnay() -> None:
    store = snapshot("qpv-2024")
    qpv = f"{BASE}id/qpv/QN09355M"
    assert values(store, qpv, "http://www.w3.org/2000/01/rdf-schema#label") == {
        "Les Beaudottes Savigny"
    }
    assert values(store, qpv, f"{Q}commune") == {
        f"{BASE}id/commune/93005",  # Aulnay-sous-Bois
        f"{BASE}id/commune/93071",  # Sevran
    }
    assert f"{BASE}id/departement/93" in values(store, qpv, f"{Q}within")
    lon, lat = map(float, geometry_of(store, qpv, "hasCentroid", "Point")[6:-1].split())
    assert 2.4 < lon < 2.6 and 48.9 < lat < 49.0


def test_legal_basis_by_departement() -> None:
    store = snapshot("qpv-2024")
    by_decree: dict[str, int] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(f"{Q}legalBasis"), None):
        assert isinstance(q.object, ox.Literal) and q.object.language == "fr"
        code = q.subject.value.rsplit("/", 1)[-1]
        overseas = code[2:5].startswith(("97", "98"))
        expected = "décret n° 2023-1312" if overseas else "décret n° 2023-1314 du 28 décembre 2023"
        assert q.object.value == expected, code
        by_decree[q.object.value] = by_decree.get(q.object.value, 0) + 1
    assert by_decree == {
        "décret n° 2023-1314 du 28 décembre 2023": 1362,
        "décret n° 2023-1312": 222,
    }


def test_no_arrondissement_is_guessed() -> None:
    """The shipped list names Paris, Lyon and Marseille only as whole communes."""
    assert not subjects(snapshot("qpv-2024"), f"{Q}arrondissement")


# ----------------------------------------------------------------------------- centres, contours


def test_every_current_commune_and_arrondissement_has_its_centre() -> None:
    store = snapshot("communes-centres")
    centred = subjects(store, f"{GEO}hasCentroid")
    communes = {s for s in centred if "/id/commune/" in s}
    arrondissements = {s for s in centred if "/id/arrondissement-municipal/" in s}
    assert len(communes) == 34969
    assert len(arrondissements) == 45
    assert centred == communes | arrondissements
    assert geometry_of(store, f"{BASE}id/commune/93071", "hasCentroid", "Point") == (
        "POINT(2.5311 48.9378)"
    )
    assert not subjects(store, f"{Q}pointMethod")  # given by the source, not computed


@pytest.mark.parametrize(
    ("name", "segment", "count"), [("departements", "departement", 101), ("regions", "region", 18)]
)
def test_contours_of_departements_and_regions(name: str, segment: str, count: int) -> None:
    store = snapshot(f"contours-{name}")
    features = subjects(store, f"{GEO}hasGeometry")
    assert len(features) == count
    for feature in features:
        assert feature.startswith(f"{BASE}id/{segment}/")
        assert shapely.from_wkt(geometry_of(store, feature, "hasGeometry", "MultiPolygon")).is_valid


# ----------------------------------------------------------------------------- datasets, sources


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_each_snapshot_describes_its_dataset_and_source_file(name: str) -> None:
    store = snapshot(name)
    dataset = f"{BASE}id/dataset/{name}"
    assert f"{DCAT}Dataset" in values(store, dataset, RDF_TYPE.value)
    assert values(store, dataset, f"{DCT}license") == {
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
    }
    assert values(store, dataset, f"{DCT}source")  # where the file was published
    (triples,) = values(store, dataset, f"{VOID}triples")
    lines = gzip.decompress((REFERENCE / f"{name}.nt.gz").read_bytes()).count(b"\n")
    assert int(triples) == lines
    (raw,) = SNAPSHOTS[name]
    source = SOURCES / name / raw
    assert values(store, f"{dataset}#file", f"{DCT}title") == {raw}
    assert values(store, f"{dataset}#checksum", f"{SPDX}checksumValue") == {file_checksum(source)}
    # The raw file's SOURCE.md gives the same checksum.
    assert f"{file_checksum(source)}  {raw}" in (source.parent / "SOURCE.md").read_text("utf-8")
    # Every geometry and feature of the snapshot states the dataset as its source.
    geometries = subjects(store, RDF_TYPE.value, ox.NamedNode(f"{GEO}Geometry"))
    assert geometries and geometries <= subjects(store, f"{DCT}source", ox.NamedNode(dataset))


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_each_snapshot_is_documented(name: str) -> None:
    text = (REFERENCE / "SOURCE.md").read_text("utf-8")
    assert f"`{name}.nt.gz`" in text
    assert f"data/sources/reference/{name}/" in text


def test_build_loads_each_snapshot_into_its_graph(settings: Settings, built: BuildReport) -> None:
    with open_read(settings) as store:
        for name in SNAPSHOTS:
            graph = ox.NamedNode(settings.graph_iri(f"reference/{name}"))
            lines = gzip.decompress((REFERENCE / f"{name}.nt.gz").read_bytes()).count(b"\n")
            assert sum(1 for _ in store.quads_for_pattern(None, None, None, graph)) == lines, name


def test_reference_sources_are_not_rdf(settings: Settings) -> None:
    """The raw files under data/sources/ are inputs of the imports, not graphs of the build."""
    from loaders.sources import discover

    assert not [s for s in discover(settings) if "sources/" in s.key]
