"""`qpvkg partner` and `qpvkg contribute`: accounts, and the same write as the HTTP API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any as Cli

import pyoxigraph as ox
import pytest

from loaders.partners import PartnerRegistry, token_hash
from loaders.settings import PROJECT_DIR, Settings
from loaders.store import open_read
from tests.conftest import copy_store
from tests.http.conftest import STORE_KINDS, store_env
from tests.remote import external_copy
from tests.virtuoso import virtuoso_copy

FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "contributions"


@pytest.fixture(scope="module", params=STORE_KINDS)
def store_settings(
    request: pytest.FixtureRequest,
    settings: Settings,
    built: object,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Settings]:
    """A copy of the session's store: embedded, then in an Oxigraph server and Virtuoso."""
    folder = tmp_path_factory.mktemp("partners-cli")
    if request.param == "embedded":
        store = copy_store(settings.store_path, folder / "store")
        yield Settings(project_dir=PROJECT_DIR, store=str(store))
        return
    copy = virtuoso_copy if request.param == "virtuoso" else external_copy
    with copy(settings.store_path, folder) as external:
        yield external


@pytest.fixture
def env(store_settings: Settings, tmp_path: Path) -> dict[str, str]:
    """The store's environment, and partners of the test's own."""
    return {**store_env(store_settings), "QPVKG_PARTNERS_FILE": str(tmp_path / "partners.json")}


def test_partner_add_prints_the_token_once_and_keeps_its_hash(
    cli: Cli, env: dict[str, str]
) -> None:
    added = cli("partner", "add", "reseau-test", env=env)
    assert added.exit_code == 0, added.output
    token = added.stdout.strip()
    assert token.startswith("qpvkg_") and len(token) > 40
    stored = Path(env["QPVKG_PARTNERS_FILE"]).read_text()
    assert token not in stored and token_hash(token) in stored
    assert PartnerRegistry(Path(env["QPVKG_PARTNERS_FILE"])).authenticate(f"Bearer {token}")
    listed = cli("partner", "list", "--json", env=env)
    assert listed.exit_code == 0
    assert json.loads(listed.stdout)[0]["name"] == "reseau-test"
    assert token not in listed.stdout and token_hash(token) not in listed.stdout
    twice = cli("partner", "add", "reseau-test", env=env)
    assert twice.exit_code == 2 and "exists" in twice.output
    revoked = cli("partner", "revoke", "reseau-test", env=env)
    assert revoked.exit_code == 0
    with pytest.raises(Exception, match="revoked"):
        PartnerRegistry(Path(env["QPVKG_PARTNERS_FILE"])).authenticate(f"Bearer {token}")
    assert cli("partner", "add", "Not A Name", env=env).exit_code == 2


def test_contribute_writes_validates_and_versions(
    cli: Cli, env: dict[str, str], store_settings: Settings
) -> None:
    assert cli("partner", "add", "reseau-test", env=env).exit_code == 0
    written = cli("contribute", str(FIXTURES / "projet.ttl"), "--partner", "reseau-test", env=env)
    assert written.exit_code == 0, written.output
    result = json.loads(written.stdout)
    graph = "https://w3id.org/qpvkg/graph/partner/reseau-test/projet"
    assert result["graph"] == graph and result["version"] == 1 and result["triples"] == 9
    added = cli(
        "contribute", str(FIXTURES / "projet.nt"), "--partner", "reseau-test", "--add", env=env
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["version"] == 2
    invalid = cli(
        "contribute",
        str(FIXTURES / "invalid.ttl"),
        "--partner",
        "reseau-test",
        "--graph",
        graph,
        env=env,
    )
    assert invalid.exit_code == 1
    assert "projet/9" in invalid.output
    forbidden = cli(
        "contribute",
        str(FIXTURES / "projet.ttl"),
        "--partner",
        "reseau-test",
        "--graph",
        "https://w3id.org/qpvkg/graph/partner/autre/x",
        env=env,
    )
    assert forbidden.exit_code == 2 and "may only write" in forbidden.output
    unknown = cli("contribute", str(FIXTURES / "projet.ttl"), "--partner", "nobody", env=env)
    assert unknown.exit_code == 2
    with open_read(store_settings) as store:
        triples = list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    assert len(triples) == 18  # both accepted writes, nothing of the refused ones


def test_contribute_applies_the_same_ownership_rule_as_http(
    cli: Cli, env: dict[str, str], store_settings: Settings
) -> None:
    """Describing a curated resource or minting in another partner's space: refused (exit 2,
    the resources and properties listed); minting in its own space and linking to curated
    resources: written."""
    assert cli("partner", "add", "reseau-test", env=env).exit_code == 0
    graph = "https://w3id.org/qpvkg/graph/partner/reseau-test/regle"
    for name, subject in (
        ("curated-described.ttl", "https://w3id.org/qpvkg/id/innovation/adive"),
        ("other-space.ttl", "https://w3id.org/qpvkg/id/partner/autre-reseau/innovation/atelier"),
    ):
        refused = cli(
            "contribute",
            str(FIXTURES / name),
            "--partner",
            "reseau-test",
            "--graph",
            graph,
            env=env,
        )
        assert refused.exit_code == 2, refused.output
        assert "may describe only the resources it mints" in " ".join(refused.stderr.split())
        assert subject in refused.stderr
        if name == "curated-described.ttl":
            assert "http://purl.org/dc/terms/description" in refused.stderr
    written = cli(
        "contribute",
        str(FIXTURES / "own-space.ttl"),
        "--partner",
        "reseau-test",
        "--graph",
        graph,
        env=env,
    )
    assert written.exit_code == 0, written.output
    with open_read(store_settings) as store:
        subjects = {
            q.subject for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        }
    assert ox.NamedNode("https://w3id.org/qpvkg/id/innovation/adive") not in subjects
    assert (
        ox.NamedNode("https://w3id.org/qpvkg/id/partner/reseau-test/innovation/atelier") in subjects
    )


def test_partner_namespaces_are_registered_once_and_kept_to_their_partner(
    cli: Cli, env: dict[str, str]
) -> None:
    domain = "https://data.reseau-domaine.example/"
    added = cli("partner", "add", "reseau-domaine", "--namespace", domain, env=env)
    assert added.exit_code == 0, added.output
    assert cli("partner", "add", "autre-reseau", env=env).exit_code == 0
    inside = cli("partner", "namespace", "autre-reseau", f"{domain}sous/", env=env)
    assert inside.exit_code == 2 and "reseau-domaine" in inside.output
    ours = cli("partner", "namespace", "autre-reseau", "https://w3id.org/qpvkg/id/x/", env=env)
    assert ours.exit_code == 2 and "overlaps the graph's namespace" in ours.output
    assert cli("partner", "namespace", "autre-reseau", "not an iri", env=env).exit_code == 2
    assert (
        cli("partner", "namespace", "autre-reseau", "https://autre.example/", env=env).exit_code
        == 0
    )
    listed = json.loads(cli("partner", "list", "--json", env=env).stdout)
    assert {p["name"]: p["namespaces"] for p in listed} == {
        "autre-reseau": ["https://autre.example/"],
        "reseau-domaine": [domain],
    }
    squat = cli("contribute", str(FIXTURES / "domaine.ttl"), "--partner", "autre-reseau", env=env)
    assert squat.exit_code == 2 and "partner reseau-domaine" in " ".join(squat.stderr.split())
    own = cli("contribute", str(FIXTURES / "domaine.ttl"), "--partner", "reseau-domaine", env=env)
    assert own.exit_code == 0, own.output
