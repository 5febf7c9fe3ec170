"""axe-core (from the npm lock, ``make node-packages``) run in the page as it stands: a serious or
critical violation fails the test with the rule, its help text and the offending elements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}


def violations(page: Page, *, within: str | None = None) -> list[dict[str, Any]]:
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make node-packages`")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the pages' Content-Security-Policy (no
        # inline or foreign scripts) rightly does not let a <script> tag do.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found: list[dict[str, Any]] = page.evaluate(
        """async (within) => {
            // Colours half-way through a dialog's fade-in are not what anyone reads.
            await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)));
            const result = await axe.run(within ? document.querySelector(within) : document,
                                         { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }""",
        within,
    )
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def assert_accessible(page: Page, where: str, *, within: str | None = None) -> None:
    """No serious or critical axe violation on ``page`` (``where`` names the screen in the failure)."""
    found = violations(page, within=within)
    assert not found, f"{where}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][:3]}" for v in found
    )
