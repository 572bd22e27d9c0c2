"""The pages' languages: French first, English available (``?lang=``, a cookie, Accept-Language).

The message catalogues are JSON files, one per language (``endpoint/locales/{fr,en}.json``), read
once. The language of a request is, in order: its ``lang`` query parameter, its ``lang`` cookie
(set by ``?lang=``), its ``Accept-Language`` header, French. ``LanguageMiddleware`` works it out
once per request (``request.state.lang``), sets the cookie when ``?lang=`` asks for a language,
and keeps HTTP caches honest: an HTML page's ETag names its language and caches must revalidate
it (``Cache-Control: no-cache``), so a page stored in one language is never shown to a reader of
the other. Templates call ``t("key")`` and ``label(values)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jinja2
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
COOKIE = "lang"
LOCALES = Path(__file__).parent / "locales"
#: ETags of HTML representations end with this key (see endpoint/httpcache.py's etag()).
HTML_TAG_END = '-html"'


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, str]:
    """The messages of one language (``endpoint/locales/LANG.json``)."""
    with (LOCALES / f"{lang}.json").open(encoding="utf-8") as f:
        messages: dict[str, str] = json.load(f)
    return messages


def translate(lang: str, key: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` (French when it is missing there), with its values."""
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT).get(key, key)
    return text.format(**values) if values else text


def term_name(iri: str, lang: str = DEFAULT) -> str | None:
    """The interface's name of a reused vocabulary's term (key ``term.<IRI>``), for the terms
    the store has no label for; None for the others."""
    return catalogue(lang).get(f"term.{iri}")


def from_accept_language(header: str | None) -> str | None:
    """The best of our languages in an Accept-Language header (quality values honoured)."""
    if not header:
        return None
    best: tuple[float, int, str] | None = None
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.split("-", 1)[0]
        if q <= 0 or (primary not in LANGUAGES and tag != "*"):
            continue
        lang = DEFAULT if tag == "*" else primary
        candidate = (-q, order, lang)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else None


def choose(asked: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language of a request: ``?lang=``, then the cookie, then Accept-Language, French."""
    for value in (asked, cookie):
        if value in LANGUAGES:
            return str(value)
    return from_accept_language(accept_language) or DEFAULT


def pick(values: Mapping[str, str], lang: str) -> str | None:
    """The text of a {language: text} map in ``lang``, else French, else without a language,
    else English, else any."""
    for key in (lang, "fr", "", "en"):
        if key in values:
            return values[key]
    return next(iter(values.values()), None)


def switch_href(path: str, query: str, lang: str) -> str:
    """The same page in another language (its other query parameters kept)."""
    params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    params.append(("lang", lang))
    return f"{path}?{urlencode(params)}"


# ----------------------------------------------------------------------------- templates


def request_lang(context: Mapping[str, Any]) -> str:
    request = context.get("request")
    state = getattr(request, "state", None)
    lang = getattr(state, "lang", None)
    return lang if lang in LANGUAGES else DEFAULT


@jinja2.pass_context
def t(context: Any, key: str, **values: Any) -> str:
    return translate(request_lang(context), key, **values)


@jinja2.pass_context
def current_lang(context: Any) -> str:
    return request_lang(context)


@jinja2.pass_context
def label(context: Any, values: Mapping[str, str] | None) -> str | None:
    """A {language: text} map in the page's language."""
    return pick(values or {}, request_lang(context))


@jinja2.pass_context
def language_links(context: Any) -> list[dict[str, Any]]:
    """The language switch: each language, its link, and whether it is the page's."""
    request = context.get("request")
    path = request.url.path if request is not None else "/"
    query = request.url.query if request is not None else ""
    lang = request_lang(context)
    return [
        {
            "code": code,
            "name": translate(code, "lang.name"),
            "href": switch_href(path, query, code),
            "current": code == lang,
        }
        for code in LANGUAGES
    ]


def number(value: int | float | None, lang: str = DEFAULT) -> str:
    """A number with the language's thousands separator (a narrow no-break space in French)."""
    if value is None:
        return ""
    text = f"{value:,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


@jinja2.pass_context
def number_filter(context: Any, value: int | float | None) -> str:
    return number(value, request_lang(context))


def install(env: jinja2.Environment) -> None:
    """Make ``t``, ``lang``, ``label``, ``language_links`` and ``|number`` known to templates."""
    env.globals.update(t=t, lang=current_lang, label=label, language_links=language_links)
    env.filters["number"] = number_filter


# ----------------------------------------------------------------------------- middleware


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _cookie(header: str | None) -> str | None:
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is ignored, as browsers do
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


def _validator(tag: str, suffix: str) -> str | None:
    """An If-None-Match tag as the route knows it: an HTML page's tag without its language (None
    when it is another language's); any other tag unchanged."""
    if tag.endswith(f'-html{suffix}"'):
        return tag[: -len(suffix) - 1] + '"'
    if any(tag.endswith(f'-html-{code}"') for code in LANGUAGES) or tag.endswith(HTML_TAG_END):
        return None
    return tag


class LanguageMiddleware:
    """Works out the language of each request; sets the cookie; per-language HTML validators."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        asked = next((v for k, v in parse_qsl(query) if k == "lang"), None)
        asked = asked if asked in LANGUAGES else None
        lang = choose(asked, _cookie(_header(scope, b"cookie")), _header(scope, b"accept-language"))
        scope.setdefault("state", {})["lang"] = lang
        suffix = f"-{lang}"
        # a validator of an HTML page in another language must not get a 304
        headers = []
        for key, value in scope.get("headers", []):
            if key.lower() == b"if-none-match":
                tags = [tag.strip() for tag in value.decode("latin-1").split(",")]
                kept = [kept_tag for tag in tags if (kept_tag := _validator(tag, suffix))]
                if not kept:
                    continue
                value = ", ".join(kept).encode("latin-1")
            headers.append((key, value))
        scope["headers"] = headers

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = list(message.get("headers", []))
                html = False
                for i, (key, value) in enumerate(out):
                    name = key.lower()
                    if name == b"content-type" and value.startswith(b"text/html"):
                        html = True
                    elif name == b"etag" and value.endswith(HTML_TAG_END.encode()):
                        html = True
                        out[i] = (key, value[:-1] + suffix.encode() + b'"')
                if html:
                    # caches revalidate each use, and the validator names the language: a
                    # stored page in the other language is never reused (no Vary needed)
                    if not any(key.lower() == b"cache-control" for key, _ in out):
                        out.append((b"cache-control", b"no-cache"))
                    out.append((b"content-language", lang.encode()))
                if asked is not None:
                    cookie = f"{COOKIE}={asked}; Path=/; Max-Age=31536000; SameSite=Lax"
                    out.append((b"set-cookie", cookie.encode()))
                message["headers"] = out
            await send(message)

        await self.app(scope, receive, send_wrapper)
