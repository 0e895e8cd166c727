"""Accessibility audit: axe-core's WCAG 2.0/2.1 A and AA rules on every page, in Streamlit's
light and dark themes (issue 23).

A server is started per theme (``--theme.base light`` / ``dark``, with a class database of
its own) and each page is opened in Chromium, left to finish its run and draw its figures,
then axe-core (the ``axe.min.js`` shipped by the PyPI package axe-playwright-python, pinned
in requirements-dev.txt) is injected and run with the tags wcag2a, wcag2aa, wcag21a and
wcag21aa. Besides the seven pages, two states of a live class: the teacher's page with a
class opened and a question asked, and a student's page joined to it.

Prints, per page and theme, the number of violated rules, the elements concerned, and the
rules' ids; with ``-v`` the first elements' selectors too. Exits 1 if any rule is violated.

    PYTHONPATH=. .venv/bin/python benchmarks/axe_report.py
    PYTHONPATH=. .venv/bin/python benchmarks/axe_report.py --theme dark -v

tests/browser/test_axe.py runs the same audit (``audit``, ``STATES``, ``settle``) and fails
on any violation.
"""

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import free_port, start_server, stop_server  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
THEMES = ("light", "dark")
TIMEOUT = 30_000   # ms
VIEWPORT = {"width": 1400, "height": 1000}

# The script run has finished, no element still shows Streamlit's loading skeleton, the
# Step page's component (.bp-stepper) has drawn its step and typeset its equation, and every
# plotly chart shown is laid out.
SETTLED_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stSkeleton"], .stSkeleton')) return false;
    const steppers = [...document.querySelectorAll('.bp-stepper')];
    if (!steppers.every(r => r.dataset.drawn !== undefined
            && (!r.querySelector('.bp-rule').textContent || r.querySelector('.bp-rule .katex'))))
        return false;
    return [...document.querySelectorAll('.js-plotly-plot')]
        .filter(el => el.offsetParent !== null)
        .every(el => el._fullLayout && el.querySelector('.main-svg'));
}"""


def settle(page, timeout=TIMEOUT):
    """Wait until the page has finished its run and drawn its figures (SETTLED_JS), then
    for the charts' own resize pass and Streamlit's fade-in of elements."""
    page.wait_for_function(SETTLED_JS, timeout=timeout)
    page.wait_for_timeout(600)
    page.wait_for_function(SETTLED_JS, timeout=timeout)


def axe_script():
    """axe-core's axe.min.js, as shipped by axe-playwright-python."""
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def axe_version():
    return re.search(r"axe v([\d.]+)", axe_script()).group(1)


# axe.run, watching the app meanwhile: a rerun (the live class's pages refresh themselves
# every few seconds) greys the elements it will replace (data-stale), which axe would then
# measure. "quiet": no run started or element went stale while axe looked.
AXE_RUN_JS = """async (tags) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const busy = () => app.dataset.testScriptState !== 'notRunning'
        || document.querySelector('[data-stale="true"]') !== null;
    let changed = busy();
    const watch = new MutationObserver(() => { changed = changed || busy(); });
    watch.observe(document.body, {attributes: true, subtree: true,
                                  attributeFilter: ['data-test-script-state', 'data-stale']});
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                            resultTypes: ['violations']});
    watch.disconnect();
    return {violations: result.violations, quiet: !changed && !busy()};
}"""


def audit(page, tries=5):
    """axe-core's violations of the WCAG 2.0/2.1 A and AA rules on ``page`` as it is now: a
    list of {id, impact, help, nodes: [{target, html, summary}]}. Audited again (up to
    ``tries`` times) when the page reran while axe looked."""
    page.evaluate(axe_script())
    for _ in range(tries):
        page.wait_for_function(SETTLED_JS, timeout=TIMEOUT)
        result = page.evaluate(AXE_RUN_JS, TAGS)
        if result["quiet"]:
            break
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [{"target": n["target"], "html": n["html"][:160],
                        "summary": n.get("failureSummary", "")} for n in v["nodes"]]}
            for v in result["violations"]]


