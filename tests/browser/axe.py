"""axe-core (vendored from npm under tests/browser/vendor/axe-core/, MPL-2.0) in a Playwright
page: installed as an init script, so the pages' Content-Security-Policy need not allow it, and
run on demand; its violations of serious or critical impact, one line each."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
GRAVE = ("serious", "critical")
#: Each violation as "rule (impact): target | what fails", for an assertion's message.
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.map(n => n.target.join(" ") + " | " +
      (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 200)),
  }));
}"""


def install(context: object) -> None:
    """Every page of the browser context gets `window.axe`."""
    context.add_init_script(path=str(AXE))  # type: ignore[attr-defined]


def violations(page: object) -> list[dict[str, object]]:
    """Every axe-core violation on the page as it is now: id, impact, nodes."""
    found: list[dict[str, object]] = page.evaluate(RUN)  # type: ignore[attr-defined]
    return found


def grave(found: list[dict[str, object]]) -> list[str]:
    """The violations of serious or critical impact, one line per element."""
    return [
        f"{v['id']} ({v['impact']}): {node}"
        for v in found
        if v["impact"] in GRAVE
        for node in v["nodes"]  # type: ignore[attr-defined]
    ]
