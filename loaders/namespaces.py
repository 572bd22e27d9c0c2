"""The vocabularies the code writes and reads: their namespace IRIs and their prefixes.

Every namespace the Python code names is declared here once; modules import the constants
(``from loaders.namespaces import DCAT``) and build terms as ``f"{DCAT}Dataset"``.

``PREFIXES`` is the one prefix table (prefix -> namespace) of the code: the prefixes of the
Turtle, TriG and RDF/XML it writes and of the prefixed names (CURIEs) it shows. A document
that needs only some of them takes them with ``select``, in the order it writes them
(``RESULT_PREFIXES``, ``DUMP_PREFIXES``); the catalogue's ``CATALOGUE_PREFIXES`` add the
DCAT-AP names.

The JSON-LD context (``ontology/context/v*.jsonld``) stays the source of the project's own
prefixes, its IRI spaces (``innovation:``, ``commune:``...), and declares the reused
vocabularies with the same prefixes and namespaces as this table
(``tests/unit/test_namespaces.py`` checks that they agree). ``endpoint.jsonldcontext.prefixes``
merges the two for pages and resource documents: this table first, then the context's
prefixes that it does not hold, with ``qpvkg:`` rebased on the server's base IRI.
"""

from __future__ import annotations

#: The project's IRI space, unless the settings give another (``QPVKG_BASE_IRI``).
DEFAULT_BASE_IRI = "https://w3id.org/qpvkg/"

# ----------------------------------------------------------------------------- W3C
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
DCAT = "http://www.w3.org/ns/dcat#"
ADMS = "http://www.w3.org/ns/adms#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SD = "http://www.w3.org/ns/sparql-service-description#"

# ----------------------------------------------------------------------------- others
DCT = "http://purl.org/dc/terms/"
#: the same namespace, under the name some modules give it
DCTERMS = DCT
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
VANN = "http://purl.org/vocab/vann/"
CPSV = "http://purl.org/vocab/cpsv#"
GEO = "http://www.opengis.net/ont/geosparql#"
#: GeoSPARQL's functions (geof:sfWithin)
GEOF = "http://www.opengis.net/def/function/geosparql/"
SF = "http://www.opengis.net/ont/sf#"
IGEO = "http://rdf.insee.fr/def/geo#"
#: DCAT-AP's own terms (dcatap:availability)
DCATAP = "http://data.europa.eu/r5r/"
#: the EU Publications Office's authority tables (file types, availability...)
EU = "http://publications.europa.eu/resource/authority/"
#: IANA's media types as the DCAT-AP catalogue names them (dcat:mediaType)
IANA = "http://www.iana.org/assignments/media-types/"
#: IANA's media types as the imports' DCAT snapshots name them (https, as written in
#: data/reference/: kept apart from ``IANA`` so that neither output changes)
IANA_MEDIA = "https://www.iana.org/assignments/media-types/"
#: Virtuoso's own datatypes (its geometry literals)
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"

# ----------------------------------------------------------------------------- the project
#: the qpvkg ontology under the default base IRI (``Settings.def_ns`` under the server's)
QPVKG = f"{DEFAULT_BASE_IRI}def#"

#: Prefix -> namespace: the prefixes of the graph's documents and of the names shown, in
#: this order (``qpvkg`` last: ``endpoint.jsonldcontext`` rebases it in place).
PREFIXES: dict[str, str] = {
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "foaf": FOAF,
    "org": ORG,
    "prov": PROV,
    "igeo": IGEO,
    "geo": GEO,
    "cpsv": CPSV,
    "sh": SH,
    "void": VOID,
    "spdx": SPDX,
    "vann": VANN,
    "sd": SD,
    "qpvkg": QPVKG,
}


def select(*names: str) -> dict[str, str]:
    """The prefixes ``names`` of ``PREFIXES``, in that order (the order a document lists them)."""
    return {name: PREFIXES[name] for name in names}


#: Query results and the Graph Store's answers in Turtle, TriG, RDF/XML (all of them written).
RESULT_PREFIXES = select("qpvkg", "rdf", "rdfs", "xsd", "skos", "dcterms", "org", "prov", "igeo")
#: The Turtle dump of the union graph.
DUMP_PREFIXES = select("qpvkg", "rdfs", "skos", "dcterms", "igeo", "org", "prov", "xsd")
#: The VoID description and the DCAT-AP catalogue: DCAT-AP's usual names (``dct:``, not
#: ``dcterms:``) and two vocabularies that only the catalogue uses (vCard, ADMS).
CATALOGUE_PREFIXES = {
    "dcat": DCAT,
    "dct": DCT,
    "foaf": FOAF,
    "vcard": VCARD,
    "void": VOID,
    "spdx": SPDX,
    "xsd": XSD,
    "rdfs": RDFS,
    "adms": ADMS,
}


# ----------------------------------------------------------------------------- terms
RDF_TYPE = f"{RDF}type"
RDFS_LABEL = f"{RDFS}label"
