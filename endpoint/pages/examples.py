"""The Turtle examples of the shapes' page: a focus node of the store with its values for the
paths a shape checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox

from endpoint.jsonldcontext import qname
from endpoint.pages.terms import Row
from endpoint.sparqlterms import Term
from loaders.namespaces import RDF, XSD


def turtle_term(term: Term, prefixes: Mapping[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        name = qname(term.value, prefixes)
        return name if name != term.value else str(term)
    if isinstance(term, ox.Literal):
        text = str(term)
        datatype = term.datatype.value
        if term.language is None and datatype != f"{XSD}string":
            name = qname(datatype, prefixes)
            if name != datatype:
                text = text.replace(f"<{datatype}>", name)
        return text
    return "[]"


def turtle_example(
    focus: Term,
    values: Sequence[tuple[str, Term, list[tuple[str, Term]]]],
    keep: set[str],
    prefixes: Mapping[str, str],
) -> str:
    """A Turtle snippet: the focus node with its values for the kept paths, blank-node values
    written inline; at most three values a path."""

    def predicate(iri: str) -> str:
        return "a" if iri == f"{RDF}type" else turtle_term(ox.NamedNode(iri), prefixes)

    grouped: dict[str, list[str]] = {}
    for path, value, nested in values:
        if path not in keep:
            continue
        if isinstance(value, ox.BlankNode):
            inner = " ; ".join(
                f"{predicate(p)} {turtle_term(v, prefixes)}" for p, v in sorted(nested, key=str)
            )
            text = f"[ {inner} ]"
        else:
            text = turtle_term(value, prefixes)
        shown = grouped.setdefault(path, [])
        if text not in shown:
            shown.append(text)
    order = sorted(grouped, key=lambda p: (p != f"{RDF}type", predicate(p)))
    lines = []
    for path in order:
        objects = grouped[path]
        more = len(objects) > 3
        body = " ,\n        ".join(objects[:3]) + (" # …" if more else "")
        lines.append(f"    {predicate(path)} {body}")
    if isinstance(focus, ox.NamedNode):
        head = turtle_term(focus, prefixes)
        return head + "\n" + " ;\n".join(lines) + " ."
    return "[\n" + " ;\n".join(lines) + "\n] ."


def examples_of(
    rows: Iterable[Row],
) -> dict[str, tuple[Term, list[tuple[str, Term, list[tuple[str, Term]]]]]]:
    """shape IRI -> (focus node, [(path, value, [(nested path, nested value)])])."""
    out: dict[
        str, tuple[Term, dict[tuple[str, str], tuple[str, Term, list[tuple[str, Term]]]]]
    ] = {}
    for row in rows:
        shape, focus, path, value = (
            row.get("shape"),
            row.get("focus"),
            row.get("path"),
            row.get("value"),
        )
        if (
            not isinstance(shape, ox.NamedNode)
            or focus is None
            or not isinstance(path, ox.NamedNode)
            or value is None
        ):
            continue
        entry = out.setdefault(shape.value, (focus, {}))
        if entry[0] != focus:  # one focus node for each shape
            continue
        key = (path.value, str(value))
        item = entry[1].setdefault(key, (path.value, value, []))
        nested, nested_value = row.get("nested"), row.get("nestedValue")
        if isinstance(nested, ox.NamedNode) and nested_value is not None:
            pair = (nested.value, nested_value)
            if pair not in item[2]:
                item[2].append(pair)
    return {k: (focus, list(items.values())) for k, (focus, items) in out.items()}
