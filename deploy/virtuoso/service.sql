-- Only for a deployment that allows SERVICE endpoints (QPVKG_SERVICE_ALLOW): run once with
-- isql as dba after setup.sql. Virtuoso then calls those endpoints itself, for the anonymous
-- SPARQL user: qpvkg refuses any other SERVICE before the query reaches Virtuoso, so keep
-- Virtuoso's HTTP port reachable by qpvkg alone (the recipe listens on 127.0.0.1).
GRANT SELECT ON DB.DBA.SPARQL_SINV_2 TO "SPARQL";
GRANT EXECUTE ON DB.DBA.SPARQL_SINV_IMP TO "SPARQL";
