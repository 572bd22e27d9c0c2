# Remove the placements derived from one graph (?source, bound by
# loaders/location.py), and the qpvkg:locatedInQpv links no other graph's
# placement still supports. Runs in the same update as the graph's write, after
# it: Oxigraph takes no PREFIX after the first operation, so the IRIs are written whole.
DELETE {
  GRAPH <https://w3id.org/qpvkg/graph/derived/qpv-location> {
    ?placement ?p ?o .
    ?thing <https://w3id.org/qpvkg/def#locatedInQpv> ?qpv .
  }
}
WHERE {
  GRAPH <https://w3id.org/qpvkg/graph/derived/qpv-location> {
    ?placement <http://www.w3.org/ns/prov#wasDerivedFrom> ?source ;
      <https://w3id.org/qpvkg/def#placedThing> ?thing ;
      ?p ?o .
    OPTIONAL {
      ?placement <https://w3id.org/qpvkg/def#locatedInQpv> ?qpv .
      FILTER NOT EXISTS {
        ?other <https://w3id.org/qpvkg/def#placedThing> ?thing ;
          <https://w3id.org/qpvkg/def#locatedInQpv> ?qpv ;
          <http://www.w3.org/ns/prov#wasDerivedFrom> ?elsewhere .
        FILTER (?elsewhere != ?source)
      }
    }
  }
}
