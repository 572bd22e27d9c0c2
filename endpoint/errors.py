"""Domain errors mapped to HTTP in one place, one JSON error shape (a page for browsers)."""

from __future__ import annotations

import html
import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Match

from endpoint.deps import render
from endpoint.negotiation import prefers_html
from loaders import errors as e

log = logging.getLogger(__name__)

#: Domain error -> HTTP status, most specific first.
STATUS: tuple[tuple[type[e.QpvkgError], int], ...] = (
    (e.ParameterError, 400),
    (e.QuerySyntaxError, 400),
    (e.QueryRefusedError, 400),
    (e.LiteralTooLargeError, 413),
    (e.TokenTooLargeError, 413),
    (e.PayloadTooLargeError, 413),
    (e.RequestTimeoutError, 408),
    (e.TooManyQueriesError, 429),
    (e.UnsupportedMediaTypeError, 415),
    (e.MethodNotAllowedError, 405),
    (e.UnreadableSourceError, 400),
    (e.SourceSyntaxError, 400),
    (e.BadInputError, 400),
    (e.UnknownResourceError, 404),
    (e.NotAcceptableError, 406),
    (e.RangeNotSatisfiableError, 416),
    (e.ValidationFailedError, 422),
    (e.UnacceptableDataError, 422),
    (e.UnauthorizedError, 401),
    (e.ForbiddenError, 403),
    (e.ConflictError, 409),
    (e.QueryLimitError, 503),
    (e.RemoteStoreError, 502),
    (e.ServiceUnavailableError, 503),
    (e.QueryDefinitionError, 500),
)


def status_of(error: e.QpvkgError) -> int:
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 500


def error_body(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The one JSON error shape of every route."""
    return {"error": {"status": status, "code": code, "message": message, "details": details or {}}}


def error_response(
    request: Request | None,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if request is not None and prefers_html(request.headers.get("accept")):
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            return render(
                request,
                "error.html",
                {"status": status, "code": code, "message": message, "details": details or {}},
                status_code=status,
                headers=headers,
            )
        return HTMLResponse(
            f"<h1>{status}</h1><p>{html.escape(message)}</p>", status_code=status, headers=headers
        )
    return JSONResponse(
        error_body(status, code, message, details), status_code=status, headers=headers
    )


#: The order methods are listed in, in Allow.
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """Every method registered for the request's path, by all its routes (the router names only
    those of the first route matching the path)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.methods:
            match, _ = route.matches(request.scope)
            if match is not Match.NONE:
                methods |= route.methods
    return ", ".join(sorted(methods, key=lambda m: (*METHOD_ORDER, m).index(m)))


def response_for(request: Request | None, error: e.QpvkgError) -> Response:
    status = status_of(error)
    headers: dict[str, str] = {}
    if status in (429, 503):
        headers["Retry-After"] = str(error.details.get("retry_after_s", 1))
    if status == 408:
        headers["Connection"] = "close"
    if status == 405 and "allow" in error.details:
        headers["Allow"] = str(error.details["allow"])
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="qpvkg"'
    if status == 416 and "size" in error.details:
        headers["Content-Range"] = f"bytes */{error.details['size']}"
    details = {k: v for k, v in error.details.items() if k != "report"}
    return error_response(request, status, error.code, error.message, details, headers)


def unexpected_response(request: Request | None) -> Response:
    """500, for an error nobody raised on purpose (logged by the caller)."""
    return error_response(
        request, 500, "internal_error", "internal server error (it has been logged)"
    )


def install(app: FastAPI) -> None:
    """Register the handlers: domain errors, HTTP errors, request validation, the rest (500)."""

    @app.exception_handler(e.QpvkgError)
    async def domain(request: Request, exc: e.QpvkgError) -> Response:
        return response_for(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.detail else "error"
        headers = getattr(exc, "headers", None)
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}"
        if exc.status_code == 405:
            allow = allowed_methods(request)
            headers = {**(headers or {}), "Allow": allow}
            message = f"{request.method} is not allowed on {request.url.path}: use {allow}"
        return error_response(request, exc.status_code, code, message, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        # a route may offer a browser its form instead (a named query missing a parameter)
        form = getattr(request.scope.get("endpoint"), "browser_form", None)
        if form is not None and prefers_html(request.headers.get("accept")):
            page: Response | None = await form(request)
            if page is not None:
                return page
        problems = [
            {
                "parameter": ".".join(str(p) for p in err.get("loc", ())[1:]),
                "message": err.get("msg", ""),
            }
            for err in exc.errors()
        ]
        names = ", ".join(p["parameter"] for p in problems)
        return error_response(
            request, 400, "bad_parameter", f"invalid parameter(s): {names}", {"problems": problems}
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "unexpected error on %s %s\n%s",
            request.method,
            request.url.path,
            traceback.format_exc(),
        )
        return unexpected_response(request)
