"""Values shown to people in their language: numbers with the language's grouping, sizes in
bytes, dates, booleans, and typed RDF literals (``52535`` ``xsd:integer`` becomes 52 535)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import jinja2

from endpoint.i18n import DEFAULT, request_lang, translate
from loaders.namespaces import XSD

#: Whole-number datatypes of XSD.
INTEGERS = {
    f"{XSD}{name}"
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
DECIMALS = {f"{XSD}decimal", f"{XSD}double", f"{XSD}float"}
#: The thousands separator: a narrow no-break space in French, a comma in English.
GROUPING = {"fr": "\u202f", "en": ","}
DECIMAL_MARK = {"fr": ",", "en": "."}
DATE = re.compile(r"^(-?\d{4})-(\d{2})-(\d{2})")
TIME = re.compile(r"T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


def _lang(lang: str) -> str:
    return lang if lang in GROUPING else DEFAULT


def number_text(value: int | float | Decimal | str, lang: str = DEFAULT) -> str:
    """A number with the language's grouping and decimal mark (1 234,5 or 1,234.5)."""
    lang = _lang(lang)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", GROUPING[lang])
    fraction = fraction.rstrip("0")
    return sign + groups + (DECIMAL_MARK[lang] + fraction if fraction else "")


def size_text(size: int | None, lang: str = DEFAULT) -> str:
    """A size in bytes, for people: 7,7 Mo or 7.7 MB (decimal units), bytes below a kilobyte."""
    if size is None:
        return ""
    lang = _lang(lang)
    units = ("ko", "Mo", "Go", "To") if lang == "fr" else ("kB", "MB", "GB", "TB")
    if size < 1000:
        return f"{number_text(size, lang)} {translate(lang, 'site.size.bytes')}"
    value = float(size)
    for unit in units:
        value /= 1000
        if value < 1000 or unit == units[-1]:
            shown = f"{value:.1f}" if value < 100 else f"{value:.0f}"
            return f"{number_text(shown, lang)}\u00a0{unit}"
    return str(size)  # not reached


def date_text(value: str, lang: str = DEFAULT) -> str | None:
    """An xsd:date or xsd:dateTime, for people (3 décembre 2026, 3 December 2026, with the
    time when there is one); None when it is not one."""
    lang = _lang(lang)
    match = DATE.match(value)
    if match is None:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    name = translate(lang, f"site.month.{month}")
    text = f"{'1er' if day == 1 and lang == 'fr' else day} {name} {year}"
    rest = value[match.end() :]
    if not rest:
        return text
    clock = TIME.match(rest)
    if clock is None:
        return None
    zone = clock[3]
    zone_text = " UTC" if zone in ("Z", "+00:00") else f" (UTC{zone})" if zone else ""
    at = translate(lang, "site.date.at")
    return f"{text} {at} {clock[1]}:{clock[2]}{zone_text}"


@dataclass(frozen=True)
class Shown:
    """A literal as people read it: its text, and whether it replaces the datatype badge."""

    text: str
    formatted: bool


def literal_text(value: str, datatype: str | None, lang: str = DEFAULT) -> Shown:
    """A typed literal in the page's language: numbers grouped, booleans as yes or no, dates
    and years spelt out; any other literal (or a malformed one) as it is."""
    lang = _lang(lang)
    if datatype is None:
        return Shown(value, False)
    text: str | None = None
    if datatype in INTEGERS and re.fullmatch(r"[+-]?\d+", value.strip()):
        text = number_text(int(value), lang)
    elif datatype in DECIMALS and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", value.strip()):
        text = number_text(value.strip(), lang)
    elif datatype == f"{XSD}boolean" and value.strip() in ("true", "false", "1", "0"):
        yes = value.strip() in ("true", "1")
        text = translate(lang, "site.yes" if yes else "site.no")
    elif datatype in (f"{XSD}date", f"{XSD}dateTime"):
        text = date_text(value.strip(), lang)
    elif datatype == f"{XSD}gYear" and re.fullmatch(r"-?\d{4}", value.strip()):
        text = value.strip()
    return Shown(text, True) if text is not None else Shown(value, False)


VOWELS = "aeiouyàâäéèêëîïôöùûüÿœæ"
#: French articles and what "de" makes of them.
ARTICLES = (("Le ", "du "), ("Les ", "des "), ("La ", "de la "), ("L'", "de l'"), ("L’", "de l’"))


def of_name(name: str, lang: str = DEFAULT) -> str:
    """ "of NAME" in the language: in French with the elision and contraction the article asks
    (d'Adive, du Comptoir, des Ateliers, de la Coursive, de Plaine Commune)."""
    if _lang(lang) != "fr":
        return f"of {name}"
    for article, contracted in ARTICLES:
        if name.startswith(article) and len(name) > len(article):
            return contracted + name[len(article) :]
    if name[:1].lower() in VOWELS:
        return f"d'{name}"
    return f"de {name}"


@jinja2.pass_context
def of_filter(context: Any, name: str) -> str:
    return of_name(str(name), request_lang(context))


@jinja2.pass_context
def size_filter(context: Any, value: int | None) -> str:
    return size_text(value, request_lang(context))


@jinja2.pass_context
def date_filter(context: Any, value: str) -> str:
    return date_text(str(value), request_lang(context)) or str(value)


@jinja2.pass_context
def literal_filter(context: Any, value: str, datatype: str | None) -> Shown:
    return literal_text(value, datatype, request_lang(context))


def install(env: jinja2.Environment) -> None:
    """``|size``, ``|date``, ``|literal(datatype)`` and ``|of`` for the templates."""
    env.filters["size"] = size_filter
    env.filters["date"] = date_filter
    env.filters["literal"] = literal_filter
    env.filters["of"] = of_filter
