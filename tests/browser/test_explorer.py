"""The explorer in a real Chromium: what a person sees.

- every page opened cold by its URL, on a server started for it alone, draws its heatmaps
  (where it has any) with no exception box and no console error;
- Next and Prev change the step and the heatmaps' cells (the package's numbers where
  known, none where not);
- clicking a cell of a heatmap explains that cell, with the numbers plugged in;
- emptying a cell of a weight table is reported beside it, and a typed number is used
  by every page;
- no figure draws a label over another or outgrows its margins, and the sidebar lists
  each page once.

Screenshots of every page go to artifacts/ (gitignored), to look at after a run. Timeouts
are generous: the tests wait for states, they never judge how long something took.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import serve, wait_for_run
from step_dom import OUTSIDE_JS, OVERLAPS_JS, STEPPER, cell_centre, panels, wait_for_drawn

from backprop.explain import explain
from backprop.explain.steps import steps
from explorer.presets import DEFAULT, PRESETS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
TIMEOUT = 30_000      # ms
PLOT = '.js-plotly-plot'
EXCEPTION = '[data-testid="stException"]'
NET, X, Y = PRESETS[DEFAULT].make()
TRACE = NET.backprop(X, Y)
STEPS = steps(NET, TRACE)

# The LaTeX source of every formula after the heading "Where does this number come
# from?" (KaTeX keeps it in the MathML annotation).
DERIVATION_JS = """() => {
    const h = [...document.querySelectorAll('h4')]
        .find(h => h.textContent.includes('Where does this number come from?'));
    if (!h) return null;
    return [...document.querySelectorAll('.katex-mathml annotation')]
        .filter(a => h.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING)
        .map(a => a.textContent);
}"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def screenshot(page, name):
    """A screenshot of the whole page (Streamlit scrolls inside its own container, so the
    viewport is made as tall as the content first)."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("""() => Math.max(...['stMainBlockContainer', 'stSidebarContent']
        .map(id => document.querySelector(`[data-testid="${id}"]`))
        .filter(Boolean).map(e => e.scrollHeight)) + 200""")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.wait_for_timeout(300)      # let the charts settle at the new size
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)


def network_chart(page):
    """{(quantity, l): (known, values)} of the figure of the whole network (its cells'
    data-known and data-v, step_dom.panels), once a step is drawn (on a cold server the
    first run can end before the component is mounted)."""
    page.wait_for_selector(f"{STEPPER}[data-drawn] .bp-net .bp-panel", timeout=TIMEOUT)
    return panels(page)


def subheader(page):
    return page.locator("h3").filter(has_text=re.compile(r"^Step \d+ of")).first.text_content()


def assert_no_errors(page, page_errors):
    assert page.locator(EXCEPTION).count() == 0
    alerts = page.locator('[data-testid="stAlert"]').all_text_contents()
    assert not [a for a in alerts if "Sorry" in a], alerts
    assert page_errors == []


def wait_for_step(page, i):
    """Wait until the page shows step i (0-based) and its run has finished."""
    page.wait_for_function(
        """(title) => [...document.querySelectorAll('h3')]
            .some(h => h.textContent.startsWith(title))""",
        arg=f"Step {i + 1} of {len(STEPS)}", timeout=TIMEOUT)
    wait_for_drawn(page, i)              # the component's DOM is at step i too
    wait_for_run(page)


def click_next(page, i):
    page.get_by_role("button", name="Next ▶").click()
    wait_for_step(page, i)


def check_against_package(chart, i):
    """The network chart at step i holds the package's numbers where known (data-v is the
    float64 as JavaScript prints it: it reads back exactly), none elsewhere."""
    done = {(s.quantity, s.l) for s in STEPS[: i + 1]}
    assert set(chart) == {(q, l) for q in ("z", "a", "delta") for l in range(1, NET.L + 1)
                          if (q, l) != ("z", 1) and (q, l) != ("delta", 1)}, sorted(chart)
    for (q, l), (is_known, z) in chart.items():
        assert is_known == ((q, l) in done), (q, l)
        if is_known:
            np.testing.assert_allclose(z.ravel(), getattr(TRACE, q)[l], rtol=0, atol=0)
        else:
            assert np.isnan(z).all(), (q, l)


# --- every page, opened cold ----------------------------------------------------------

COLD = [("/", "welcome", 0), ("/Network", "network", 0), ("/Step_through", "step_through", 1),
        ("/Gradient_check", "gradient_check", 0)]


@pytest.mark.parametrize("path, name, charts", COLD, ids=[c[1] for c in COLD])
def test_page_opened_cold_by_its_url_draws_without_errors(page, fresh_server, page_errors,
                                                        path, name, charts):
    page.goto(fresh_server + path, timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    assert page.locator("h1").first.text_content().strip()
    if charts:   # the Step page's component, at step 1
        chart = network_chart(page)
        assert page.locator(f"{STEPPER} .bp-net .bp-fig").count() == charts
        known = {key: z for key, (is_known, z) in chart.items() if is_known}
        assert known, "something is drawn in the network figure"
        for key, z in known.items():
            assert not np.isnan(z).any(), key
        # every known cell is painted in its colour, with its number on it
        unpainted = page.evaluate("""() => [...document.querySelectorAll(
            '.bp-net .bp-panel[data-known="1"] .bp-cell')].filter(c =>
                !c.style.background || !c.textContent.trim()).length""")
        assert unpainted == 0
        assert page.locator(f"{STEPPER} .bp-net .bp-panel[data-known='1'] .bp-cell").count() \
            == sum(z.size for z in known.values())
    tables = {"/Network": 2 + 2 * (NET.L - 1), "/Gradient_check": 3}.get(path, 0)
    if tables:   # x, y, w^l, b^l; the gradient check and the two ∂C/∂w matrices
        page.wait_for_function(
            "(n) => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
            ".filter(t => t.querySelector('canvas')).length === n", arg=tables,
            timeout=TIMEOUT)
    if path == "/":
        assert page.get_by_text("layer 1 is the input", exact=False).count() >= 1
    screenshot(page, f"cold_{name}")
    assert_no_errors(page, page_errors)


@pytest.mark.parametrize("tail", ["", "/"], ids=["page", "page-slash"])
def test_the_step_charts_draw_under_a_base_url_path(page, tmp_path, page_errors, tail):
    """Served under a path (server.baseUrlPath, as behind a course site's proxy), the Step
    page's component (explorer/figures/chart.js) loads KaTeX, and plotly.js for σ's curve,
    from the app's own address, also when the page's address ends in "/"."""
    with serve(tmp_path, base_path="course/bp") as base:
        loaded = []
        page.on("response", lambda r: loaded.append((r.status, r.url))
                if r.url.endswith((".min.js")) and "/component/" in r.url else None)
        page.goto(f"{base}/Step_through{tail}", timeout=TIMEOUT)
        wait_for_run(page, TIMEOUT)
        assert network_chart(page), "the network figure is drawn"
        page.wait_for_selector(f"{STEPPER} .bp-rule .katex", timeout=TIMEOUT)   # typeset
        sigma = next(s.index for s in STEPS if s.kind == "a" and s.l == 2)
        for i in range(1, sigma + 1):
            click_next(page, i)
        page.wait_for_function("""() => [...document.querySelectorAll('.bp-focus-fig .bp-plotly')]
            .some(el => el.offsetParent !== null && el._fullLayout
                  && el.querySelector('.scatterlayer path'))""", timeout=TIMEOUT)
        component = f"{base}/component/explorer.figures.chart"
        assert sorted(loaded) == [(200, f"{component}.katex_js/katex.min.js"),
                                  (200, f"{component}.plotly_js/plotly.min.js")]
        assert_no_errors(page, page_errors)


# --- Step through: Next and Prev ---------------------------------------------------------

def test_next_and_prev_change_the_step_and_the_heatmaps(page, app_server, page_errors):
    page.goto(app_server + "/Step_through", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    wait_for_step(page, 0)
    prev = page.get_by_role("button", name="◀ Prev")
    assert prev.is_disabled()
    assert subheader(page).startswith(f"Step 1 of {len(STEPS)}")
    before = network_chart(page)
    check_against_package(before, 0)

    charts = [before]
    for i in range(1, 5):     # z², a², z³, a³: each step fills in one more heatmap
        click_next(page, i)
        assert STEPS[i].title in subheader(page)
        chart = network_chart(page)
        check_against_package(chart, i)
        assert not np.array_equal(chart[(STEPS[i].quantity, STEPS[i].l)][1],
                                  charts[-1][(STEPS[i].quantity, STEPS[i].l)][1],
                                  equal_nan=True)
        charts.append(chart)
    assert not prev.is_disabled()

    prev.click()
    wait_for_step(page, 3)
    assert STEPS[3].title in subheader(page)
    chart = network_chart(page)
    check_against_package(chart, 3)
    assert not chart[("a", 3)][0], "a³ is not yet computed again"
    screenshot(page, "step_through_step4")

    for i in range(4, len(STEPS)):
        click_next(page, i)
    assert page.get_by_role("button", name="Next ▶").is_disabled()
    check_against_package(network_chart(page), len(STEPS) - 1)
    screenshot(page, "step_through_last")
    assert_no_errors(page, page_errors)


# --- the Network page: edit a table ------------------------------------------------------

def edit_first_row_last_column(page, grid, keys, then):
    """Select the cell in the first row and last column of ``grid``, press ``keys``, and
    wait for ``then`` (a locator and its state). The grid is drawn on a canvas: the cell
    is found by geometry (header and rows are 35 px high), and a click made while the
    grid is still being laid out may not select it, so this tries up to three times."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    locator, state = then
    for attempt in range(3):
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + box["width"] - 12, box["y"] + 35 + 17)
        page.wait_for_timeout(200)
        for key in keys:
            page.keyboard.press(key)
            page.wait_for_timeout(150)  # a first character opens the cell's editor
        try:
            locator.wait_for(state=state, timeout=10_000 if attempt < 2 else TIMEOUT)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    wait_for_run(page)
    return grid.bounding_box()


