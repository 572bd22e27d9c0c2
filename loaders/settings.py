"""The one settings object, read from the environment (prefix ``QPVKG_``)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from loaders.namespaces import DEFAULT_BASE_IRI

if TYPE_CHECKING:
    from loaders.remote import RemoteConfig

__all__ = ["DEFAULT_BASE_IRI", "PROJECT_DIR", "Settings", "get_settings"]

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of qpvkg; the environment is read here and nowhere else."""

    model_config = SettingsConfigDict(env_prefix="QPVKG_", frozen=True, extra="ignore")

    project_dir: Path = Field(
        default=PROJECT_DIR,
        description="Folder holding ontology/, shapes/, data/ and queries/.",
    )
    store: str = Field(
        default="var/store",
        description="On-disk Oxigraph store (relative paths are under project_dir), or the "
        "http(s) URL of an external SPARQL 1.1 server (its query, update and store URLs are "
        "then URL/query, URL/update and URL/store unless set below).",
    )
    store_query_url: str = Field(default="", description="External store: query URL.")
    store_update_url: str = Field(default="", description="External store: update URL.")
    store_gsp_url: str = Field(default="", description="External store: Graph Store URL.")
    store_user: str = Field(default="", description="External store: user (HTTP basic auth).")
    store_password: SecretStr = Field(
        default=SecretStr(""), description="External store: password (HTTP basic auth)."
    )
    store_auth: Literal["basic", "digest"] = Field(
        default="basic", description="External store: HTTP authentication scheme of the user."
    )
    store_token: SecretStr = Field(
        default=SecretStr(""), description="External store: bearer token (QLever's access token)."
    )
    store_timeout_param: str = Field(
        default="",
        description="External store: name of the server's own query time-limit parameter "
        "(`timeout` for Fuseki, GraphDB and Virtuoso), sent with every query in "
        "QPVKG_STORE_TIMEOUT_UNIT.",
    )
    store_timeout_unit: Literal["s", "ms"] = Field(
        default="s",
        description="External store: unit of the server's time-limit parameter (Virtuoso: ms).",
    )
    store_describe: Literal["server", "client"] = Field(
        default="server",
        description="External store: who answers a DESCRIBE: the server, by its own rules, or "
        "qpvkg (`client`: every triple of the resource, following blank nodes, as the embedded "
        "store describes it; for a server that names blank nodes by IRIs, as Virtuoso does).",
    )
    store_geosparql: Literal["standard", "virtuoso"] = Field(
        default="standard",
        description="External store: how GeoSPARQL's functions are sent: as written "
        "(`standard`), or as Virtuoso 7.2's own (`virtuoso`: geof:sfWithin, sfContains and "
        "sfIntersects written as bif:st_contains and bif:st_intersects).",
    )
    store_state: str = Field(
        default="var/remote-store",
        description="External store: local folder name for what qpvkg keeps beside it "
        "(its history, publications), as <name>-history and <name>-publish.",
    )
    base_iri: str = Field(
        default=DEFAULT_BASE_IRI,
        description="Base of every IRI the graph mints; data files are rebased onto it.",
    )
    public_url: str = Field(default="", description="Public URL of the server, if not the base.")
    query_timeout_s: float = Field(default=30.0, gt=0, description="Query time limit (seconds).")
    query_memory_mb: int = Field(default=1024, gt=0, description="Memory cap of a query worker.")
    max_rows: int = Field(default=100_000, gt=0, description="Rows returned before truncation.")
    max_body_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="Largest request body.")
    max_literal_bytes: int = Field(
        default=1024 * 1024,
        gt=0,
        description="Largest literal (or IRI) a contribution or a file read may hold, in UTF-8 "
        "bytes; a larger one is refused (413) before anything reaches the store.",
    )
    max_contribution_subjects: int = Field(
        default=50_000,
        gt=0,
        description="Most subjects the graph a write leaves may describe; a larger one is "
        "refused (413) before SHACL runs: send it in several graphs.",
    )
    max_report_results: int = Field(
        default=1000,
        gt=0,
        description="Most results a SHACL report lists (the first, in the report's stable "
        "order); a refusal also gives how many there are in all and whether the list is cut.",
    )
    workers: int = Field(
        default=2 * (os.cpu_count() or 1),
        gt=0,
        description="Query worker processes (they share the graph in memory; two per CPU keep "
        "a CPU busy while the other waits on the server).",
    )
    workers_max: int = Field(
        default=16 * (os.cpu_count() or 1),
        ge=0,
        description="Most query workers at once: when every worker is busy (long queries), "
        "extra ones are forked for the queries that wait, up to this number, and stopped "
        "once idle (0 or at most `workers`: no extra worker).",
    )
    client_queries: int = Field(
        default=4,
        ge=0,
        description="Requests one client (its address) may have with queries running or "
        "waiting at once (a page's several queries count as one); more are answered 429 "
        "with Retry-After (0: no limit).",
    )
    header_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="Time a connection has to send a request's line and headers before it "
        "is answered 408 and closed (slow clients, slowloris).",
    )
    body_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Time allowed between two parts of a request body before it is answered "
        "408 and the connection closed.",
    )
    keep_alive_s: float = Field(
        default=5.0, gt=0, description="An idle keep-alive connection is closed after this."
    )
    max_connections: int = Field(
        default=1000,
        gt=0,
        description="Open connections and requests at once before new requests get 503.",
    )
    max_url_bytes: int = Field(
        default=16 * 1024,
        gt=0,
        description="Longest request line (method, URL); longer ones are answered 414 "
        "(send a long query by POST).",
    )
    max_header_bytes: int = Field(
        default=64 * 1024, gt=0, description="Largest request headers; more are answered 431."
    )
    service_allow: list[str] = Field(
        default_factory=list, description="SERVICE endpoints a query may call."
    )
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="CORS for reads.")
    partners_file: str = Field(
        default="var/partners.json", description="Partner accounts (hashed tokens)."
    )
    log_level: str = Field(default="INFO", description="Logging level.")
    shacl_engine: Literal["pyshacl-turbo", "pyshacl"] = Field(
        default="pyshacl-turbo",
        description="SHACL engine that validates builds, imports and contributions: "
        "pyshacl-turbo (compiled, about ten times faster) or pySHACL (the reference the tests "
        "check pyshacl-turbo's results against).",
    )
    in_memory: bool = Field(
        default=True, description="Query workers hold the graph in memory (else read it on disk)."
    )
    cache_mb: int = Field(
        default=64, ge=0, description="Size of the query result cache (0 turns it off)."
    )
    fast_path: bool = Field(
        default=True,
        description="Answer query requests to /sparql before the framework's routing and "
        "dependencies (docs/performance.md measures the difference; false sends them through "
        "the /sparql route).",
    )
    replica_dir: str = Field(
        default="",
        description="Read replicas: the folder where the writer ships each generation of the "
        "store and where replicas read the newest (empty: no shipping).",
    )
    read_only: bool = Field(
        default=False,
        description="Serve as a read replica of the generations shipped to replica_dir; "
        "writes are refused (405).",
    )
    replica_poll_s: float = Field(
        default=1.0, gt=0, description="How often a replica looks for a newer generation (s)."
    )
    writer_url: str = Field(
        default="", description="A replica's writer, named in its refusal of a write."
    )
    warm_pages: bool = Field(
        default=False,
        description="At start, build in the background the models of the pages that take "
        "several queries (home, ontology, shapes, each typology), so that their first request "
        "is as fast as the next; `qpvkg serve` turns it on (`--no-warm` does not).",
    )
    contact_name: str = Field(
        default="",
        description="The body that publishes this service, named in the legal notices and the "
        "accessibility statement (empty: they say it is to be stated by who deploys it).",
    )
    contact_email: str = Field(
        default="", description="An email address where people write about the service."
    )
    contact_url: str = Field(
        default="",
        description="A web page where people write about the service (a form, an issue tracker).",
    )

    @field_validator("store", "store_query_url", "store_update_url", "store_gsp_url")
    @classmethod
    def _store_urls_parse(cls, value: str) -> str:
        if value.startswith(("http://", "https://")) or (value and "://" in value):
            url = urlsplit(value)
            try:
                url.port  # noqa: B018  (reading it checks it)
            except ValueError:
                raise ValueError(f"{value!r} has an invalid port") from None
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ValueError(f"{value!r} is not an http(s) URL with a host")
        return value

    @model_validator(mode="after")
    def _replica_needs_shipping(self) -> Settings:
        if self.read_only and not self.replica_dir:
            raise ValueError("read_only needs replica_dir: the folder the writer ships to")
        if self.replica_dir and self.remote:
            raise ValueError(
                "replica_dir is for the embedded store; over an external store, run several "
                "servers against it instead"
            )
        return self

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/"):
            raise ValueError("base_iri must be an http(s) IRI ending with '/'")
        return value

    def path(self, value: str | Path) -> Path:
        """Resolve a path setting against the project folder."""
        p = Path(value)
        return p if p.is_absolute() else self.project_dir / p

    @property
    def remote(self) -> bool:
        """True when the store is an external SPARQL server."""
        return self.store.startswith(("http://", "https://"))

    @property
    def store_path(self) -> Path:
        """The on-disk store; for an external store, the name its local state hangs on."""
        return self.path(self.store_state if self.remote else self.store)

    def remote_config(self) -> RemoteConfig:
        from loaders.remote import RemoteConfig

        root = self.store.rstrip("/")
        return RemoteConfig(
            query_url=self.store_query_url or f"{root}/query",
            update_url=self.store_update_url or f"{root}/update",
            store_url=self.store_gsp_url or f"{root}/store",
            user=self.store_user,
            password=self.store_password.get_secret_value(),
            auth=self.store_auth,
            token=self.store_token.get_secret_value(),
            timeout_s=self.query_timeout_s,
            timeout_param=self.store_timeout_param,
            timeout_unit=self.store_timeout_unit,
            graphs_base=self.base_iri,
            describe=self.store_describe,
            geosparql=self.store_geosparql,
        )

    @property
    def snapshots_path(self) -> Path:
        """Read-only checkpoints of the store that the query workers open."""
        return self.store_path.parent / f"{self.store_path.name}-snapshots"

    @property
    def ontology_dir(self) -> Path:
        return self.project_dir / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.project_dir / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.project_dir / "data"

    @property
    def queries_dir(self) -> Path:
        return self.project_dir / "queries"

    @property
    def def_ns(self) -> str:
        """Namespace of the ontology terms."""
        return f"{self.base_iri}def#"

    def graph_iri(self, key: str) -> str:
        return f"{self.base_iri}graph/{key}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
