"""Named-query headers: parsing, checks, and failures that break the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.errors import QueryDefinitionError, UnknownResourceError
from loaders.namedqueries import load_directory, load_named_queries, parse_query_file, split_header
from loaders.settings import Settings

GOOD = """#+ summary: Innovations d'un département
#+ tags: [innovations]
#+ params:
#+   - {name: code, type: string, required: true, example: "93"}
#+ expect: {min_rows: 1, columns: [i]}
SELECT ?i ?code WHERE { ?i <https://example.org/dep> ?code }
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_header_is_parsed(tmp_path: Path) -> None:
    query = parse_query_file(write(tmp_path, "by-dep", GOOD))
    assert query.name == "by-dep"
    assert query.summary == "Innovations d'un département"
    assert query.form == "SELECT"
    assert [p.name for p in query.params] == ["code"]
    assert query.params[0].required and query.params[0].example == "93"
    assert query.expect.min_rows == 1 and query.expect.columns == ("i",)
    assert query.sparql.startswith("SELECT")


def test_split_header_keeps_body() -> None:
    header, body = split_header("#+ summary: x\n#+ tags: [a]\nASK {}\n")
    assert header == "summary: x\ntags: [a]\n"
    assert body == "ASK {}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("#+ summary: [unclosed\nASK {}\n", "not valid YAML"),
        ("#+ summary: x\n#+ colour: red\nASK {}\n", "unknown header keys"),
        ("#+ tags: [a]\nASK {}\n", "needs a summary"),
        ("#+ summary: x\nSELECT WHERE {\n", "does not parse"),
        (
            "#+ summary: x\n#+ params:\n#+   - {name: missing}\nSELECT ?a WHERE { ?a ?b ?c }\n",
            "not a variable",
        ),
        (
            "#+ summary: x\n#+ params:\n#+   - {name: c, type: colour}\nSELECT ?c WHERE { ?a ?b ?c }\n",
            "unknown type",
        ),
        (
            "#+ summary: x\n#+ params:\n#+   - {name: c, type: concept}\nSELECT ?c WHERE { ?a ?b ?c }\n",
            "needs a scheme",
        ),
        (
            "#+ summary: x\n#+ params:\n#+   - {name: c, weight: 2}\nSELECT ?c WHERE { ?a ?b ?c }\n",
            "unknown parameter keys",
        ),
        (
            "#+ summary: x\n#+ params:\n#+   - {name: c}\nSELECT ?a WHERE { ?a ?b ?c }\n",
            "projected variables",
        ),
        ("#+ summary: x\n#+ expect: {rows: 3}\nASK {}\n", "expect must be"),
    ],
)
def test_bad_headers_fail(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(QueryDefinitionError, match=message):
        parse_query_file(write(tmp_path, "bad", text))


def test_file_names_are_kebab_case(tmp_path: Path) -> None:
    write(tmp_path, "Bad_Name", "#+ summary: x\nASK {}\n")
    with pytest.raises(QueryDefinitionError, match="kebab-case"):
        load_directory(tmp_path)


def test_forms_are_detected(tmp_path: Path) -> None:
    assert parse_query_file(write(tmp_path, "a", "#+ summary: x\nASK {}\n")).form == "ASK"
    construct = "#+ summary: x\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }\n"
    assert parse_query_file(write(tmp_path, "c", construct)).form == "CONSTRUCT"
    describe = "#+ summary: x\nDESCRIBE <https://example.org/x>\n"
    assert parse_query_file(write(tmp_path, "d", describe)).form == "DESCRIBE"


def test_base_iri_is_applied(tmp_path: Path) -> None:
    text = "#+ summary: x\nASK { <https://w3id.org/qpvkg/id/x> ?p ?o }\n"
    query = parse_query_file(write(tmp_path, "b", text), base_iri="https://kg.example.org/")
    assert "https://kg.example.org/id/x" in query.sparql
    assert "w3id.org" not in query.sparql


def test_repository_catalogue_loads(settings: Settings) -> None:
    catalog = load_named_queries(settings)
    assert len(catalog) >= 12
    for query in catalog.values():
        assert query.summary
        assert query.expect.min_rows is not None or query.expect.ask is not None, query.name


def test_unknown_query_name(settings: Settings) -> None:
    from loaders.namedqueries import get_query

    with pytest.raises(UnknownResourceError, match="no named query"):
        get_query(settings, "no-such-query")


def test_the_en_key_gives_the_english_summary_and_description(tmp_path: Path) -> None:
    text = GOOD.replace(
        "#+ tags:",
        '#+ en: {summary: "Innovations of a département", description: "By code."}\n#+ tags:',
    )
    query = parse_query_file(write(tmp_path, "by-dep", text))
    assert query.summary_in("en") == "Innovations of a département"
    assert query.description_in("en") == "By code."
    assert query.summary_in("fr") == "Innovations d'un département"
    bad = GOOD.replace("#+ tags:", "#+ en: {title: x}\n#+ tags:")
    with pytest.raises(QueryDefinitionError, match="en must be a mapping"):
        parse_query_file(write(tmp_path, "bad-en", bad))


def test_every_published_query_has_its_english_summary_and_description(
    settings: Settings,
) -> None:
    for name, query in load_named_queries(settings).items():
        assert query.summary_en and query.summary_en != query.summary, name
        assert query.description_en or not query.description, name
        for param in query.params:
            assert param.description_en, f"{name}: parameter {param.name} has no English"
            assert param.description_en != param.description, f"{name}: {param.name}"


def test_the_en_key_of_a_parameter_gives_its_english_description(tmp_path: Path) -> None:
    text = GOOD.replace(
        'example: "93"}',
        'example: "93", description: "Code Insee", en: {description: "Insee code"}}',
    )
    assert text != GOOD
    param = parse_query_file(write(tmp_path, "by-dep", text)).params[0]
    assert param.description_in("en") == "Insee code"
    assert param.description_in("fr") == "Code Insee"
    bad = GOOD.replace('example: "93"}', 'example: "93", en: {title: "y"}}')
    with pytest.raises(QueryDefinitionError, match="en key of parameter"):
        parse_query_file(write(tmp_path, "bad-param-en", bad))
