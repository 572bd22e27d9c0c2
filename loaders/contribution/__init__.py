"""Partner contributions: one code path for the Graph Store Protocol
(``PUT/POST/DELETE /store?graph=IRI``) and for ``qpvkg contribute``.

- ``payload``: reading and checking a partner's body (formats, JSON-LD contexts, instance
  data only, the number of subjects);
- ``history``: the versions of a graph (their content kept in files, their records in the
  store) and the differences between two;
- ``provenance``: what the store records of each version (PROV-O, DCAT versions);
- ``locks``: one write at a time per graph, the validations running;
- ``write``: the write itself, its SPARQL update, rollback.
"""
