"""What a partner may send: entities, literal sizes, JSON depth and tokens, contexts, language
tags, empty bodies; and checksums and diffs that do not depend on blank-node labels."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.limits import MAX_JSON_DEPTH, MAX_JSON_TOKEN_BYTES
from tests.http.conftest import KINDS_EXTERNAL_IN_CI, OwnStore
from tests.http.test_store import BASE, FIXTURES, MEDIA, Partners, history

GRAPH = f"{BASE}graph/partner/reseau-test/limites"
LITERAL_LIMIT = 10_000
CONTEXT = "https://w3id.org/qpvkg/context/v1.jsonld"
XML_HEAD = '<?xml version="1.0"?>\n'
RDF_OPEN = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
    '<rdf:Description rdf:about="https://data.reseau-test.example/projet/x">'
)
RDF_CLOSE = "</rdf:Description></rdf:RDF>"


@pytest.fixture(scope="module", params=KINDS_EXTERNAL_IN_CI)
def setup(
    request: pytest.FixtureRequest, own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Partners]]:
    """The app with a small literal limit and a body limit above the JSON token limit."""
    folder = tmp_path_factory.mktemp("contribution-limits")
    options = {
        "workers": 2,
        "cache_mb": 8,
        "max_body_bytes": MAX_JSON_TOKEN_BYTES + 1024 * 1024,
        "max_literal_bytes": LITERAL_LIMIT,
        "partners_file": str(folder / "partners.json"),
    }
    with own_store.settings(request.param, folder, **options) as settings:
        partners = Partners(settings)
        with TestClient(create_app(settings)) as client:
            yield client, partners


@pytest.fixture
def client(setup: tuple[TestClient, Partners]) -> TestClient:
    return setup[0]


@pytest.fixture
def partners(setup: tuple[TestClient, Partners]) -> Partners:
    return setup[1]


def send(
    client: TestClient,
    partners: Partners,
    content: bytes,
    media: str,
    *,
    method: str = "PUT",
    graph: str = GRAPH,
) -> object:
    return client.request(
        method,
        "/store",
        params={"graph": graph},
        content=content,
        headers={"content-type": media, **partners.auth()},
    )


def store_size(client: TestClient) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def assert_refused(
    client: TestClient, response: object, status: int, code: str, before: tuple[object, int]
) -> dict[str, object]:
    """The error shape, and nothing changed: no new version, the same triple count."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    error: dict[str, object] = response.json()["error"]  # type: ignore[attr-defined]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == status and error["code"] == code, error
    assert (history(client, GRAPH), store_size(client)) == before
    return error


def state(client: TestClient) -> tuple[object, int]:
    return history(client, GRAPH), store_size(client)


def doctype(declarations: str, body: str = "") -> bytes:
    return (
        f"{XML_HEAD}<!DOCTYPE rdf:RDF [\n{declarations}\n]>\n{RDF_OPEN}{body}{RDF_CLOSE}".encode()
    )


# ------------------------------------------------------------------ RDF/XML document types


@pytest.mark.parametrize(
    "document",
    [
        # names the old pattern did not count: with a colon, with a non-ASCII letter
        doctype(
            '<!ENTITY a:b "' + "x" * 1000 + '">', "<rdfs:label>" + "&a:b;" * 50 + "</rdfs:label>"
        ),
        doctype('<!ENTITY é "' + "x" * 1000 + '">', "<rdfs:label>" + "&é;" * 50 + "</rdfs:label>"),
        doctype('<!ENTITY qpvkg "https://w3id.org/qpvkg/def#">'),  # even a namespace shortcut
        doctype('<!ENTITY % p "x">'),
        doctype('<!ENTITY ext SYSTEM "file:///etc/passwd">', "<rdfs:label>&ext;</rdfs:label>"),
        f'{XML_HEAD}<!DOCTYPE rdf:RDF SYSTEM "http://example.org/x.dtd">{RDF_OPEN}{RDF_CLOSE}'.encode(),
        (FIXTURES / "bomb.rdf").read_bytes(),
    ],
    ids=["colon", "non-ascii", "shortcut", "parameter", "external", "external-dtd", "nested"],
)
def test_entity_declarations_are_refused(
    client: TestClient, partners: Partners, document: bytes
) -> None:
    before = state(client)
    response = send(client, partners, document, MEDIA["rdf"])
    error = assert_refused(client, response, 400, "xml_entities_refused", before)
    assert "not accepted" in str(error["message"])


def test_a_document_type_without_entities_is_accepted(
    client: TestClient, partners: Partners
) -> None:
    plain = (FIXTURES / "projet.rdf").read_text(encoding="utf-8")
    document = plain.replace("<rdf:RDF", "<!DOCTYPE rdf:RDF>\n<rdf:RDF", 1).encode()
    graph = f"{BASE}graph/partner/reseau-test/doctype"
    response = send(client, partners, document, MEDIA["rdf"], graph=graph)
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]


# ------------------------------------------------------------------ literal sizes


