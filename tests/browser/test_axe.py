"""axe-core on every page, in the light and the dark theme: no violation of the WCAG 2.0/2.1
A and AA rules (issue 23).

axe-core's axe.min.js comes from the PyPI package axe-playwright-python (pinned in
requirements-dev.txt); benchmarks/axe_report.py injects and runs it (``audit``) and holds the
pages and states checked (``STATES``: the seven pages, a teacher's page with a class opened
and a question asked, a student's page joined to that class). A server is started per theme
with ``--theme.base``, the theme a user also gets from the app's menu. Each page is audited
once its run has finished and its figures are drawn (``settle``).

The contrast fixes for Streamlit's own captions and slider values are CSS, in
explorer/touch.css (no [theme] option of Streamlit 1.67 reaches those colours alone).
"""

import pytest

from benchmarks.axe_report import STATES, VIEWPORT, audit, axe_version, describe


def test_the_axe_core_version():
    """The pinned package ships the axe-core the report names (4.12.x: WCAG 2.1 rules)."""
    assert axe_version().startswith("4.12."), axe_version()


@pytest.mark.parametrize("state", list(STATES))
def test_no_axe_violation(browser, themed_server, state):
    theme, base = themed_server
    context = browser.new_context(viewport=VIEWPORT)
    errors = []
    context.on("weberror", lambda e: errors.append(str(e.error)))
    try:
        page = STATES[state](context, base)
        assert page.locator('[data-testid="stException"]').count() == 0
        violations = audit(page)
    finally:
        context.close()
    assert not violations, f"{state}, {theme} theme, axe-core {axe_version()}:\n" + "\n".join(
        describe(violations))
    assert errors == []


def test_a_violation_is_found(browser, themed_server):
    """The audit can fail: a caption made faint, and an image without a text alternative,
    are reported with their rule ids."""
    theme, base = themed_server
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = STATES["welcome"](context, base)
        page.evaluate("""() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const p = document.createElement('p');
            p.textContent = 'faint text';
            p.style.opacity = '0.25';
            const img = document.createElement('img');
            img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
            main.prepend(p, img);
        }""")
        ids = {v["id"] for v in audit(page)}
    finally:
        context.close()
    assert {"color-contrast", "image-alt"} <= ids, ids