def test_editing_a_weight_table_reports_a_bad_cell_and_uses_a_good_one(page, app_server,
                                                                      page_errors):
    page.goto(app_server + "/Network", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    tables = page.locator('[data-testid="stDataFrame"]')
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
                           ".filter(t => t.querySelector('canvas')).length === 6",
                           timeout=TIMEOUT)
    w2 = tables.nth(2)                  # x, y, then w², b², w³, b³
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="row j=1, column k=2")
    box = edit_first_row_last_column(page, w2, ["Delete"], (alert, "visible"))  # empty it
    text = alert.text_content()
    assert "is empty" in text and "last valid" in text, text
    # beside its table: right under w², above the next layer's heading
    a, h5 = alert.bounding_box(), page.locator("h5", has_text="Layer 3").bounding_box()
    assert box["y"] + box["height"] <= a["y"] < h5["y"], (box, a, h5)
    screenshot(page, "network_bad_cell")

    edit_first_row_last_column(page, w2, ["0", ".", "7", "Enter"], (alert, "detached"))
    screenshot(page, "network_edited")

    # every page follows: the Step-through page computes z² with w²₁₂ = 0.7
    page.get_by_role("link", name="Step through one example").first.click()
    wait_for_step(page, 0)
    click_next(page, 1)
    w = NET.w[2].copy()
    w[0, 1] = 0.7
    edited = NET.replace(weights=[w, NET.w[3]])
    known, z2 = network_chart(page)[("z", 2)]
    assert known
    np.testing.assert_allclose(z2.ravel(), edited.backprop(X, Y).z[2], rtol=1e-12)
    assert not np.allclose(z2.ravel(), TRACE.z[2])
    assert_no_errors(page, page_errors)


