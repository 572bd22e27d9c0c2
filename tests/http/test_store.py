"""Partner writes through the Graph Store Protocol (/store): formats, errors, history."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.partners import PartnerRegistry
from loaders.settings import PROJECT_DIR, Settings
from tests.http.conftest import STORE_KINDS, OwnStore
from tests.http.notes import assert_note_validated
from tests.http.test_limits import Listener

FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "contributions"
BASE = "https://w3id.org/qpvkg/"
GRAPH = f"{BASE}graph/partner/reseau-test/projets"
DCTERMS = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SH = "http://www.w3.org/ns/shacl#"
MEDIA = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
}


EXAMPLES = PROJECT_DIR / "docs" / "contribute" / "examples"
#: The order the guide gives: each example refers only to resources written before it.
EXAMPLE_ORDER = ("organisation", "personne", "dispositif", "partenariat", "innovation")


class Partners:
    def __init__(self, settings: Settings) -> None:
        registry = PartnerRegistry.from_settings(settings)
        base = settings.base_iri
        self.test = registry.add("reseau-test")
        self.other = registry.add("autre-reseau")
        self.domain = registry.add(
            "reseau-domaine", ["https://data.reseau-domaine.example/"], base_iri=base
        )
        self.example = registry.add(
            "reseau-exemple", ["https://data.reseau-exemple.fr/"], base_iri=base
        )
        self.registry = registry

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"authorization": f"Bearer {token or self.test}"}


@pytest.fixture(scope="module", params=STORE_KINDS)
def setup(
    request: pytest.FixtureRequest, own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Partners, Settings]]:
    """The app with a partners file and a small body limit, over its own copy of the store:
    embedded, then in an Oxigraph server."""
    folder = tmp_path_factory.mktemp("store-writes")
    options = {"workers": 2, "max_body_bytes": 200_000, "cache_mb": 8}
    partners_file = str(folder / "partners.json")
    with own_store.settings(
        request.param, folder, partners_file=partners_file, **options
    ) as settings:
        partners = Partners(settings)
        with TestClient(create_app(settings)) as client:
            yield client, partners, settings


@pytest.fixture
def client(setup: tuple[TestClient, Partners, Settings]) -> TestClient:
    return setup[0]


@pytest.fixture
def partners(setup: tuple[TestClient, Partners, Settings]) -> Partners:
    return setup[1]


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def put(
    client: TestClient, partners: Partners, name: str, graph: str = GRAPH, **headers: str
) -> object:
    suffix = name.rsplit(".", 1)[1]
    return client.put(
        "/store",
        params={"graph": graph},
        content=body(name),
        headers={"content-type": MEDIA[suffix], **partners.auth(), **headers},
    )


def labels_in(client: TestClient, graph: str) -> list[str]:
    query = f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return sorted(b["l"]["value"] for b in response.json()["results"]["bindings"])


def union_sees(client: TestClient, subject: str) -> bool:
    response = client.get("/sparql", params={"query": f"ASK {{ <{subject}> ?p ?o }}"})
    return bool(response.json()["boolean"])


def history(client: TestClient, graph: str = GRAPH) -> list[dict[str, object]]:
    response = client.get("/store/history", params={"graph": graph})
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.text
    versions: list[dict[str, object]] = response.json()["versions"]
    return versions


@pytest.mark.parametrize(
    ("name", "label", "subject"),
    [
        ("projet.ttl", "Exemple : cuisine partagée", "projet/1"),
        ("projet.nt", "Exemple : atelier vélo", "projet/2"),
        ("projet.rdf", "Exemple : jardin partagé", "projet/3"),
        ("projet.jsonld", "Exemple : ressourcerie", "projet/4"),
    ],
)
def test_every_format_is_accepted_and_queried(
    client: TestClient, partners: Partners, name: str, label: str, subject: str
) -> None:
    graph = f"{BASE}graph/partner/reseau-test/format-{name.replace('.', '-')}"
    response = put(client, partners, name, graph)
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    result = response.json()  # type: ignore[attr-defined]
    assert result["version"] == 1 and result["triples"] == 9 and result["partner"] == "reseau-test"
    assert set(result["timings"]) == {"parse", "shacl", "commit"}
    # readers see it as soon as the write is answered, in the union and in the graph
    assert labels_in(client, graph) == [label]
    assert union_sees(client, f"https://data.reseau-test.example/{subject}")
    read = client.get(
        "/store", params={"graph": graph}, headers={"accept": "application/n-triples"}
    )
    assert read.status_code == 200
    assert read.text.count("\n") == 9
    again = put(client, partners, name, graph)
    assert again.status_code == 200  # type: ignore[attr-defined]
    assert again.json()["version"] == 2  # type: ignore[attr-defined]
    gone = client.delete("/store", params={"graph": graph}, headers=partners.auth())
    assert gone.status_code == 200, gone.text
    assert not union_sees(client, f"https://data.reseau-test.example/{subject}")


def test_post_adds_and_delete_withdraws(client: TestClient, partners: Partners) -> None:
    graph = f"{BASE}graph/partner/reseau-test/ajouts"
    assert put(client, partners, "projet.ttl", graph).status_code == 201  # type: ignore[attr-defined]
    added = client.post(
        "/store",
        params={"graph": graph},
        content=body("projet.nt"),
        headers={"content-type": MEDIA["nt"], **partners.auth()},
    )
    assert added.status_code == 200, added.text
    assert added.json()["added"] == 9 and added.json()["triples"] == 18
    assert labels_in(client, graph) == ["Exemple : atelier vélo", "Exemple : cuisine partagée"]
    gone = client.delete("/store", params={"graph": graph}, headers=partners.auth())
    assert gone.status_code == 200, gone.text
    assert labels_in(client, graph) == []
    assert client.get("/store", params={"graph": graph}).status_code == 404
    again = client.delete("/store", params={"graph": graph}, headers=partners.auth())
    assert again.status_code == 404


def test_history_diff_and_rollback(client: TestClient, partners: Partners) -> None:
    graph = f"{BASE}graph/partner/reseau-test/historique"
    assert put(client, partners, "projet.ttl", graph).status_code == 201  # type: ignore[attr-defined]
    assert put(client, partners, "projet.nt", graph).status_code == 200  # type: ignore[attr-defined]
    versions = history(client, graph)
    assert [v["version"] for v in versions] == [2, 1]
    assert {v["partner"] for v in versions} == {"reseau-test"}
    assert all(len(str(v["checksum"])) == 64 and v["triples"] == 9 for v in versions)
    changes = client.get("/store/diff", params={"graph": graph, "from": 1, "to": 2}).json()
    assert any("atelier v" in line for line in changes["added"])
    assert any("cuisine partag" in line for line in changes["removed"])
    back = client.post(
        "/store/rollback", params={"graph": graph, "version": 1}, headers=partners.auth()
    )
    assert back.status_code == 200, back.text
    assert back.json()["version"] == 3 and back.json()["action"] == "rollback"
    assert labels_in(client, graph) == ["Exemple : cuisine partagée"]
    # the provenance is in the graph too (PROV-O, DCAT versions), queryable by source
    query = f"""PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?v ?who WHERE {{ <{graph}> dcat:hasCurrentVersion ?c . ?c dcat:version ?v ;
    prov:wasAttributedTo/<http://www.w3.org/2000/01/rdf-schema#label> ?who }}"""
    rows = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert [(r["v"]["value"], r["who"]["value"]) for r in rows] == [("3", "reseau-test")]
    only = client.get(
        "/sparql",
        params={"query": "SELECT DISTINCT ?s WHERE { ?s ?p ?o }", "default-graph-uri": graph},
    ).json()["results"]["bindings"]
    assert {r["s"]["value"] for r in only if r["s"]["type"] == "uri"} == {
        "https://data.reseau-test.example/projet/1"
    }
    missing = client.post(
        "/store/rollback", params={"graph": graph, "version": 99}, headers=partners.auth()
    )
    assert missing.status_code == 404


def test_writes_need_a_valid_token(client: TestClient, partners: Partners) -> None:
    before = history(client)
    anonymous = client.put(
        "/store",
        params={"graph": GRAPH},
        content=body("projet.ttl"),
        headers={"content-type": "text/turtle"},
    )
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    wrong = put(client, partners, "projet.ttl", authorization="Bearer qpvkg_not-a-token")
    assert wrong.status_code == 401  # type: ignore[attr-defined]
    assert client.delete("/store", params={"graph": GRAPH}).status_code == 401
    assert history(client) == before


def test_a_partner_cannot_touch_another_partners_graph(
    client: TestClient, partners: Partners
) -> None:
    theirs = f"{BASE}graph/partner/autre-reseau/projets"
    response = client.put(
        "/store",
        params={"graph": theirs},
        content=body("projet.ttl"),
        headers={"content-type": "text/turtle", **partners.auth(partners.other)},
    )
    assert response.status_code == 201
    for method in ("put", "post", "delete"):
        attempt = client.request(
            method.upper(),
            "/store",
            params={"graph": theirs},
            content=body("projet.nt"),
            headers={"content-type": MEDIA["nt"], **partners.auth()},
        )
        assert attempt.status_code == 403, (method, attempt.text)
        assert attempt.json()["error"]["code"] == "forbidden"
    rollback = client.post(
        "/store/rollback", params={"graph": theirs, "version": 1}, headers=partners.auth()
    )
    assert rollback.status_code == 403
    curated = put(client, partners, "projet.ttl", f"{BASE}graph/study/innovations")
    assert curated.status_code == 403  # type: ignore[attr-defined]
    assert len(history(client, theirs)) == 1
    assert labels_in(client, theirs) == ["Exemple : cuisine partagée"]


def test_ontology_terms_cannot_be_redefined(client: TestClient, partners: Partners) -> None:
    before = history(client)
    response = put(client, partners, "ontology-redefined.ttl")
    assert response.status_code == 403  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert "instance data" in error["message"]
    assert any("owl#Class" in t for t in error["details"]["triples"])
    assert history(client) == before


def test_invalid_data_gets_422_with_a_readable_report(
    client: TestClient, partners: Partners
) -> None:
    before = history(client)
    response = put(client, partners, "invalid.ttl")
    assert response.status_code == 422  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "validation_failed" and "nothing was written" in error["message"]
    details = error["details"]
    paths = {(r["focus"], r["path"]) for r in details["results"] if r["severity"] == "Violation"}
    project = "https://data.reseau-test.example/projet/9"
    assert (project, "http://www.w3.org/2000/01/rdf-schema#label") in paths
    assert (project, "https://w3id.org/qpvkg/def#territory") in paths  # unknown commune
    assert any(p == "https://w3id.org/qpvkg/def#role" for _, p in paths)  # no role
    assert "territoire" in details["text_fr"] and "territory" in details["text_en"]
    assert details["report"]["@type"] == "sh:ValidationReport"
    assert details["report"]["sh:conforms"] is False
    jsonld = put(client, partners, "invalid.ttl", accept="application/ld+json")
    assert jsonld.headers["content-type"].startswith("application/ld+json")  # type: ignore[attr-defined]
    assert len(jsonld.json()["sh:result"]) == len(details["results"])  # type: ignore[attr-defined]
    text = put(client, partners, "invalid.ttl", accept="text/plain")
    assert f"<{project}>" in text.text and "violation" in text.text  # type: ignore[attr-defined]
    # the report's form is negotiated with q-values, not found as a substring of Accept
    preferred = put(client, partners, "invalid.ttl", accept="application/json, text/plain;q=0.5")
    assert preferred.json()["error"]["code"] == "validation_failed"  # type: ignore[attr-defined]
    refused = put(client, partners, "invalid.ttl", accept="application/ld+json;q=0, text/plain")
    assert refused.headers["content-type"].startswith("text/plain")  # type: ignore[attr-defined]
    assert history(client) == before
    assert not union_sees(client, project)


def test_malformed_oversize_and_unknown_types_are_refused(
    client: TestClient, partners: Partners
) -> None:
    before = history(client)
    broken = client.put(
        "/store",
        params={"graph": GRAPH},
        content=b"<a> <b> .\n<c> <d> <e> <f> .",
        headers={"content-type": "text/turtle", **partners.auth()},
    )
    assert broken.status_code == 400
    assert "line" in broken.json()["error"]["message"]
    bad_json = client.put(
        "/store",
        params={"graph": GRAPH},
        content=b'{"@id": "x",\n "y": }',
        headers={"content-type": "application/ld+json", **partners.auth()},
    )
    assert bad_json.status_code == 400
    assert "line 2 column" in bad_json.json()["error"]["message"]
    unknown = client.put(
        "/store",
        params={"graph": GRAPH},
        content=body("projet.ttl"),
        headers={"content-type": "text/csv", **partners.auth()},
    )
    assert unknown.status_code == 415
    big = client.put(
        "/store",
        params={"graph": GRAPH},
        content=b"#" * 200_001,
        headers={"content-type": "text/turtle", **partners.auth()},
    )
    assert big.status_code == 413
    assert history(client) == before


def test_remote_contexts_are_never_fetched(client: TestClient, partners: Partners) -> None:
    listener = Listener()
    try:
        for context in (listener.url, [listener.url], {"@import": listener.url}):
            document = json.loads(body("projet.jsonld"))
            document["@context"] = context
            response = client.put(
                "/store",
                params={"graph": GRAPH},
                content=json.dumps(document).encode(),
                headers={"content-type": "application/ld+json", **partners.auth()},
            )
            assert response.status_code == 400, response.text
            assert "not" in response.json()["error"]["message"]
    finally:
        listener.close()
    assert listener.connections == 0


def test_entity_expansion_is_refused(client: TestClient, partners: Partners) -> None:
    response = put(client, partners, "bomb.rdf")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "entit" in response.json()["error"]["message"]  # type: ignore[attr-defined]


def test_concurrent_writes_to_one_graph_are_never_interleaved(
    client: TestClient, partners: Partners
) -> None:
    graph = f"{BASE}graph/partner/reseau-test/concurrence"
    names = ["projet.ttl", "projet.nt"] * 3
    barrier = threading.Barrier(len(names))

    def send(name: str) -> int:
        barrier.wait()
        return int(put(client, partners, name, graph).status_code)  # type: ignore[attr-defined]

    with ThreadPoolExecutor(len(names)) as pool:
        statuses = list(pool.map(send, names))
    assert set(statuses) <= {200, 201, 409}, statuses
    accepted = sum(1 for s in statuses if s in (200, 201))
    assert accepted >= 1
    assert len(history(client, graph)) == accepted
    # the graph is one document or the other, never a mix
    assert labels_in(client, graph) in (["Exemple : cuisine partagée"], ["Exemple : atelier vélo"])


def test_a_misspelt_term_is_refused_not_dropped(client: TestClient, partners: Partners) -> None:
    document = json.loads(body("projet.jsonld"))
    document["libele"] = "Exemple : faute de frappe"  # "libelle" misspelt
    response = client.put(
        "/store",
        params={"graph": GRAPH},
        content=json.dumps(document).encode(),
        headers={"content-type": "application/ld+json", **partners.auth()},
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["terms"] == ["libele"]


def test_reads_with_bad_parameters_get_clear_errors(client: TestClient) -> None:
    assert client.get("/store").status_code == 400
    assert client.get("/store", params={"graph": "not an iri"}).status_code == 400
    assert client.get("/store/history").status_code == 400
    unknown = f"{BASE}graph/partner/reseau-test/jamais-ecrit"
    assert client.get("/store/history", params={"graph": unknown}).status_code == 404
    diff = client.get("/store/diff", params={"graph": unknown, "from": 1, "to": 2})
    assert diff.status_code == 404
    assert client.get("/store/diff", params={"graph": GRAPH, "from": "x"}).status_code == 400
    rollback = client.post("/store/rollback", params={"graph": GRAPH})
    assert rollback.status_code == 400
    assert (
        client.get("/store", params={"graph": GRAPH}, headers={"accept": "text/csv"}).status_code
        == 406
    )


def test_reads_after_quick_writes_never_see_the_previous_version(
    client: TestClient, partners: Partners
) -> None:
    """Each write re-forks the query workers, and readers keep them busy meanwhile; a write
    that lands while forks are in flight must not leave a worker with the version before it."""
    graph = f"{BASE}graph/partner/reseau-test/rafale"
    stop = threading.Event()

    def read(reader: int) -> None:
        n = 0
        while not stop.is_set():  # a new query each time, so no answer comes from the cache
            n += 1
            client.get("/sparql", params={"query": f'ASK {{ ?s ?p "{reader}-{n}" }}'})

    with ThreadPoolExecutor(3) as pool:
        readers = [pool.submit(read, reader) for reader in range(3)]
        try:
            for _ in range(4):
                written = put(client, partners, "projet.ttl", graph)
                assert written.status_code in (200, 201)  # type: ignore[attr-defined]
                assert labels_in(client, graph) == ["Exemple : cuisine partagée"]
                gone = client.delete("/store", params={"graph": graph}, headers=partners.auth())
                assert gone.status_code == 200, gone.text
                assert labels_in(client, graph) == []
        finally:
            stop.set()
            for reader in readers:
                reader.result()


def test_a_note_on_a_curated_innovation_is_validated_with_the_union(
    client: TestClient, partners: Partners
) -> None:
    """The curated innovation's involvements and the types of what they point to are part
    of what the shapes see: a note on it conforms."""
    assert_note_validated(client, partners.auth(), f"{BASE}graph/partner/reseau-test/notes")


def violations_of(results: list[dict[str, str]]) -> set[tuple[str, str, str]]:
    """(focus, path, constraint) of each violation, blank-node focus nodes as "_:"."""
    return {
        (
            r["focus"] if r["focus"].startswith("http") else "_:",
            r["path"] or "",
            r["constraint"] or "",
        )
        for r in results
        if r["severity"] == "Violation"
    }


def test_bare_typed_nodes_are_validated_like_any_other(
    client: TestClient, partners: Partners, cli: Any
) -> None:
    """`<x> a qpvkg:Innovation` alone, an organisation with a type and a label, blank-node
    organisations: each is checked against its class's shapes, 422, nothing written; and
    `qpvkg validate` says the same of the same file."""
    graph = f"{BASE}graph/partner/reseau-test/nus"
    before = history(client, graph)
    response = put(client, partners, "bare.ttl", graph)
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    results = response.json()["error"]["details"]["results"]  # type: ignore[attr-defined]
    found = violations_of(results)
    innovation = "https://data.reseau-test.example/projet/nu"
    organisation = "https://data.reseau-test.example/organisation/nue"
    paths = {(f, p) for f, p, _ in found}
    for path in ("http://www.w3.org/2000/01/rdf-schema#label", f"{DCTERMS}source"):
        assert (innovation, path) in paths
    assert (innovation, f"{BASE}def#involvement") in paths
    assert (organisation, f"{DCTERMS}source") in paths
    assert (organisation, "http://www.w3.org/2000/01/rdf-schema#label") not in paths
    blank = [r for r in results if not r["focus"].startswith("http") and not r["path"]]
    assert len(blank) == 2 and all("IRI" in r["message_fr"] for r in blank), blank
    assert all(r["constraint"] == f"{SH}NodeKindConstraintComponent" for r in blank)
    assert history(client, graph) == before
    assert not union_sees(client, innovation)
    validated = cli("validate", "--format", "json", str(FIXTURES / "bare.ttl"))
    assert validated.exit_code == 1, validated.output
    assert violations_of(json.loads(validated.stdout)["results"]) == found


def refused_resources(response: Any) -> dict[str, tuple[str, list[str]]]:
    """A 403's refused resources: subject -> (owner, properties)."""
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    return {r["subject"]: (r["owner"], r["properties"]) for r in error["details"]["resources"]}


def cli_refused(cli: Any, settings: Settings, partner: str, name: str) -> set[str]:
    """The resources `qpvkg validate --partner` refuses in a fixture (exit 2)."""
    env = {"QPVKG_PARTNERS_FILE": str(settings.partners_file)}
    result = cli("validate", "--partner", partner, str(FIXTURES / name), env=env)
    assert result.exit_code == 2, result.output
    text = " ".join(result.stderr.split())
    assert "may describe only the resources it mints" in text
    return {word for word in text.split() if word.startswith("https://") and "(" not in word}


def test_a_partner_may_not_describe_a_curated_resource(
    client: TestClient, partners: Partners, setup: tuple[TestClient, Partners, Settings], cli: Any
) -> None:
    """A description and a geometry on a curated innovation, a label on an official commune:
    403 naming each resource and property, nothing written; `qpvkg validate --partner`
    refuses the same resources."""
    graph = f"{BASE}graph/partner/reseau-test/descriptions"
    response = put(client, partners, "curated-described.ttl", graph)
    refused = refused_resources(response)
    assert refused == {
        f"{BASE}id/innovation/adive": (
            "the project",
            [f"{DCTERMS}description", "http://www.opengis.net/ont/geosparql#hasGeometry"],
        ),
        f"{BASE}id/commune/93066": ("the project", ["http://www.w3.org/2000/01/rdf-schema#label"]),
    }
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert f"{BASE}id/partner/reseau-test/" in error["details"]["allowed"]
    assert history(client, graph) == []
    ask = 'ASK { ?s ?p "Exemple : Saint-Denis bis"@fr }'
    assert not client.get("/sparql", params={"query": ask}).json()["boolean"]
    assert set(refused) <= cli_refused(cli, setup[2], "reseau-test", "curated-described.ttl")


def test_a_partner_may_not_mint_in_another_partners_space(
    client: TestClient, partners: Partners
) -> None:
    graph = f"{BASE}graph/partner/reseau-test/ailleurs"
    refused = refused_resources(put(client, partners, "other-space.ttl", graph))
    iri = f"{BASE}id/partner/autre-reseau/innovation/atelier"
    assert set(refused) == {iri} and refused[iri][0] == "partner autre-reseau"
    assert f"{RDF}type" in refused[iri][1]
    assert history(client, graph) == []
    assert not union_sees(client, iri)


def test_a_registered_namespace_is_its_partners_alone(
    client: TestClient, partners: Partners, setup: tuple[TestClient, Partners, Settings], cli: Any
) -> None:
    """Another partner cannot take an IRI first in a partner's registered namespace, so that
    partner's own PUT is never blocked by what someone else said of its resources."""
    theirs = f"{BASE}graph/partner/reseau-test/squat"
    refused = refused_resources(put(client, partners, "domaine.ttl", theirs))
    assert set(refused) == {"https://data.reseau-domaine.example/projet/1"}
    assert refused["https://data.reseau-domaine.example/projet/1"][0] == "partner reseau-domaine"
    assert set(refused) <= cli_refused(cli, setup[2], "reseau-test", "domaine.ttl")
    own = client.put(
        "/store",
        params={"graph": f"{BASE}graph/partner/reseau-domaine/projets"},
        content=body("domaine.ttl"),
        headers={"content-type": "text/turtle", **partners.auth(partners.domain)},
    )
    assert own.status_code == 201, own.text


def test_a_partner_mints_in_its_own_space_and_links_to_curated_resources(
    client: TestClient, partners: Partners
) -> None:
    """Its innovation in a curated commune, carried by a curated organisation: accepted;
    so is a note (rdfs:comment) on a curated innovation (tests/fixtures/contributions/note.nt)."""
    graph = f"{BASE}graph/partner/reseau-test/espace"
    response = put(client, partners, "own-space.ttl", graph)
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    assert labels_in(client, graph) == ["Exemple : atelier du réseau de test"]


def test_the_guide_examples_are_accepted_in_the_guide_order(
    client: TestClient, partners: Partners
) -> None:
    for name in EXAMPLE_ORDER:
        response = client.put(
            "/store",
            params={"graph": f"{BASE}graph/partner/reseau-exemple/{name}"},
            content=(EXAMPLES / f"{name}.jsonld").read_bytes(),
            headers={"content-type": MEDIA["jsonld"], **partners.auth(partners.example)},
        )
        assert response.status_code == 201, (name, response.text)
        assert response.json()["warnings"] == [], name


def test_the_store_s_routes_answer_503_while_it_is_not_open(app_settings: Settings) -> None:
    """An app whose engine has not opened its store (its lifespan not run): the graph, its
    history and its diff are unavailable for now (503), not missing (404)."""
    client = TestClient(create_app(app_settings))
    for params in ({"graph": GRAPH}, {"default": ""}):
        response = client.get("/store", params=params)
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "unavailable"
    for path in ("/store/history", "/store/diff"):
        response = client.get(path, params={"graph": GRAPH})
        assert response.status_code == 503, (path, response.text)
        assert response.json()["error"]["message"] == "the store is not open"