def big_literal(fmt: str, size: int) -> bytes:
    value = "é" * (size // 2 + 1)  # two bytes each in UTF-8: over the limit in bytes, not chars
    subject = "https://data.reseau-test.example/projet/x"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    if fmt in ("ttl", "nt"):
        return f'<{subject}> <{label}> "{value}"@fr .\n'.encode()
    if fmt == "jsonld":
        return json.dumps({"@context": CONTEXT, "id": subject, "libelle": value}).encode()
    return f"{XML_HEAD}{RDF_OPEN}<rdfs:label>{value}</rdfs:label>{RDF_CLOSE}".encode()


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdf"])
def test_a_literal_over_the_limit_is_refused_naming_subject_and_property(
    client: TestClient, partners: Partners, fmt: str
) -> None:
    before = state(client)
    response = send(client, partners, big_literal(fmt, LITERAL_LIMIT), MEDIA[fmt])
    error = assert_refused(client, response, 413, "literal_too_large", before)
    details = error["details"]
    assert isinstance(details, dict)
    assert details["subject"] == "<https://data.reseau-test.example/projet/x>"
    assert details["property"] == "<http://www.w3.org/2000/01/rdf-schema#label>"
    assert details["limit"] == LITERAL_LIMIT
    assert "QPVKG_MAX_LITERAL_BYTES" in str(error["message"])


@pytest.mark.parametrize("fmt", ["ttl", "nt", "rdf"])
def test_a_literal_past_the_parser_buffer_gets_413_not_500(
    client: TestClient, partners: Partners, fmt: str
) -> None:
    before = state(client)
    body = big_literal(fmt, MAX_JSON_TOKEN_BYTES + 2)
    assert len(body) < MAX_JSON_TOKEN_BYTES + 1024 * 1024  # under the body limit
    response = send(client, partners, body, MEDIA[fmt])
    status = response.status_code  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert (status, error["code"]) in ((413, "token_too_large"), (413, "literal_too_large"))
    assert (history(client, GRAPH), store_size(client)) == before


def test_an_iri_over_the_limit_is_refused(client: TestClient, partners: Partners) -> None:
    before = state(client)
    iri = "https://data.reseau-test.example/" + "x" * LITERAL_LIMIT
    body = f"<{iri}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{iri}> .\n".encode()
    response = send(client, partners, body, MEDIA["nt"])
    assert_refused(client, response, 413, "literal_too_large", before)


# ------------------------------------------------------------------ JSON and JSON-LD


def nested(depth: int) -> bytes:
    """A node whose property nests ``depth`` objects (written out: too deep for json.dumps)."""
    see_also = '"http://www.w3.org/2000/01/rdf-schema#seeAlso"'
    head = '{"@id": "https://data.reseau-test.example/projet/x", ' + f"{see_also}: "
    inner = f"{{{see_also}: " * (depth - 1) + '{"@id": "https://data.reseau-test.example/fond"}'
    return (head + inner + "}" * depth).encode()


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000])
def test_json_nested_too_deep_is_refused(
    client: TestClient, partners: Partners, depth: int
) -> None:
    before = state(client)
    response = send(client, partners, nested(depth), MEDIA["jsonld"])
    error = assert_refused(client, response, 400, "too_deep", before)
    assert str(MAX_JSON_DEPTH) in str(error["message"])


def test_json_tokens_over_the_limit_are_refused(client: TestClient, partners: Partners) -> None:
    before = state(client)
    key = "k" * (MAX_JSON_TOKEN_BYTES + 1)
    huge_key = json.dumps({"@id": "https://data.reseau-test.example/projet/x", key: 1}).encode()
    response = send(client, partners, huge_key, MEDIA["jsonld"])
    assert_refused(client, response, 413, "token_too_large", before)
    number = b'{"@id": "https://data.reseau-test.example/projet/x", "qpvkg:rank": ' + b"9" * 5000
    response = send(client, partners, number + b"}", MEDIA["jsonld"])
    error = assert_refused(client, response, 400, "syntax_error", before)
    assert "number" in str(error["message"])


@pytest.mark.parametrize(
    "context",
    [
        [CONTEXT, None, {"libelle": "http://example.org/autre-libelle"}],
        None,
    ],
    ids=["in-array", "alone"],
)
def test_a_null_context_is_refused(client: TestClient, partners: Partners, context: object) -> None:
    document = json.loads((FIXTURES / "projet.jsonld").read_bytes())
    document["@context"] = context
    before = state(client)
    response = send(client, partners, json.dumps(document).encode(), MEDIA["jsonld"])
    error = assert_refused(client, response, 422, "null_context", before)
    assert "null @context" in str(error["message"])


def test_a_null_context_deep_in_a_node_is_refused(client: TestClient, partners: Partners) -> None:
    document = json.loads((FIXTURES / "projet.jsonld").read_bytes())
    document["qpvkg:involvement"]["@context"] = [None, {"role": "http://example.org/role"}]
    before = state(client)
    response = send(client, partners, json.dumps(document).encode(), MEDIA["jsonld"])
    assert_refused(client, response, 422, "null_context", before)


