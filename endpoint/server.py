"""The HTTP server's guards against slow and oversized requests, in uvicorn's protocol.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but gives a request no
deadline for its headers or its body: a client sending them a byte at a time holds a
connection for ever (slowloris). Its httptools parser has no limit on the URL's or the
headers' size, and its own refusals (503 over ``limit_concurrency``, 400 for what does not
parse) are plain text. This subclass of its httptools protocol adds the deadlines and the
limits, and answers them in the JSON error shape: 408 for a request's line and headers not
received within ``header_timeout_s``, or a body stalled for ``body_timeout_s``; 414 for a
request line over ``max_url_bytes``; 431 for headers over ``max_header_bytes``; 503 over
``max_connections``. Each of these closes the connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from endpoint.errors import error_body
from loaders.settings import Settings

log = logging.getLogger(__name__)
REASONS = {
    408: "Request Timeout",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines and size limits (see the module)."""

    settings: Settings

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._refused = False

    # ------------------------------------------------------------------ deadlines

    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow, what)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self, what: str) -> None:
        self._deadline = None
        cycle = self.cycle
        if cycle is not None and what == "body":
            if cycle.response_started or not cycle.more_body:
                return
            cycle.disconnected = True  # the application reads a disconnect and stops
            cycle.message_event.set()
        headers = what == "headers"
        limit = self.settings.header_timeout_s if headers else self.settings.body_timeout_s
        setting = "HEADER_TIMEOUT_S" if headers else "BODY_TIMEOUT_S"
        self._refuse(
            408,
            "request_timeout",
            f"the request's {what} did not arrive in time ({limit:g} s, QPVKG_{setting})",
        )

    # ------------------------------------------------------------------ refusals

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer in the JSON error shape and close the connection."""
        self._refused = True
        self._disarm()
        if self.transport.is_closing():
            return
        log.warning("%s: %s", self.client[0] if self.client else "?", message)
        body = json.dumps(error_body(status, code, message)).encode()
        head = [
            f"HTTP/1.1 {status} {REASONS[status]}",
            "content-type: application/json",
            f"content-length: {len(body)}",
            "connection: close",
        ]
        if status == 503:
            head.append("retry-after: 1")
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        self.transport.close()

    # ------------------------------------------------------------------ uvicorn's callbacks

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.settings.header_timeout_s, "headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        if self._deadline is None:  # the next request on a kept-alive connection
            self._arm(self.settings.header_timeout_s, "headers")

    def on_url(self, url: bytes) -> None:
        if self._refused:
            return
        super().on_url(url)
        if len(self.url) > self.settings.max_url_bytes:
            self._refuse(
                414,
                "uri_too_long",
                f"the URL is longer than {self.settings.max_url_bytes} bytes "
                "(QPVKG_MAX_URL_BYTES): send a long query by POST, in the body "
                "(Content-Type application/sparql-query, or a form)",
            )

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._refused:
            return
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > self.settings.max_header_bytes:
            self._refuse(
                431,
                "headers_too_large",
                f"the request's headers are larger than {self.settings.max_header_bytes} "
                "bytes (QPVKG_MAX_HEADER_BYTES)",
            )
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._disarm()
        limit = self.settings.max_connections
        if len(self.connections) > limit or len(self.tasks) >= limit:
            self._refuse(
                503,
                "unavailable",
                f"the server holds {limit} connections, its limit (QPVKG_MAX_CONNECTIONS): "
                "try again",
            )
            return
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.more_body:
            self._arm(self.settings.body_timeout_s, "body")

    def on_body(self, body: bytes) -> None:
        if self._refused:
            return
        super().on_body(body)
        if self._deadline is not None:
            self._arm(self.settings.body_timeout_s, "body")

    def on_message_complete(self) -> None:
        if self._refused:
            return
        self._disarm()
        super().on_message_complete()


def protocol_for(settings: Settings) -> type[GuardedHttpProtocol]:
    """The protocol class uvicorn runs (``http=``), with the limits of ``settings``."""
    return type("QpvkgHttpProtocol", (GuardedHttpProtocol,), {"settings": settings})


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's own limits, from the settings (the rest is in the protocol)."""
    return {
        "http": protocol_for(settings),
        "timeout_keep_alive": settings.keep_alive_s,
        # the protocol answers it in the JSON shape; uvicorn's own check, one above, is a
        # backstop it never reaches
        "limit_concurrency": settings.max_connections + 1,
        # used only if uvicorn is run with its h11 protocol instead of this one
        "h11_max_incomplete_event_size": settings.max_url_bytes + settings.max_header_bytes,
    }
