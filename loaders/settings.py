"""The one settings object, read from the environment (prefix ``QPVKG_``)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_IRI = "https://w3id.org/qpvkg/"
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
        description="On-disk Oxigraph store (relative paths are under project_dir).",
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
    workers: int = Field(
        default=2 * (os.cpu_count() or 1),
        gt=0,
        description="Query worker processes (they share the graph in memory; two per CPU keep "
        "a CPU busy while the other waits on the server).",
    )
    service_allow: list[str] = Field(
        default_factory=list, description="SERVICE endpoints a query may call."
    )
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="CORS for reads.")
    partners_file: str = Field(
        default="var/partners.json", description="Partner accounts (hashed tokens)."
    )
    log_level: str = Field(default="INFO", description="Logging level.")
    in_memory: bool = Field(
        default=True, description="Query workers hold the graph in memory (else read it on disk)."
    )
    cache_mb: int = Field(
        default=64, ge=0, description="Size of the query result cache (0 turns it off)."
    )

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
    def store_path(self) -> Path:
        return self.path(self.store)

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
