"""HTTP caching of the representations: weak ETags, HTTP dates, conditional GET (304)."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime
from typing import Any


def etag(generation_id: str, version: str, key: str) -> str:
    """A weak validator: the store generation, the code version and the representation."""
    return f'W/"{generation_id}-{version}-{key}"'


def http_date(value: Any) -> str:
    return format_datetime(value, usegmt=True)


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, tag: str, last_modified: Any
) -> bool:
    """True when a conditional GET may be answered 304 (If-None-Match wins over the date)."""
    if if_none_match is not None:
        wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in wanted or tag.removeprefix("W/") in wanted
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return bool(last_modified.replace(microsecond=0) <= since)
    return False
