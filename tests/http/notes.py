"""A partner's note on a curated innovation: what the shapes must see of the union."""

from __future__ import annotations

from starlette.testclient import TestClient

from loaders.settings import PROJECT_DIR

FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "contributions"
BASE = "https://w3id.org/qpvkg/"


def assert_note_validated(client: TestClient, auth: dict[str, str], graph: str) -> None:
    """A note on a curated innovation is accepted; the same note with an empty involvement
    is refused for that involvement alone (the curated ones conform)."""

    def put(name: str) -> object:
        return client.put(
            "/store",
            params={"graph": graph},
            content=(FIXTURES / name).read_bytes(),
            headers={"content-type": "application/n-triples", **auth},
        )

    written = put("note.nt")
    assert written.status_code == 201, written.text  # type: ignore[attr-defined]
    refused = put("note-broken.nt")
    assert refused.status_code == 422, refused.text  # type: ignore[attr-defined]
    results = refused.json()["error"]["details"]["results"]  # type: ignore[attr-defined]
    assert len({r["focus"] for r in results}) == 1
    assert all(r["path"] in (f"{BASE}def#role", f"{BASE}def#actor") for r in results)
