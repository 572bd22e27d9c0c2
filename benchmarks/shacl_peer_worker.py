"""Validate each case of a job with one SHACL engine: run by benchmarks/contribution.py in the
peers' virtualenv, as ``python benchmarks/shacl_peer_worker.py JOB.json``.

It imports the standard library and the engine only (pyrudof, or pyshacl-turbo and its
rdflib), never qpvkg: the peers' virtualenv has nothing else. The job names the engine, the
shapes (N-Triples) and the cases (data file, repeats, whether to measure memory); the results
(times, peak RSS growth, conformance, the report's rows, an error) go to stdout as JSON.
"""

import gc
import json
import re
import sys
import time
from pathlib import Path


def status():
    text = Path("/proc/self/status").read_text()
    return {k: int(re.search(k + r":\s+(\d+)", text).group(1)) for k in ("VmRSS", "VmHWM")}


job = json.loads(Path(sys.argv[1]).read_text())
engine = job["engine"]
shapes = Path(job["shapes"]).read_text(encoding="utf-8")
start = time.perf_counter()
if engine.startswith("pyrudof"):
    import pyrudof

    version = pyrudof.__version__
    session = pyrudof.Rudof(pyrudof.RudofConfig())
    session.read_shacl(shapes, pyrudof.ShaclFormat.NTriples)

    def run(data):
        session.read_data(data, pyrudof.RDFFormat.NTriples, merge=False)
        report = session.validate_shacl()
        rows = [
            [e.focus_node, e.path, e.severity, e.constraint_component, e.source_shape, e.value]
            for e in report
        ]
        return bool(report.conforms), rows
else:
    import pyshacl_turbo
    from rdflib import BNode
    from rdflib.namespace import SH

    version = pyshacl_turbo.__version__
    compiled = pyshacl_turbo.compile_shapes(shapes, shacl_graph_format="nt", advanced=True)

    def term(graph, node, prop):
        value = graph.value(node, prop)
        if value is None:
            return None
        return "_:" + str(value) if isinstance(value, BNode) else str(value)

    def run(data):
        conforms, graph, _ = compiled.validate(
            data, data_graph_format="nt", allow_infos=True, allow_warnings=True
        )
        props = (
            SH.focusNode,
            SH.resultPath,
            SH.resultSeverity,
            SH.sourceConstraintComponent,
            SH.sourceShape,
            SH.value,
        )
        rows = [[term(graph, n, p) for p in props] for n in graph.objects(None, SH.result)]
        return bool(conforms), rows


out = {"engine": engine, "version": version, "setup_s": time.perf_counter() - start, "cases": {}}
for case in job["cases"]:
    data = Path(case["data"]).read_text(encoding="utf-8")
    times, growth, conforms, rows, error = [], None, None, [], None
    try:
        for i in range(case["repeats"]):
            gc.collect()
            if i == 0 and case.get("memory"):
                Path("/proc/self/clear_refs").write_text("5")
                before = status()["VmRSS"]
            t = time.perf_counter()
            conforms, rows = run(data)
            times.append(time.perf_counter() - t)
            if i == 0 and case.get("memory"):
                growth = status()["VmHWM"] - before
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    out["cases"][case["name"]] = {
        "times": times,
        "rss_growth_kib": growth,
        "conforms": conforms,
        "results": rows,
        "error": error,
    }
json.dump(out, sys.stdout)