# --- explain any number: click a cell ---------------------------------------------------

def slide_to(page, i):
    """Move the step slider to step i with the keyboard (→ from step 1), one step at a
    time."""
    slider = page.locator(f'{STEPPER} input.bp-slider[type="range"]')
    for s in range(1, i + 1):
        slider.focus()
        page.keyboard.press("ArrowRight")
        wait_for_step(page, s)


def click_cell(page, cell):
    at = cell_centre(page, cell)
    assert at, f"no heatmap for {cell}"
    page.mouse.move(at["x"], at["y"])
    page.mouse.click(at["x"], at["y"])


def shown_derivation(page):
    return "\n".join(page.evaluate(DERIVATION_JS) or [])


def wait_for_derivation(page, lines, cell=None):
    """Wait until the derivation shows ``lines`` (and is that of ``cell``, when given)."""
    if cell is not None:
        q, l, j, k = cell
        page.wait_for_selector(f'{STEPPER} .bp-derivation[data-cell="{q},{l},{j},{k or ""}"]',
                               timeout=TIMEOUT)
    page.wait_for_function(
        f"""(lines) => {{ const shown = ({DERIVATION_JS})();
            return shown !== null && lines.every(l => shown.includes(l)); }}""",
        arg=list(lines), timeout=TIMEOUT)
    wait_for_run(page)


