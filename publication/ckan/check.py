"""The catalogue as CKAN harvests it: parsed by ckanext-dcat's own RDFParser (profile
euro_dcat_ap_3), every dataset must come with its licence, its distributions, their formats,
and the dumps with their sizes and checksums; titles in French when the portal's locale is
French. Run by ``make check-ckan`` in its own environment (publication/ckan/requirements.txt):
CKAN is far heavier than qpvkg's own dependencies.

Usage: python publication/ckan/check.py CATALOG.ttl
Exit 0 when every check passes, 1 otherwise (each failure printed), 2 for a usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LICENCE_ID = "lov2"  # the id publication/ckan/licenses.json gives the Licence Ouverte 2.0


def configure(locale: str) -> None:
    """CKAN's settings the parser reads: the portal's locale and its licence register (a
    French portal lists the Licence Ouverte; CKAN's default register does not)."""
    from ckan.common import config

    config["ckan.locale_default"] = locale
    config["licenses_group_url"] = f"file://{HERE / 'licenses.json'}"


def parse(data: bytes, locale: str) -> list[dict]:  # type: ignore[type-arg]
    configure(locale)
    from ckanext.dcat.processors import RDFParser

    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    parser.parse(data, _format="turtle")
    return list(parser.datasets())


def french_titles(data: bytes) -> dict[str, str]:
    import rdflib
    from rdflib.namespace import DCAT, DCTERMS, RDF

    graph = rdflib.Graph().parse(data=data, format="turtle")
    out = {}
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        for title in graph.objects(dataset, DCTERMS.title):
            if getattr(title, "language", None) == "fr":
                out[str(dataset)] = str(title)
    return out


def check(data: bytes) -> list[str]:
    failures: list[str] = []
    titles = french_titles(data)
    datasets = parse(data, "fr")
    if len(datasets) != len(titles) or len(datasets) < 4:
        failures.append(f"{len(datasets)} datasets parsed, {len(titles)} in the catalogue")
    for d in datasets:
        uri = next((e["value"] for e in d.get("extras", []) if e["key"] == "uri"), "?")
        if d.get("license_id") != LICENCE_ID:
            failures.append(f"{uri}: licence {d.get('license_id')!r}, not {LICENCE_ID!r}")
        if uri in titles and d.get("title") != titles[uri]:
            failures.append(f"{uri}: title {d.get('title')!r}, not the French one")
        resources = d.get("resources", [])
        if not resources:
            failures.append(f"{uri}: no distribution")
        for r in resources:
            where = f"{uri} / {r.get('url') or r.get('download_url')}"
            if not r.get("format"):
                failures.append(f"{where}: no format")
            if not r.get("license"):
                failures.append(f"{where}: no licence")
            if "/dumps/" in (r.get("download_url") or ""):
                if not isinstance(r.get("size"), int) or r["size"] <= 0:
                    failures.append(f"{where}: no size")
                if len(r.get("hash") or "") != 64:
                    failures.append(f"{where}: no SHA-256")
    if not any("/dumps/" in (r.get("download_url") or "") for d in datasets for r in d["resources"]):
        failures.append("no dump among the distributions")
    print(
        f"{len(datasets)} datasets, "
        f"{sum(len(d['resources']) for d in datasets)} distributions parsed by ckanext-dcat"
    )
    for d in datasets:
        print(f"  {d.get('title')} [{d.get('license_id')}]: {len(d['resources'])} distributions")
    return failures


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not Path(argv[1]).is_file():
        print(__doc__, file=sys.stderr)
        return 2
    failures = check(Path(argv[1]).read_bytes())
    for failure in failures:
        print(f"FAIL {failure}")
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
