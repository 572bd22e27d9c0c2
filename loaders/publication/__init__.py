"""Publishing the graph for open-data portals: dumps, a VoID description, a DCAT-AP catalogue.

A publication is a folder of files made from one store generation:

- ``qpvkg.nq.gz`` (every named graph), ``qpvkg.nt.gz``, ``qpvkg.ttl.gz``, ``qpvkg.jsonld.gz``
  (the union), written with pyoxigraph's serialisers, with their SHA-256 and byte sizes
  (``dumps``);
- ``void.*`` (``void``) and ``catalog.*`` (``dcat``) in Turtle, RDF/XML, JSON-LD and
  N-Triples (``descriptions``), their statistics computed once (``statistics``), their words
  read from ``publication/catalog.yaml`` through its model (``metadata``);
- ``publication.json``, what the folder holds.

Publications live under ``{store}-publish/``; the one served is named in ``CURRENT``, which
is replaced atomically once a new publication is complete, so readers never see half of one
(``publish``). ``qpvkg build`` publishes after loading; the server publishes again, in the
background, after each accepted contribution.
"""
