"""What the external-store client sends: the protocol's requests, credentials, bound
variables, the server's own time-limit parameter; and what it makes of a server's errors."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox
import pytest

from loaders.errors import RemoteStoreError
from loaders.remote import RemoteConfig, RemoteStore

ASK_TRUE = json.dumps({"head": {}, "boolean": True}).encode()


class Recorder(BaseHTTPRequestHandler):
    """A SPARQL server that answers `true` to every query, and keeps what it was sent."""

    seen: ClassVar[list[dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        url = urlparse(self.path)
        body = self.rfile.read(length).decode()
        params = parse_qs(url.query, keep_blank_values=True)
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            # a query sent as a form: its text and the protocol's parameters are in the body
            params |= parse_qs(body, keep_blank_values=True)
            body = params.pop("query")[0]
        self.seen.append(
            {
                "path": url.path,
                "params": params,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        self.send_response(self.status)
        self.send_header("content-type", "application/sparql-results+json")
        self.send_header("content-length", str(len(ASK_TRUE)))
        self.end_headers()
        self.wfile.write(ASK_TRUE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.seen = []
    Recorder.status = 200
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def config(url: str, **extra: Any) -> RemoteConfig:
    return RemoteConfig(f"{url}/q", f"{url}/u", f"{url}/s", **extra)


def test_a_query_is_posted_with_its_bindings_and_the_servers_time_limit(server: str) -> None:
    store = RemoteStore(config(server, timeout_s=7, timeout_param="timeout"))
    result = store.query(
        "ASK { ?s ?p ?o }",
        substitutions={ox.Variable("s"): ox.NamedNode("http://example.org/a")},
        use_default_graph_as_union=True,
    )
    assert bool(result) is True
    sent = Recorder.seen[-1]
    assert sent["path"] == "/q"
    # as a form, which every server reads (Virtuoso reads no application/sparql-query body)
    assert sent["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert "VALUES (?s) { (<http://example.org/a>) }" in sent["body"]
    assert sent["params"] == {"timeout": ["7"]}
    assert "authorization" not in sent["headers"]


def test_named_graphs_go_as_protocol_parameters(server: str) -> None:
    store = RemoteStore(config(server))
    store.query(
        "ASK { ?s ?p ?o }",
        default_graph=[ox.NamedNode("http://example.org/g1")],
        named_graphs=[ox.NamedNode("http://example.org/g2")],
    )
    assert Recorder.seen[-1]["params"] == {
        "default-graph-uri": ["http://example.org/g1"],
        "named-graph-uri": ["http://example.org/g2"],
    }


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"user": "qpvkg", "password": "s3cret"},
            "Basic " + base64.b64encode(b"qpvkg:s3cret").decode(),
        ),
        ({"token": "tok-123"}, "Bearer tok-123"),
    ],
)
def test_credentials_are_sent(server: str, extra: dict[str, str], expected: str) -> None:
    RemoteStore(config(server, **extra)).update("INSERT DATA { <a:b> <a:c> <a:d> }")
    sent = Recorder.seen[-1]
    assert sent["path"] == "/u" and sent["headers"]["authorization"] == expected
    assert sent["headers"]["content-type"].startswith("application/sparql-update")
    assert "s3cret" not in repr(config(server, **extra))


def test_server_errors_become_domain_errors(server: str) -> None:
    store = RemoteStore(config(server))
    Recorder.status = 400
    with pytest.raises(SyntaxError):
        store.query("ASK {")
    Recorder.status = 500
    with pytest.raises(RemoteStoreError, match="answered 500"):
        store.update("CLEAR ALL")
    closed = RemoteStore(config("http://127.0.0.1:9"))
    with pytest.raises(RemoteStoreError, match="cannot be reached"):
        closed.query("ASK {}")
