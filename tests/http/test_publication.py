"""What portals harvest: the DCAT-AP catalogue, VoID, the dumps; kept current after writes."""

from __future__ import annotations

import gzip
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.partners import PartnerRegistry
from loaders.settings import PROJECT_DIR, Settings
from tests.http.conftest import KINDS_EXTERNAL_IN_CI, OwnStore

DCAT_AP = PROJECT_DIR / "tests" / "fixtures" / "dcat-ap-3.0.1"
FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "contributions"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"


def iri(value: str) -> URIRef:
    return URIRef(value)


def shacl(data: Graph, shapes: str) -> tuple[bool, list[tuple[str, str]]]:
    conforms, report, _ = validate(
        data, shacl_graph=Graph().parse(DCAT_AP / shapes), inference="none", allow_warnings=True
    )
    results = [
        (str(report.value(r, SH.resultPath)), str(report.value(r, SH.resultSeverity)))
        for r in report.objects(None, SH.result)
    ]
    return bool(conforms), results


def catalog_graph(client: TestClient) -> Graph:
    response = client.get("/catalog", headers={"accept": "text/turtle"})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


def count(client: TestClient, query: str) -> int:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_the_catalogue_conforms_to_dcat_ap(client: TestClient) -> None:
    data = catalog_graph(client)
    conforms, results = shacl(data, "shapes.ttl")
    assert conforms, results
    conforms, results = shacl(data, "range.ttl")
    assert conforms, results
    # the recommended properties the catalogue cannot state from its sources (reported in
    # docs/open-data.md): a country's bounding box and centroid, a publisher type
    _, recommended = shacl(data, "shapes_recommended.ttl")
    assert {path.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for path, _ in recommended} <= {
        "bbox",
        "centroid",
        "type",
        "license",
    }


