"""The one link rule of the templates: a local page, a web (http, https) IRI, or no link."""

from __future__ import annotations

import pytest

from endpoint.iris import href_of

BASE = "https://w3id.org/qpvkg/"


@pytest.mark.parametrize(
    ("iri", "href"),
    [
        (f"{BASE}id/commune/93066", "/id/commune/93066"),
        ("https://www.etalab.gouv.fr/licence", "https://www.etalab.gouv.fr/licence"),
        ("http://xmlns.com/foaf/0.1/homepage", "http://xmlns.com/foaf/0.1/homepage"),
        ("HTTPS://exemple.fr/", "HTTPS://exemple.fr/"),
        ("javascript:window.__xss=1", None),
        ("JavaScript:alert(1)", None),
        ("data:text/html,%3Cscript%3Ealert(1)%3C/script%3E", None),
        ("vbscript:msgbox(1)", None),
        ("mailto:contact@exemple.fr", None),
        ("urn:isbn:9782070360024", None),
        ("https", None),
    ],
)
def test_only_local_pages_and_web_iris_are_linked(iri: str, href: str | None) -> None:
    assert href_of(iri, BASE) == href