def describe(violations, nodes=3):
    """Lines saying each violation: rule id, impact, how many elements, the first ones'
    selectors and what is wrong with the first."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}), {len(v['nodes'])} element(s): {v['help']}")
        for n in v["nodes"][:nodes]:
            lines.append(f"    {' > '.join(map(str, n['target']))}")
        if v["nodes"]:
            lines.append("    " + v["nodes"][0]["summary"].replace("\n", " ")[:300])
    return lines


# The pages and states audited ----------------------------------------------------------

def _open(path):
    def go(context, base):
        page = context.new_page()
        page.goto(base + path, timeout=TIMEOUT)
        settle(page)
        return page
    return go


def teacher_asked(context, base):
    """The Teach page with a class opened and the default step asked of it. The page's
    class code is kept in page.class_code for ``student_joined``."""
    page = _open("/Teach")(context, base)
    page.get_by_role("button", name="Open a class").click()
    page.wait_for_url(re.compile(r"[?&]class=\w+"), timeout=TIMEOUT)
    page.get_by_role("button", name="Ask the class").click()
    page.get_by_text("Question 1:").first.wait_for(timeout=TIMEOUT)
    settle(page)
    return page


def student_joined(context, base):
    """A student's Class page joined to a class that has been asked a question (a teacher's
    page opens it first, in the same context)."""
    teacher = teacher_asked(context, base)
    code = re.search(r"[?&]class=(\w+)", teacher.url).group(1)
    teacher.close()
    page = _open(f"/Class?code={code}")(context, base)
    page.get_by_role("textbox", name="Nickname").fill("Ada")
    page.get_by_role("button", name="Join").click()
    page.get_by_text("Question 1:").first.wait_for(timeout=TIMEOUT)
    settle(page)
    return page


# name -> function (browser context, base URL) -> the page, settled
STATES = {
    "welcome": _open("/"),
    "network": _open("/Network"),
    "step_through": _open("/Step_through"),
    "gradient_check": _open("/Gradient_check"),
    "train": _open("/Train"),
    "class": _open("/Class"),
    "teach": _open("/Teach"),
    "teach_asked": teacher_asked,
    "class_joined": student_joined,
}


def run(themes, states, verbose):
    from playwright.sync_api import sync_playwright

    table = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        os.environ["BACKPROP_CLASS_DB"] = str(Path(tmp) / "classes.sqlite3")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for theme in themes:
            port = free_port()
            proc = start_server(port, ["--theme.base", theme],
                                log_path=Path(tmp) / f"streamlit_{theme}.log")
            try:
                for name in states:
                    context = browser.new_context(viewport=VIEWPORT)
                    try:
                        page = STATES[name](context, f"http://127.0.0.1:{port}")
                        violations = audit(page)
                    finally:
                        context.close()
                    table[name, theme] = violations
                    ids = " ".join(f"{v['id']}×{len(v['nodes'])}" for v in violations)
                    print(f"{name:15s} {theme:5s} {len(violations):2d} rule(s) "
                          f"{sum(len(v['nodes']) for v in violations):3d} element(s)  {ids}",
                          flush=True)
                    if verbose and violations:
                        print("\n".join("    " + line for line in describe(violations, 5)))
            finally:
                stop_server(proc)
        browser.close()
    return table


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--theme", choices=THEMES, action="append",
                    help="only this theme (repeatable); default both")
    ap.add_argument("--page", choices=list(STATES), action="append",
                    help="only this page or state (repeatable); default all")
    ap.add_argument("-v", "--verbose", action="store_true", help="the elements' selectors")
    args = ap.parse_args(argv)
    print(f"axe-core {axe_version()}, rules tagged {', '.join(TAGS)}")
    table = run(args.theme or THEMES, args.page or list(STATES), args.verbose)
    total = sum(len(v) for v in table.values())
    print(f"total: {total} rule violation(s) over {len(table)} page×theme")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