def test_the_catalogue_describes_datasets_dumps_and_the_endpoint(client: TestClient) -> None:
    data = catalog_graph(client)
    rows = list(
        data.query(
            """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
            SELECT ?d WHERE { ?c a dcat:Catalog ; dcat:dataset ?d . ?d dct:title ?t
            FILTER(lang(?t) = "fr") }"""
        )
    )
    ids = {str(r[0]).rsplit("/", 1)[-1] for r in rows}  # type: ignore[index]
    assert {"qpvkg", "study", "territories", "vocabulary"} <= ids
    licence = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
    endpoint = list(data.objects(None, iri(f"{DCAT}endpointURL")))
    assert [str(e) for e in endpoint] == ["https://w3id.org/qpvkg/sparql"]
    assert len(list(data.subjects(iri("http://purl.org/dc/terms/license"), iri(licence)))) > 5
    for suffix, media in (
        ("ttl", "text/turtle"),
        ("rdf", "application/rdf+xml"),
        ("jsonld", "application/ld+json"),
    ):
        response = client.get(f"/catalog.{suffix}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        by_accept = client.get("/catalog", headers={"accept": media}, follow_redirects=False)
        assert by_accept.status_code == 200  # served at its final URL, no redirect
    again = client.get(
        "/catalog",
        headers={"if-none-match": by_accept.headers["etag"], "accept": "application/ld+json"},
    )
    assert again.status_code == 304


def test_void_counts_equal_sparql_counts(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"accept": "application/n-triples"})
    assert response.status_code == 200
    void = Graph().parse(data=response.text, format="nt")
    dataset = iri("https://w3id.org/qpvkg/.well-known/void#qpvkg")
    triples = int(str(void.value(dataset, iri(f"{VOID}triples"))))
    assert triples == count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    innovation = "https://w3id.org/qpvkg/def#Innovation"
    partition = next(void.subjects(iri(f"{VOID}class"), iri(innovation)))
    entities = int(str(void.value(partition, iri(f"{VOID}entities"))))
    assert entities == count(
        client, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{innovation}> }}"
    )
    subsets = list(void.objects(dataset, iri(f"{VOID}subset")))
    graphs = count(client, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len([s for s in subsets if str(s).endswith("#void")]) == graphs
    study = iri("https://w3id.org/qpvkg/graph/study/innovations#void")
    assert int(str(void.value(study, iri(f"{VOID}triples")))) == count(
        client,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/qpvkg/graph/study/innovations> "
        "{ ?s ?p ?o } }",
    )
    assert (None, iri(f"{VOID}sparqlEndpoint"), None) in void
    assert len(list(void.objects(dataset, iri(f"{VOID}dataDump")))) == 4
    assert any(void.subjects(iri(f"{VOID}linkPredicate"), None))  # links out to INSEE


@pytest.mark.parametrize(
    "name",
    [
        "territories-2026",
        "qpv-2024",
        "communes-centres",
        "contours-departements",
        "contours-regions",
    ],
)
def test_void_subset_and_distribution_of_each_reference_snapshot(
    client: TestClient, name: str
) -> None:
    graph = f"https://w3id.org/qpvkg/graph/reference/{name}"
    lines = gzip.decompress((PROJECT_DIR / "data" / "reference" / f"{name}.nt.gz").read_bytes())
    response = client.get("/.well-known/void", headers={"accept": "application/n-triples"})
    void = Graph().parse(data=response.text, format="nt")
    subset = iri(f"{graph}#void")
    assert (
        iri("https://w3id.org/qpvkg/.well-known/void#qpvkg"),
        iri(f"{VOID}subset"),
        subset,
    ) in void
    assert int(str(void.value(subset, iri(f"{VOID}triples")))) == lines.count(b"\n")
    catalog = catalog_graph(client)
    territories = iri("https://w3id.org/qpvkg/id/dataset/territories")
    assert (territories, iri(f"{DCAT}distribution"), iri(f"{graph}#distribution")) in catalog


def test_dumps_parse_back_to_the_store_and_match_the_catalogue(client: TestClient) -> None:
    listing = client.get("/dumps/").json()
    data = catalog_graph(client)
    quads_in_store = count(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    formats = {
        "qpvkg.nq.gz": ox.RdfFormat.N_QUADS,
        "qpvkg.nt.gz": ox.RdfFormat.N_TRIPLES,
        "qpvkg.ttl.gz": ox.RdfFormat.TURTLE,
        "qpvkg.jsonld.gz": ox.RdfFormat.JSON_LD,
    }
    sums = client.get("/dumps/SHA256SUMS").text
    union = None
    for entry in listing["dumps"]:
        response = client.get(f"/dumps/{entry['file']}")
        assert response.status_code == 200
        body = response.content
        digest = hashlib.sha256(body).hexdigest()
        assert digest == entry["sha256"] and len(body) == entry["bytes"]
        assert f"{digest}  {entry['file']}" in sums
        url = iri(f"https://w3id.org/qpvkg/dumps/{entry['file']}")
        checksum = data.value(url, iri(f"{SPDX}checksum"))
        assert str(data.value(checksum, iri(f"{SPDX}checksumValue"))) == digest
        assert int(str(data.value(url, iri(f"{DCAT}byteSize")))) == len(body)
        if entry["file"] == "qpvkg.nq.gz":
            parsed = sum(1 for _ in ox.parse(gzip.decompress(body), formats[entry["file"]]))
            assert parsed == quads_in_store
        else:  # an in-memory store counts the distinct triples (its load parses them all)
            loaded = ox.Store()
            loaded.load(gzip.decompress(body), formats[entry["file"]])
            distinct = len(loaded)
            union = union or distinct
            assert distinct == union == entry["statements"]


def test_dumps_support_range_requests(client: TestClient) -> None:
    whole = client.get("/dumps/qpvkg.ttl.gz").content
    part = client.get("/dumps/qpvkg.ttl.gz", headers={"range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == whole[100:200]
    assert client.get("/dumps/nothing.gz").status_code == 404


@pytest.mark.parametrize(
    "header",
    ["bytes=999999999-", "bytes=100-50", "bytes=abc", "lines=1-2", "bytes", "bytes=-"],
)
def test_a_range_the_dump_cannot_give_is_416_in_the_json_shape(
    client: TestClient, header: str
) -> None:
    size = len(client.get("/dumps/qpvkg.ttl.gz").content)
    response = client.get("/dumps/qpvkg.ttl.gz", headers={"range": header})
    assert response.status_code == 416, response.text
    assert response.headers["content-range"] == f"bytes */{size}"
    error = response.json()["error"]
    assert error["status"] == 416 and error["code"] == "range_not_satisfiable"
    assert error["details"]["size"] == size


def test_export_writes_the_same_files(
    cli: object, tmp_path: Path, client: TestClient, app_settings: Settings
) -> None:
    result = cli(
        "export",
        "--dumps",
        str(tmp_path / "out"),  # type: ignore[operator]
        env={"QPVKG_STORE": str(app_settings.store_path)},
    )
    assert result.exit_code == 0, result.output
    listing = client.get("/dumps/").json()
    for entry in listing["dumps"]:
        written = (tmp_path / "out" / entry["file"]).read_bytes()
        assert hashlib.sha256(written).hexdigest() == entry["sha256"]


@pytest.fixture(scope="module", params=KINDS_EXTERNAL_IN_CI)
def writable(
    request: pytest.FixtureRequest, own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, str]]:
    """The app over its own copy of the store, with a partner: embedded, then in an Oxigraph
    server."""
    folder = tmp_path_factory.mktemp("publish-after-write")
    partners_file = str(folder / "partners.json")
    with own_store.settings(
        request.param, folder, workers=2, partners_file=partners_file
    ) as settings:
        token = PartnerRegistry.from_settings(settings).add("reseau-test")
        with TestClient(create_app(settings)) as client:
            yield client, token


def test_a_contribution_is_published_in_the_background(
    writable: tuple[TestClient, str],
) -> None:
    client, token = writable
    before = client.get("/dumps/").json()["generation"]
    graph = "https://w3id.org/qpvkg/graph/partner/reseau-test/projets"
    response = client.put(
        "/store",
        params={"graph": graph},
        content=(FIXTURES / "projet.ttl").read_bytes(),
        headers={"content-type": "text/turtle", "authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    deadline = time.time() + 120
    while client.get("/dumps/").json()["generation"] == before:
        assert time.time() < deadline, "the publication was not refreshed"
        time.sleep(0.5)
    data = catalog_graph(client)
    partner = iri("https://w3id.org/qpvkg/id/dataset/partner-reseau-test")
    assert (partner, None, None) in data
    dump = client.get("/dumps/qpvkg.nq.gz").content
    assert b"https://data.reseau-test.example/projet/1" in gzip.decompress(dump)


def test_people_get_pages_in_their_language(client: TestClient) -> None:
    french = client.get("/dumps/", headers={"accept": "text/html", "accept-language": "fr"})
    english = client.get("/dumps/", headers={"accept": "text/html", "accept-language": "en"})
    assert "Exports et catalogue" in french.text and "qpvkg.nq.gz" in french.text
    assert "Dumps and catalogue" in english.text
    shown = client.get("/catalog", headers={"accept": "text/html,*/*;q=0.8"})
    assert shown.status_code == 200
    assert shown.headers["content-type"].startswith("text/html")  # the datasets, as a page
    assert 'href="/catalog.ttl"' in shown.text
    void = client.get("/.well-known/void", headers={"accept": "text/html,*/*;q=0.8"})
    assert void.headers["content-type"].startswith("text/plain")
    assert "void:Dataset" in void.text


def test_unknown_formats_and_files_are_refused(
    cli: object, client: TestClient, tmp_path: Path
) -> None:
    assert client.get("/catalog.xyz").status_code == 404
    assert client.get("/catalog", headers={"accept": "text/csv"}).status_code == 406
    assert client.get("/.well-known/void.csv").status_code == 404
    assert client.get("/dumps/../../etc/passwd").status_code == 404
    missing = cli(
        "export",
        "--dumps",
        str(tmp_path / "out"),  # type: ignore[operator]
        env={"QPVKG_STORE": str(tmp_path / "no-store")},
    )
    assert missing.exit_code == 2 and "no store" in missing.output
    assert not (tmp_path / "out" / "qpvkg.nq.gz").exists()
