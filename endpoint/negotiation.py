"""Content negotiation: the formats a response may take, Accept parsing with quality values.

The RDF and SPARQL results formats, their media types and pyoxigraph formats, come from the
core's table (``loaders/rdfformats.py``); here are what clients call them in the format
parameters, the server's order of preference, and the choice for each request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from loaders import rdfformats as rf
from loaders.errors import BadInputError, NotAcceptableError


@dataclass(frozen=True)
class Format:
    """A representation the server can produce."""

    key: str  # short name, also the file suffix where there is one
    media_type: str  # the canonical type sent in Content-Type
    aliases: tuple[str, ...] = ()  # other media types a client may ask for
    charset: bool = True
    names: tuple[str, ...] = ()  # other names of the format/output/results parameters

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    def matches(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @classmethod
    def of(cls, syntax: rf.RdfSyntax | rf.ResultsSyntax, names: tuple[str, ...] = ()) -> Format:
        """The negotiable format of an entry of the core's table: its other media types,
        then the wider ones it answers."""
        aliases = (*syntax.media_types[1:], *syntax.generic)
        return cls(syntax.key, syntax.media_type, aliases, names=names)


#: Results of SELECT and ASK queries.
RESULTS = (
    Format.of(rf.RESULTS_JSON, names=("srj", "sparql-results+json")),
    Format.of(rf.RESULTS_XML, names=("srx", "sparql-results+xml")),
    Format.of(rf.RESULTS_CSV),
    Format.of(rf.RESULTS_TSV),
)
#: ASK results: the recommendation gives CSV and TSV no boolean form, but clients ask for it
#: (SPARQLWrapper sends only text/csv); pyoxigraph writes one line, true or false
BOOLEAN = RESULTS
#: RDF graphs and datasets (CONSTRUCT, DESCRIBE, resources, dumps).
RDF = (
    Format.of(
        rf.TURTLE,
        # N3 clients take Turtle (a subset of N3); Fuseki's "text" is Turtle too
        names=("turtle", "n3", "text", "application/turtle", "text/n3", "text/rdf+n3"),
    ),
    # json: a graph's JSON is JSON-LD
    Format.of(rf.JSONLD, names=("json-ld", "json", "application/x-json+ld")),
    Format.of(rf.RDFXML, names=("rdf+xml", "rdfxml", "xml")),  # xml: a graph's XML is RDF/XML
    Format.of(rf.NTRIPLES, names=("ntriples", "n-triples")),
    Format.of(rf.NQUADS, names=("nquads", "n-quads")),
    Format.of(rf.TRIG),
)
HTML = Format("html", "text/html", ("application/xhtml+xml",))
#: Plain JSON and CSV (lists, search, page models, the JSON error shape).
JSON = Format("json", "application/json")
CSV = Format("csv", "text/csv")
TEXT = Format("txt", "text/plain")
#: The map's layers (RFC 7946), also to clients that ask for JSON (GeoJSON is JSON).
GEOJSON = Format("geojson", "application/geo+json", ("application/json",), charset=False)
GEO = (GEOJSON,)

BY_KEY = {f.key: f for f in (*RESULTS, *RDF, HTML)}
#: the query parameters in which clients name a format (Fuseki reads output and format,
#: Virtuoso format, SPARQLWrapper sends all three)
FORMAT_PARAMETERS = ("format", "output", "results")


def _names() -> dict[str, tuple[Format, ...]]:
    out: dict[str, tuple[Format, ...]] = {}
    for fmt in (*RESULTS, *RDF, HTML):
        for name in (fmt.key, *fmt.names, *fmt.matches()):
            if fmt not in out.get(name, ()):
                out[name] = (*out.get(name, ()), fmt)
    return out


#: every name a format parameter may give, with the formats it means: "xml" (or
#: application/xml) is SPARQL XML for results and RDF/XML for a graph, "json" SPARQL JSON or
#: JSON-LD; the query's form picks among them
BY_NAME = _names()


def named(value: str) -> tuple[Format, ...]:
    """The formats a format/output/results value names (none when it names none)."""
    return BY_NAME.get(value.split(";")[0].strip().lower(), ())


def format_accept(values: list[str], accept: str | None) -> str | None:
    """The Accept header that a request's format parameters stand for: the formats they name,
    in their order, before the client's own Accept (kept at lower quality, so that a format
    the query's form cannot take falls back to content negotiation rather than failing).
    None when no value names a format: then the Accept header alone decides."""
    wanted: list[str] = []
    for value in values:
        for fmt in named(value):
            if fmt.media_type not in wanted:
                wanted.append(fmt.media_type)
    if not wanted:
        return accept
    ranges = [f"{media};q={1 - i * 0.001:.3f}" for i, media in enumerate(wanted[:100])]
    ranges += [f"{p.media_type};q={p.q * 0.5:.3f}" for p in parse_accept(accept) if p.q > 0]
    return ", ".join(ranges)


@dataclass(frozen=True)
class Preference:
    media_type: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        main, _, sub = self.media_type.partition("/")
        return 0 if main == "*" else 1 if sub == "*" else 2


def parse_accept(header: str | None) -> list[Preference]:
    """The Accept header's media ranges, best first (quality, then specificity, then order)."""
    if not header or not header.strip():
        return [Preference("*/*", 1.0, 0)]
    prefs: list[Preference] = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else f"{media}/*"
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        prefs.append(Preference(media, q, i))
    return sorted(prefs, key=lambda p: (-p.q, -p.specificity, p.order))