def test_clicking_a_heatmap_cell_shows_its_derivation(page, app_server, page_errors):
    page.goto(app_server + "/Step_through", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    wait_for_step(page, 0)
    # The BP2 step: z, a and δ of every layer are known, and it explains δ²₁ by default.
    bp2 = next(s.index for s in STEPS if s.kind == "BP2")
    slide_to(page, bp2)
    wait_for_derivation(page, explain(NET, TRACE, "delta", 2, 1).lines)

    # cells of the network figure, then a cell of w³ in the figure beside the equation;
    # δ²₁ (the worked example) comes second, so its click must change what is shown
    for cell in (("a", 2, 2, None), ("delta", 2, 1, None), ("z", 3, 2, None),
                 ("a", 1, 2, None), ("w", 3, 2, 1)):
        click_cell(page, cell)
        d = explain(NET, TRACE, *cell)
        wait_for_derivation(page, d.lines, cell)
        shown = shown_derivation(page)
        assert d.lines[-1] in shown, cell
        assert subheader(page).startswith(f"Step {bp2 + 1} of"), "a click keeps the step"
        if cell == ("delta", 2, 1, None):
            assert r"0.4\cdot0.1385" in shown and "0.008771" in shown
            screenshot(page, "step_through_clicked_delta2_1")
    assert_no_errors(page, page_errors)


# --- what a person sees -----------------------------------------------------------------

# Pairs of annotations (titles, labels) of a plotly chart shown (on the Step page: σ's
# curve) whose boxes overlap by more than 1 px. The heatmaps: step_dom.OVERLAPS_JS.
PLOTLY_OVERLAPS_JS = """() => [...document.querySelectorAll('%s')]
    .filter(el => el.offsetParent !== null).map(el => {
    const boxes = [...el.querySelectorAll('.annotation-text-g')]
        .map(g => [g.textContent.replace(/\\u200b/g, ''), g.getBoundingClientRect()]);
    const out = [];
    boxes.forEach(([s, a], i) => boxes.slice(i + 1).forEach(([t, b]) => {
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) out.push(`"${s}" and "${t}"`);
    }));
    return {meta: el.layout.meta, overlaps: out};
})""" % PLOT


def test_no_figure_has_overlapping_labels_at_any_step(page, app_server, page_errors):
    """At 1400 × 1000 px, a common laptop screen, every title and label of every figure
    (the component's heatmaps and σ's plotly curve) can be read: none is drawn over
    another."""
    page.goto(app_server + "/Step_through", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    wait_for_step(page, 0)
    found, curves = {}, 0
    for i, step in enumerate(STEPS):
        if i:
            click_next(page, i)
        figs = page.evaluate(OVERLAPS_JS)
        assert figs and all(f["texts"] for f in figs), f"step {i + 1}: texts of {figs}"
        plotly = page.evaluate(PLOTLY_OVERLAPS_JS)
        curves += len(plotly)
        for fig in figs + [{"name": f["meta"], **f} for f in plotly]:
            if fig["overlaps"]:
                found[f"step {i + 1} ({step.title}), figure {fig['name']}"] = fig["overlaps"]
                screenshot(page, f"overlap_step{i + 1}")
    assert curves, "σ's curve was shown at some step"
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())


# Every chart's margins as given, and as plotly.js laid the chart out (its _size); and
# by how many pixels a colour bar sticks out of the chart (where margins do not grow).
MARGINS_JS = """() => [...document.querySelectorAll('%s')]
    .filter(el => el.offsetParent !== null).map(el => {
    const svg = el.querySelector('.main-svg').getBoundingClientRect();
    return {meta: el.layout.meta, given: el.layout.margin,
            drawn: Object.fromEntries(['l', 'r', 't', 'b'].map(k => [k, el._fullLayout._size[k]])),
            out: [...el.querySelectorAll('.colorbar')].map(c => c.getBoundingClientRect())
                .map(r => Math.max(svg.left - r.left, r.right - svg.right,
                                   svg.top - r.top, r.bottom - svg.bottom))};
})""" % PLOT


def outgrown(page, where):
    """{"<where>, figure <meta>": what did not fit} for every chart on the page."""
    found = {}
    for fig in page.evaluate(MARGINS_JS):
        wider = {k: (fig["given"][k], round(v, 1)) for k, v in fig["drawn"].items()
                 if abs(v - fig["given"][k]) > 0.5}
        if any(o > 0.5 for o in fig["out"]):
            wider["colour bar out by px"] = max(fig["out"])
        if wider:
            found[f"{where}, figure {fig['meta']}"] = wider
    return found


@pytest.mark.parametrize("which", [
    "default", "6x16"])
def test_every_figure_fits_in_its_own_margins_at_every_step(page, app_server, page_errors,
                                                            which):
    """A colour bar, a tick label or an axis title that does not fit in its margin makes
    plotly.js widen the margin: a second layout pass, and a narrower plot area whose cells
    are no longer the pixels the figure gives them. At every step of the default network
    and of the largest one (6 layers of 16, by a ?net= link), in Streamlit's font, every
    plotly figure on the Step page (σ's curve) is laid out in the margins it asks for, and
    every heatmap figure of the component holds its panels, labels, titles, colour bars and
    ticks inside its own box, each cell's number inside its cell."""
    from benchmarks.bench_app import network_and_query

    net, x, y, query = network_and_query(which)
    n = len(steps(net, net.backprop(x, y)))
    page.goto(f"{app_server}/Step_through{query}", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    wait_for_drawn(page, 0)
    pushed = {}
    for i in range(n):
        if i:
            page.get_by_role("button", name="Next ▶").click()
            page.wait_for_function(
                "(t) => [...document.querySelectorAll('h3')].some(h => h.textContent"
                ".startsWith(t))", arg=f"Step {i + 1} of {n}", timeout=TIMEOUT)
            wait_for_drawn(page, i)
            wait_for_run(page)
        figs = page.evaluate(OUTSIDE_JS)
        assert figs, f"step {i + 1}: no figure"
        for fig in figs:
            if fig["out"] or fig["cut"]:
                pushed[f"step {i + 1}, figure {fig['name']}"] = {
                    "outside its box": fig["out"], "numbers cut": fig["cut"]}
        pushed.update(outgrown(page, f"step {i + 1}"))
    assert not pushed, "\n".join(f"{k}: {v}" for k, v in pushed.items())
    assert_no_errors(page, page_errors)


def test_the_figures_of_gradient_check_and_train_fit_in_their_own_margins(
        page, app_server, page_errors):
    """As above, for the cost after each gradient-descent step (its axis titles) and the
    mini-batch figure (its colour bar) on the Train page."""
    page.goto(app_server + "/Gradient_check", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    page.get_by_role("button", name="Take 1 step").click()
    page.wait_for_selector(PLOT, timeout=TIMEOUT)
    wait_for_run(page)
    page.wait_for_timeout(200)
    found = outgrown(page, "Gradient check")
    page.goto(app_server + "/Train", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    page.wait_for_function("""() => [...document.querySelectorAll('%s')]
        .some(el => el.layout.meta && el.layout.meta.kind === 'batch')""" % PLOT,
                           timeout=TIMEOUT)
    page.wait_for_timeout(200)
    found.update(outgrown(page, "Train"))
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())
    assert_no_errors(page, page_errors)


def test_sidebar_lists_each_page_once(page, app_server, page_errors):
    """The sidebar's own page links replace Streamlit's automatic list (explorer.nav.PAGES), which
    would list the landing page as "app" a second time."""
    page.goto(app_server + "/", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    hrefs = page.eval_on_selector_all('[data-testid="stSidebar"] a[href]',
                                      "links => links.map(a => new URL(a.href).pathname)")
    twice = sorted({h for h in hrefs if hrefs.count(h) > 1})
    assert not twice, f"pages linked twice in the sidebar: {twice} (all: {hrefs})"
    texts = page.locator('[data-testid="stSidebar"] a').all_text_contents()
    assert "app" not in [t.strip() for t in texts]
    assert_no_errors(page, page_errors)
