"""axe-core in the browser tests: the serious and critical accessibility violations of a page.

The vendored ``tests/vendor/axe-core/axe.min.js`` is evaluated in the page by Playwright
(which the page's Content-Security-Policy does not restrict), so the product serves nothing
for it.
"""

from functools import cache
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
IMPACTS = ("serious", "critical")

RUN = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.map(
      n => n.target.join(" ") + " " + (n.failureSummary || "").split("\\n").slice(1, 2).join("")
    )
  }));
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text()


def violations(page, impacts=IMPACTS) -> list[str]:
    """One line per serious or critical violation on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    found = page.evaluate(RUN)
    return [
        f"{v['id']} ({v['impact']}): " + " | ".join(v["nodes"][:3])
        for v in found
        if v["impact"] in impacts
    ]