def _quality(media_type: str, prefs: list[Preference]) -> float:
    """The quality the client gives a media type: that of the most specific range matching it."""
    main, _, sub = media_type.partition("/")
    best: Preference | None = None
    for p in prefs:
        pm, _, ps = p.media_type.partition("/")
        if (
            (pm == "*" or pm == main)
            and (ps == "*" or ps == sub)
            and (best is None or p.specificity > best.specificity)
        ):
            best = p
    return best.q if best else 0.0


@lru_cache(maxsize=512)  # clients repeat their Accept header: negotiate it once
def choose(
    header: str | None, offered: tuple[Format, ...], *, what: str = "this resource"
) -> Format:
    """The offered format the client prefers; NotAcceptableError if none is acceptable.

    Ties go to the order of ``offered`` (the server's preference), so ``*/*`` gets the first.
    """
    prefs = parse_accept(header)
    best: tuple[float, int, int] | None = None
    chosen: Format | None = None
    for rank, fmt in enumerate(offered):
        for alias_rank, media in enumerate(fmt.matches()):
            q = _quality(media, prefs)
            if q <= 0:
                continue
            # an exact mention of the media type beats a wildcard match of equal quality;
            # an alias counts only when named (the response carries the canonical type)
            exact = any(p.media_type == media and p.q == q for p in prefs)
            if alias_rank > 0 and not exact:
                continue
            key = (q, 1 if exact else 0, -rank * 10 - alias_rank)
            if best is None or key > best:
                best, chosen = key, fmt
    if chosen is None:
        types = ", ".join(f.media_type for f in offered)
        raise NotAcceptableError(
            f"none of the media types in Accept ({header}) can be produced for {what}; "
            f"available: {types}",
            accept=header or "",
            available=[f.media_type for f in offered],
        )
    return chosen


def prefers_html(header: str | None) -> bool:
    """True when a browser asks (text/html ranked at least as high as any RDF or JSON type)."""
    if not header or "html" not in header.lower():  # most API clients: no parse needed
        return False
    prefs = parse_accept(header)
    html = max(_quality("text/html", prefs), _quality("application/xhtml+xml", prefs))
    if html <= 0 or not any(p.media_type in ("text/html", "application/xhtml+xml") for p in prefs):
        return False
    others = [
        _quality(m, prefs)
        for f in (*RDF, *RESULTS)
        for m in f.matches()
        if any(p.media_type == m for p in prefs)
    ]
    return html >= max(others, default=0.0)


def negotiate(
    accept: str | None,
    offered: tuple[Format, ...],
    *,
    given: str | None = None,
    what: str = "this resource",
    fallback: Format | None = None,
) -> Format:
    """The format of a response, decided here for every route, in this order:

    1. the format a client names (a suffix, ``format=``): the offered one with that key, or a
       BadInputError that lists the keys offered;
    2. HTML, when offered, for a browser (:func:`prefers_html`);
    3. the offered format the Accept header prefers, with its q-values (:func:`choose`); when
       none is acceptable, ``fallback`` if one is given, else a NotAcceptableError.
    """
    if given:
        for fmt in offered:
            if fmt.key == given:
                return fmt
        keys = [f.key for f in offered]
        listed = f"{', '.join(keys[:-1])} or {keys[-1]}" if len(keys) > 1 else keys[0]
        raise BadInputError(f"format {given!r} is unknown; use {listed}", format=given)
    if HTML in offered and prefers_html(accept):
        return HTML
    others = tuple(f for f in offered if f is not HTML)
    if not others:
        return HTML
    if fallback is not None:
        try:
            return choose(accept, others, what=what)
        except NotAcceptableError:
            return fallback
    return choose(accept, others, what=what)
