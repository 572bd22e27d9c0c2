"""Partner accounts: a name, a bearer token shown once, and the hash of that token.

Tokens are 256 random bits, so a plain SHA-256 is the right hash for them (as for API
tokens elsewhere): no salt or slow hash is needed against guessing, and checking one costs
microseconds. The file (``QPVKG_PARTNERS_FILE``) holds only the hashes; it is written
atomically (a temporary file, then a rename).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loaders.errors import BadInputError, ForbiddenError, UnauthorizedError
from loaders.files import write_atomic
from loaders.settings import Settings

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$")
TOKEN_PREFIX = "qpvkg_"


@dataclass(frozen=True)
class Partner:
    """A partner account; ``namespaces`` are the IRI spaces (its own domain...) the operator
    registered for it, besides ``{base}id/partner/{name}/`` (see ``loaders/ownership.py``)."""

    name: str
    token_sha256: str
    created: str
    revoked: str | None = None
    namespaces: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.revoked is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "token_sha256": self.token_sha256,
            "created": self.created,
            "revoked": self.revoked,
            "namespaces": list(self.namespaces),
        }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise BadInputError(
            f"partner name {name!r} must be 1 to 64 lowercase letters, digits or hyphens "
            "(no hyphen first or last): it becomes part of graph IRIs"
        )
    return name


class PartnerRegistry:
    """The partners file: read on each check, so a revocation applies at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_settings(cls, settings: Settings) -> PartnerRegistry:
        return cls(settings.path(settings.partners_file))

    def load(self) -> dict[str, Partner]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {
                p["name"]: Partner(**{**p, "namespaces": tuple(p.get("namespaces", ()))})
                for p in data.get("partners", [])
            }
        except (ValueError, KeyError, TypeError) as exc:
            raise BadInputError(f"the partners file {self.path} is unreadable: {exc}") from None

    def save(self, partners: dict[str, Partner]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"partners": [p.as_dict() for p in sorted(partners.values(), key=_by_name)]}
        write_atomic(self.path, (json.dumps(payload, indent=2) + "\n").encode(), mode=0o600)

    def add(self, name: str, namespaces: Sequence[str] = (), *, base_iri: str = "") -> str:
        """Create a partner (or give a revoked one a new token); the token, to show once."""
        check_name(name)
        partners = self.load()
        existing = partners.get(name)
        if existing is not None and existing.active:
            raise BadInputError(f"partner {name!r} exists: revoke it first to issue a new token")
        kept = existing.namespaces if existing is not None else ()
        spaces = check_namespaces(partners, name, [*kept, *namespaces], base_iri)
        token = f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
        partners[name] = Partner(name, token_hash(token), _now(), namespaces=spaces)
        self.save(partners)
        return token

    def add_namespace(self, name: str, namespace: str, *, base_iri: str = "") -> Partner:
        """Register one more IRI space for a partner (its domain): only it may describe the
        resources there."""
        partners = self.load()
        partner = partners.get(name)
        if partner is None:
            raise BadInputError(f"no partner named {name!r}")
        spaces = check_namespaces(partners, name, [*partner.namespaces, namespace], base_iri)
        partners[name] = replace(partner, namespaces=spaces)
        self.save(partners)
        return partners[name]

    def namespaces(self) -> dict[str, tuple[str, ...]]:
        """Each partner's registered namespaces (revoked partners' too: still theirs)."""
        return {p.name: p.namespaces for p in self.load().values() if p.namespaces}

    def revoke(self, name: str) -> Partner:
        partners = self.load()
        partner = partners.get(name)
        if partner is None:
            raise BadInputError(f"no partner named {name!r}")
        if not partner.active:
            return partner
        partners[name] = replace(partner, revoked=_now())
        self.save(partners)
        return partners[name]

    def list(self) -> list[Partner]:
        return sorted(self.load().values(), key=_by_name)

    def authenticate(self, authorization: str | None) -> Partner:
        """The partner whose bearer token the ``Authorization`` header carries."""
        if not authorization:
            raise UnauthorizedError(
                "writes need a partner token: send the header 'Authorization: Bearer TOKEN'"
            )
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError("the Authorization header must be 'Bearer TOKEN'")
        digest = token_hash(token.strip())
        for partner in self.load().values():
            if hmac.compare_digest(partner.token_sha256, digest):
                if not partner.active:
                    raise UnauthorizedError(f"the token of partner {partner.name!r} was revoked")
                return partner
        raise UnauthorizedError("unknown token")

    def get(self, name: str) -> Partner:
        partner = self.load().get(name)
        if partner is None:
            raise BadInputError(f"no partner named {name!r}: add it with `qpvkg partner add`")
        if not partner.active:
            raise ForbiddenError(f"partner {name!r} was revoked")
        return partner


def check_namespaces(
    partners: dict[str, Partner], name: str, namespaces: Sequence[str], base_iri: str
) -> tuple[str, ...]:
    """The namespaces, if each is an absolute http(s) IRI ending in '/' or '#', outside the
    graph's own namespace, and neither inside nor around another partner's."""
    out: list[str] = []
    for namespace in dict.fromkeys(namespaces):
        if not re.match(r"^https?://[^/\s]+/(\S*[/#])?$", namespace):
            raise BadInputError(
                f"namespace {namespace!r} must be an http(s) IRI ending in '/' or '#', "
                "e.g. https://data.reseau-exemple.fr/"
            )
        if base_iri and (namespace.startswith(base_iri) or base_iri.startswith(namespace)):
            raise BadInputError(
                f"namespace {namespace!r} overlaps the graph's namespace {base_iri}: a partner's "
                f"space there is {base_iri}id/partner/{name}/, without registration"
            )
        for other in partners.values():
            if other.name == name:
                continue
            for theirs in other.namespaces:
                if namespace.startswith(theirs) or theirs.startswith(namespace):
                    raise BadInputError(
                        f"namespace {namespace!r} overlaps {theirs!r}, registered for partner "
                        f"{other.name!r}"
                    )
        out.append(namespace)
    return tuple(out)


def partner_graph_prefix(settings: Settings, name: str) -> str:
    return settings.graph_iri(f"partner/{name}/")


def check_graph(settings: Settings, partner: str, graph: str) -> str:
    """The graph IRI, if the partner may write it: ``{base}graph/partner/{name}/{slug}``."""
    prefix = partner_graph_prefix(settings, partner)
    if not graph.startswith(prefix):
        raise ForbiddenError(
            f"partner {partner!r} may only write graphs under {prefix} (not {graph})",
            graph=graph,
            allowed=prefix,
        )
    slug = graph[len(prefix) :]
    if not SLUG.match(slug):
        raise BadInputError(
            f"the graph IRI must be {prefix}NAME, NAME made of lowercase letters, digits, "
            f"'.', '_' or '-' (got {slug!r})"
        )
    return graph


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _by_name(partner: Partner) -> str:
    return partner.name
