"""Every named query still answers once partners have contributed a few thousand innovations.

The store is the real one plus `python -m benchmarks.synth` data (2,000 innovations, their actors,
partnerships and schemes on real communes); the app runs each query through its worker pool
with a short time limit. A query that does not scale (a NOT EXISTS over a property path per
row, a cartesian product) goes over the limit and is refused with the 503 timeout. This checks
that each answers, not how fast: the figures are in benchmarks/named_queries.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from benchmarks.synth import synth_quads
from endpoint.app import create_app
from loaders.build import BuildReport
from loaders.namedqueries import load_named_queries
from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import copy_store

pytestmark = pytest.mark.ci  # a synthetic graph at scale: in `make test-ci`

PROJECTS = 2_000
SEED = 2026
#: Every query answers in well under a second at this size; the old per-row NOT EXISTS of
#: territories-without-connector ran for minutes.
LIMIT_S = 5

CATALOG = load_named_queries(Settings(project_dir=PROJECT_DIR))
CASES = [
    pytest.param(name, params, id=f"{name}-{variant}")
    for name, query in sorted(CATALOG.items())
    for variant, params in {
        "required": {p.name: p.example for p in query.params if p.required and p.example},
        "examples": {p.name: p.example for p in query.params if p.example},
    }.items()
    if variant == "required" or any(p.example and not p.required for p in query.params)
]
#: the synthetic actor in the most initiatives and partnerships (synth draws the first
#: organisations most often): its two-step network has thousands of rows, and the old
#: partnership-network, a NOT EXISTS around a path for each of them, ran for minutes
HUB = "https://w3id.org/qpvkg/id/organisation/synth-000001"
CASES.append(pytest.param("partnership-network", {"acteur": HUB}, id="partnership-network-hub"))


@pytest.fixture(scope="module")
def client(
    settings: Settings, built: BuildReport, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The app over a copy of the real store with the synthetic innovations added."""
    store_dir = copy_store(settings.store_path, tmp_path_factory.mktemp("synth") / "store")
    store = ox.Store(str(store_dir))
    store.bulk_extend(synth_quads(settings, PROJECTS, seed=SEED))
    store.flush()
    del store
    limited = Settings(
        project_dir=PROJECT_DIR, store=str(store_dir), workers=2, query_timeout_s=LIMIT_S
    )
    with TestClient(create_app(limited)) as test_client:
        yield test_client


def test_the_store_holds_the_synthetic_innovations(client: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?i a <https://w3id.org/qpvkg/def#Innovation> }"
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    count = int(response.json()["results"]["bindings"][0]["n"]["value"])
    assert count > PROJECTS


def test_the_hub_takes_part_in_many_initiatives(client: TestClient) -> None:
    q = "https://w3id.org/qpvkg/def#"
    query = f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?i <{q}involvement>/<{q}actor> <{HUB}> }}"
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) >= 40


@pytest.mark.parametrize(("name", "params"), CASES)
def test_named_query_answers_within_the_limit(
    client: TestClient, name: str, params: dict[str, str]
) -> None:
    response = client.get(f"/queries/{name}", params={**params, "format": "json"})
    assert response.status_code != 503, f"{name} {params}: {response.text}"
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"], f"{name} {params}: no rows"
