-- Run once with isql as dba, on a new database: isql-vt HOST:PORT dba PASSWORD setup.sql
-- (replace the password of qpvkg first, and dba's own; the tests use these on loopback).

-- The user qpvkg writes with: updates and the Graph Store Protocol need SPARQL_UPDATE.
DB.DBA.USER_CREATE ('qpvkg', 'qpvkg-secret');
GRANT SPARQL_UPDATE TO "qpvkg";

-- Virtuoso's own graphs (its quad maps, the OWL and LDP vocabularies, its DAV folder and
-- service description, named after the host of [URIQA] or "localuriqaserver") are made private: a query's default graph, the union of all graphs,
-- then holds qpvkg's graphs only, as over the other stores.
DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.openlinksw.com/schemas/virtrdf#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/2002/07/owl#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/ns/ldp#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localhost:8890/DAV/');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localhost:8890/sparql');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localuriqaserver/sparql');

-- Public graphs (qpvkg's): read by anyone, read and written by qpvkg; private ones: by neither.
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('qpvkg', 15, 0);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('qpvkg', 0, 1);