@pytest.mark.parametrize(
    "change",
    [
        {"rdfs:label": {"@value": "Exemple : balise", "@language": "<script>"}},
        {"rdfs:label": {"@value": "Exemple : trop long", "@language": "francaisxx"}},
        {"libelles": {"<b>": "Exemple : carte"}},
        {"@context": [CONTEXT, {"@language": "fr fr"}]},
    ],
    ids=["value", "subtag-too-long", "language-map", "default-language"],
)
def test_a_malformed_language_tag_is_refused_in_json_ld(
    client: TestClient, partners: Partners, change: dict[str, object]
) -> None:
    document = {**json.loads((FIXTURES / "projet.jsonld").read_bytes()), **change}
    before = state(client)
    response = send(client, partners, json.dumps(document).encode(), MEDIA["jsonld"])
    error = assert_refused(client, response, 422, "bad_language_tag", before)
    details = error["details"]
    assert isinstance(details, dict)
    assert str(details["value"]) in str(error["message"])


@pytest.mark.parametrize(
    ("fmt", "body", "tag"),
    [
        (
            "ttl",
            b'<https://data.reseau-test.example/projet/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@francaisxx .',
            "francaisxx",
        ),
        (
            "nt",
            b'<https://data.reseau-test.example/projet/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@francaisxx .\n',
            "francaisxx",
        ),
        (
            "rdf",
            f'{XML_HEAD}{RDF_OPEN}<rdfs:label xml:lang="&lt;script&gt;">x</rdfs:label>{RDF_CLOSE}'.encode(),
            "<script>",
        ),
    ],
)
def test_a_malformed_language_tag_is_refused_in_every_format(
    client: TestClient, partners: Partners, fmt: str, body: bytes, tag: str
) -> None:
    before = state(client)
    response = send(client, partners, body, MEDIA[fmt])
    error = assert_refused(client, response, 400, "syntax_error", before)
    assert tag in str(error["message"])


@pytest.mark.parametrize(
    ("fmt", "body"),
    [("jsonld", b"42"), ("jsonld", b'"texte"'), ("jsonld", b"{}"), ("jsonld", b"[]"), ("ttl", b"")],
    ids=["number", "string", "empty-object", "empty-array", "empty-turtle"],
)
def test_a_body_without_triples_makes_no_version(
    client: TestClient, partners: Partners, fmt: str, body: bytes
) -> None:
    for method in ("PUT", "POST"):
        before = state(client)
        response = send(client, partners, body, MEDIA[fmt], method=method)
        assert_refused(client, response, 400, "empty_contribution", before)


# ------------------------------------------------------------------ canonical checksums


def test_the_same_content_twice_has_an_empty_diff_and_the_same_checksum(
    client: TestClient, partners: Partners
) -> None:
    graph = f"{BASE}graph/partner/reseau-test/canonique"
    first = (FIXTURES / "projet.nt").read_bytes()
    relabelled = first.replace(b"_:i ", b"_:autre ").replace(b"_:i .", b"_:autre .")
    assert relabelled != first
    created = send(client, partners, first, MEDIA["nt"], graph=graph)
    assert created.status_code == 201, created.text  # type: ignore[attr-defined]
    again = send(client, partners, relabelled, MEDIA["nt"], graph=graph)
    assert again.status_code == 200, again.text  # type: ignore[attr-defined]
    result = again.json()  # type: ignore[attr-defined]
    assert (result["added"], result["removed"]) == (0, 0)
    assert result["checksum"] == created.json()["checksum"]  # type: ignore[attr-defined]
    changes = client.get("/store/diff", params={"graph": graph, "from": 1, "to": 2}).json()
    assert (changes["added"], changes["removed"]) == ([], [])
    # the same triples in another syntax, and added once more: the same graph still
    turtle = send(
        client, partners, (FIXTURES / "projet.nt").read_bytes(), MEDIA["ttl"], graph=graph
    )
    assert turtle.json()["checksum"] == result["checksum"]  # type: ignore[attr-defined]
    posted = send(client, partners, first, MEDIA["nt"], method="POST", graph=graph)
    assert posted.status_code == 200, posted.text  # type: ignore[attr-defined]
    assert posted.json()["added"] == 0 and posted.json()["triples"] == 9  # type: ignore[attr-defined]
    versions = history(client, graph)
    assert len({v["checksum"] for v in versions}) == 1 and len(versions) == 4


@pytest.mark.parametrize(
    "body",
    [
        b"<https://data.reseau-test.example/a> <http://www.w3.org/2000/01/rdf-schema#seeAlso> _:x .\n"
        b"<https://data.reseau-test.example/b> <http://www.w3.org/2000/01/rdf-schema#seeAlso> _:x .\n",
        b"_:x <http://www.w3.org/2000/01/rdf-schema#seeAlso> _:y .\n"
        b"_:y <http://www.w3.org/2000/01/rdf-schema#seeAlso> _:x .\n",
    ],
    ids=["shared", "cycle"],
)
def test_shared_or_cyclic_blank_nodes_are_refused(
    client: TestClient, partners: Partners, body: bytes
) -> None:
    before = state(client)
    response = send(client, partners, body, MEDIA["nt"])
    error = assert_refused(client, response, 422, "shared_blank_node", before)
    assert "IRI" in str(error["message"])
