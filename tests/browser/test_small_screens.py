"""Phones and tablets: every page at 390 × 844 (a phone) and 768 × 1024 (a tablet), in a
mobile browser context (touch, a device pixel ratio of 2).

- the page itself never scrolls sideways: what is wider than the screen (a figure, a
  table, a long formula) scrolls inside its own box, and that box fits on the screen;
- no text is hidden under the toolbar Streamlit shows above a table (on a touch screen,
  always);
- every heatmap number is legible: at least 10 CSS px, and no wider than its cell (a
  figure squeezed to the screen's width would draw its numbers over each other), in the
  plotly charts and in the Step page's HTML heatmaps (explorer/figures/chart.js);
- on Step through, Prev, Next, the step slider and the widgets that pick a cell are on
  the screen, big enough to tap, with labels that are not cut off; tapping Next advances
  the step, all the way through;
- the collapsed sidebar can be opened, and its page links work;
- a live class (the teacher's page and a student's) at both sizes.

Full-page screenshots go to artifacts/small_<size>_<page>.png, to look at after a run.
"""

import re

import pytest
from step_dom import STEPPER, wait_for_drawn
from test_explorer import ARTIFACTS, EXCEPTION, PLOT, TIMEOUT, wait_for_run

from backprop.explain.steps import steps
from explorer.presets import DEFAULT, PRESETS

SIZES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 768, "height": 1024}}
PAGES = [("/", "welcome"), ("/Network", "network"), ("/Step_through", "step_through"),
         ("/Gradient_check", "gradient_check"), ("/Train", "train"), ("/Class", "class"),
         ("/Teach", "teach")]
NET, X, Y = PRESETS[DEFAULT].make()
N_STEPS = len(steps(NET, NET.backprop(X, Y)))
MIN_FONT = 10     # CSS px: heatmap numbers
MIN_TAP = 32      # CSS px: the smaller side of the page's buttons and inputs
# Streamlit's own button that opens the sidebar, and its page links, are 28 px high:
# WCAG 2.2's minimum target size (2.5.8, level AA) is 24 px.
MIN_TAP_CHROME = 24

# The page's own sideways scroll (the document's, and that of Streamlit's main container,
# which scrolls the page), and every element of the page that sticks out of the screen
# without being inside a box that fits on the screen and scrolls sideways (or clips, as
# the visually hidden input of a slider's thumb).
OVERFLOW_JS = """() => {
    const vw = window.innerWidth, main = document.querySelector('[data-testid="stMain"]');
    const fits = r => r.left >= -1 && r.right <= vw + 1;
    // a box that scrolls sideways, or clips what sticks out (hides it: not on the screen)
    const boxes = el => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
    const name = el => el.tagName.toLowerCase() + (el.dataset.testid ? `[${el.dataset.testid}]` : '')
        + (el.getAttribute('aria-label') ? `[${el.getAttribute('aria-label')}]` : '')
        + ` "${(el.textContent || '').trim().slice(0, 40)}" in `
        + (el.closest('[data-testid="stElementContainer"]') || {className: ''}).className;
    const out = {vw, doc: document.scrollingElement.scrollWidth,
                 main: main ? main.scrollWidth - main.clientWidth : 0, sticking: []};
    for (const el of (main ? main.querySelectorAll('*') : [])) {
        if (el.closest('svg, .katex-mathml')) continue;   // charts: see FIGURES_JS
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height || fits(r)) continue;
        let p = el.parentElement, boxed = false;
        for (; p && p !== main; p = p.parentElement)
            if (boxes(p) && fits(p.getBoundingClientRect())) { boxed = true; break; }
        if (!boxed) out.sticking.push(`${name(el)} spans ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    return out;
}"""

# Texts under a toolbar that Streamlit shows above a table or a chart (on a touch screen
# always, as nothing hovers there): each as "toolbar's element: the text".
COVERED_JS = """() => {
    const out = [], texts = [...document.querySelectorAll(
        '[data-testid="stMain"] :is(p, h1, h2, h3, h4, h5, h6, li, label, .katex)')];
    for (const bar of document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementToolbar"]')) {
        const b = bar.getBoundingClientRect(), own = bar.closest('[data-testid="stElementContainer"]');
        if (getComputedStyle(bar).opacity === '0' || !b.width) continue;
        for (const t of texts) {
            if (own.contains(t) || !t.textContent.trim()) continue;
            const r = t.getBoundingClientRect();
            const w = Math.min(r.right, b.right) - Math.max(r.left, b.left);
            const h = Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top);
            if (w > 2 && h > 2) out.push(`${own.className.split(' ').find(c => c.startsWith('st-key-')) || 'a table'}: ${t.textContent.trim().slice(0, 50)}`);
        }
    }
    return out;
}"""

# Per chart: its width and that of the box it sits in (and whether that box scrolls), the
# legend entries and labels that stick out of it (cut off), and every heatmap number
# drawn: its font size and width against the width of its cell.
FIGURES_JS = """() => [...document.querySelectorAll('%s')]
        .filter(el => el.offsetParent !== null).map(el => {
    const svg = el.querySelector('.main-svg').getBoundingClientRect();
    // the box it scrolls in: its element's, or on the Step page (σ's curve) the component's
    const box = el.closest('.bp-focus-fig, [data-testid="stElementContainer"]');
    const b = box.getBoundingClientRect();
    const numbers = [];
    for (const hm of el.querySelectorAll('.heatmaplayer g.hm')) {
        const trace = hm.__data__ && hm.__data__[0] && hm.__data__[0].trace;
        const image = hm.querySelector('image');
        if (!trace || !image) continue;
        const cols = trace.z[0].length;
        const cell = image.getBoundingClientRect().width / cols;
        for (const t of hm.querySelectorAll('.heatmap-label text'))
            numbers.push({text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
                          width: t.getBoundingClientRect().width, cell});
    }
    const outside = [...el.querySelectorAll('.legendtext, .annotation-text')].filter(t => {
        const r = t.getBoundingClientRect();
        return r.width && (r.left < svg.left - 1 || r.right > svg.right + 1
                           || r.top < svg.top - 1 || r.bottom > svg.bottom + 1);
    }).map(t => t.textContent);
    return {meta: JSON.stringify(el.layout.meta), width: svg.width, outside, box: box.clientWidth,
            boxLeft: b.left, boxRight: b.right, scrolls: ['auto', 'scroll'].includes(
                getComputedStyle(box).overflowX), numbers};
})""" % PLOT

# The same for the Step page's heatmaps (chart.js): per figure shown, its width and that of
# the box it scrolls in (.bp-net or .bp-focus-fig), and every cell number: its font size,
# and its text's width against its cell's.
HTML_FIGURES_JS = """() => [...document.querySelectorAll('.bp-fig')]
        .filter(f => f.offsetParent !== null).map(f => {
    const box = f.parentElement, b = box.getBoundingClientRect();
    const numbers = [...f.querySelectorAll('.bp-cell')].filter(c => c.textContent).map(c => {
        const range = document.createRange();
        range.selectNodeContents(c);
        return {text: c.textContent, size: parseFloat(getComputedStyle(c).fontSize),
                width: range.getBoundingClientRect().width,
                cell: c.getBoundingClientRect().width};
    });
    return {meta: box.className, width: f.getBoundingClientRect().width, outside: [],
            box: box.clientWidth, boxLeft: b.left, boxRight: b.right,
            scrolls: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX), numbers};
})"""


@pytest.fixture(params=list(SIZES))
def small(request, browser):
    """(size name, page) in a mobile context of that size; the page's errors are checked
    when the test ends."""
    size = request.param
    ctx = browser.new_context(viewport=SIZES[size], device_scale_factor=2, is_mobile=True,
                              has_touch=True)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield size, page
    ctx.close()
    assert errors == []


def settle(page):
    """Wait for the run, for the elements' code (Streamlit shows a grey skeleton until an
    element's code has loaded, also after the run), then for every chart to be drawn at
    its final size."""
    wait_for_run(page, TIMEOUT)
    page.wait_for_function("""() => !document.querySelector(
        '[data-testid="stSkeleton"], .stSkeleton')""", timeout=TIMEOUT)
    page.wait_for_function("""() => [...document.querySelectorAll('%s')]
        .every(el => el._fullLayout && el.querySelector('.main-svg'))""" % PLOT,
                           timeout=TIMEOUT)
    page.wait_for_timeout(400)      # the charts' own resize pass


def full_screenshot(page, name):
    """The whole page: the viewport is made as tall as the content (Streamlit scrolls
    inside its own container), then restored."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("""() => document.querySelector(
        '[data-testid="stMainBlockContainer"]').scrollHeight + 120""")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    settle(page)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)
    settle(page)


def check_layout(page, where):
    """No sideways scroll of the page; wide things scroll in boxes that fit the screen;
    every heatmap number legible and inside its cell."""
    o = page.evaluate(OVERFLOW_JS)
    assert o["doc"] <= o["vw"] + 1, f"{where}: the page scrolls sideways ({o['doc']} px)"
    assert o["main"] <= 1, f"{where}: the main container scrolls sideways by {o['main']} px"
    assert not o["sticking"], f"{where}: off the screen, in no scroll box: {o['sticking']}"
    covered = page.evaluate(COVERED_JS)
    assert not covered, f"{where}: text hidden under a toolbar: {covered}"
    for fig in page.evaluate(FIGURES_JS) + page.evaluate(HTML_FIGURES_JS):
        label = f"{where}, figure {fig['meta']}"
        assert fig["boxLeft"] >= -1 and fig["boxRight"] <= o["vw"] + 1, label
        if fig["width"] > fig["box"] + 1:
            assert fig["scrolls"], f"{label}: wider than its box, which does not scroll"
        assert not fig["outside"], f"{label}: labels cut off at its edge: {fig['outside']}"
        for n in fig["numbers"]:
            assert n["size"] >= MIN_FONT, f"{label}: {n['text']!r} at {n['size']} px"
            assert n["width"] <= n["cell"] + 0.5, \
                f"{label}: {n['text']!r} is {n['width']:.1f} px in a {n['cell']:.1f} px cell"


# The texts inside an element that are cut off (Streamlit ends a label that does not fit
# with "…"): the text's own width against that of the box that clips it.
CUT_JS = """el => [el, ...el.querySelectorAll('*')].filter(e => {
    const s = getComputedStyle(e);
    if (!e.textContent.trim() || (s.textOverflow !== 'ellipsis' && s.overflowX !== 'hidden'))
        return false;
    const r = document.createRange();
    r.selectNodeContents(e);
    return r.getBoundingClientRect().width > e.getBoundingClientRect().width + 0.5;
}).map(e => e.textContent)"""


def check_tappable(page, locator, what, least=MIN_TAP):
    """``locator`` is on the screen once scrolled to, big enough to tap, its text whole."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    vw = page.viewport_size["width"]
    assert box, f"{what} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= vw + 1, f"{what} is off the screen: {box}"
    assert min(box["width"], box["height"]) >= least, f"{what} is too small to tap: {box}"
    cut = locator.evaluate(CUT_JS)
    assert not cut, f"{what}: text cut off: {cut}"


@pytest.mark.parametrize("path, name", PAGES, ids=[p[1] for p in PAGES])
def test_every_page_fits_a_small_screen(small, app_server, path, name):
    size, page = small
    page.goto(app_server + path, timeout=TIMEOUT)
    settle(page)
    assert page.locator("h1").first.text_content().strip()
    full_screenshot(page, f"small_{size}_{name}")
    check_layout(page, f"{path} at {size}")
    assert page.locator(EXCEPTION).count() == 0


def step_title(page):
    return page.locator("h3").filter(has_text=re.compile(r"^Step \d+ of")).first.text_content()


def test_step_through_controls_reachable_and_next_advances(small, app_server):
    size, page = small
    page.goto(app_server + "/Step_through", timeout=TIMEOUT)
    settle(page)
    prev = page.get_by_role("button", name="◀ Prev")
    nxt = page.get_by_role("button", name="Next ▶")
    check_tappable(page, prev, "Prev")
    check_tappable(page, nxt, "Next")
    check_tappable(page, page.locator(f"{STEPPER} input.bp-slider"), "the step slider")
    for label in ("Quantity", "Layer l"):
        check_tappable(page, page.locator('[data-testid="stSelectbox"]').filter(
            has=page.get_by_text(label, exact=True)).locator(".react-aria-ComboBox"), label)
    check_tappable(page, page.locator('[data-testid="stNumberInput"]').filter(
        has=page.get_by_text("Row j", exact=True)).locator("input"), "Row j")
    assert step_title(page).startswith(f"Step 1 of {N_STEPS}")

    for i in range(2, N_STEPS + 1):       # every step's figures, at this size
        nxt.scroll_into_view_if_needed()
        nxt.tap()
        page.wait_for_function("""(t) => [...document.querySelectorAll('h3')]
            .some(h => h.textContent.startsWith(t))""", arg=f"Step {i} of {N_STEPS}",
                               timeout=TIMEOUT)
        wait_for_drawn(page, i - 1)
        settle(page)
        assert page.locator(f"{STEPPER} .bp-net .bp-cell").count(), "the network is drawn"
        check_layout(page, f"Step {i} at {size}")
        if i in (2, 9, N_STEPS):   # the forward pass, BP2, BP4
            full_screenshot(page, f"small_{size}_step_through_step{i}")
    assert nxt.is_disabled()
    # The widgets under the component follow the server's step, which learns the step on
    # screen when the student goes to work them (chart.js reports it on the first press
    # outside the component): a tap beside them, and BP4's cell has a column to choose.
    page.get_by_text("Or choose the cell to explain by its indices:").tap()
    check_tappable(page, page.locator('[data-testid="stNumberInput"]').filter(
        has=page.get_by_text("Column k", exact=True)).locator("input"), "Column k")
    assert page.locator(EXCEPTION).count() == 0


def test_train_page_after_an_epoch(small, app_server):
    """The curves, the gradient flow and the mini-batch appear after an epoch."""
    size, page = small
    page.goto(app_server + "/Train", timeout=TIMEOUT)
    settle(page)
    for name in ("Step one mini-batch", "Run one epoch", "Play", "Reset"):
        check_tappable(page, page.get_by_role("button", name=name, exact=True), name)
    page.get_by_role("button", name="Run one epoch").tap()
    page.get_by_text("Training cost C").wait_for(timeout=TIMEOUT)
    settle(page)
    check_layout(page, f"Train after an epoch at {size}")
    full_screenshot(page, f"small_{size}_train_epoch")
    assert page.locator(EXCEPTION).count() == 0


def test_collapsed_sidebar_opens_and_its_links_work(small, app_server):
    size, page = small
    page.goto(app_server + "/", timeout=TIMEOUT)
    settle(page)
    opener = page.locator('[data-testid="stExpandSidebarButton"]')
    check_tappable(page, opener, "the button that opens the sidebar", MIN_TAP_CHROME)
    opener.tap()
    link = page.locator('[data-testid="stSidebar"] a').filter(has_text="Step through one example")
    link.wait_for(state="visible", timeout=TIMEOUT)
    check_tappable(page, link, "the sidebar's link to Step through", MIN_TAP_CHROME)
    link.tap()
    page.wait_for_function("""() => [...document.querySelectorAll('h1')]
        .some(h => h.textContent.includes('Step through one example'))""", timeout=TIMEOUT)
    settle(page)
    check_layout(page, f"Step through, reached from the sidebar, at {size}")


def test_a_live_class_on_small_screens(small, browser, app_server):
    """A teacher opens a class and asks; a student joins and sees the question: both
    pages at this size."""
    size, teacher = small
    teacher.goto(app_server + "/Teach", timeout=TIMEOUT)
    settle(teacher)
    opener = teacher.get_by_role("button", name="Open a class")
    check_tappable(teacher, opener, "Open a class")
    opener.tap()
    teacher.wait_for_url(re.compile(r"[?&]class=\w+"), timeout=TIMEOUT)
    code = re.search(r"[?&]class=(\w+)", teacher.url).group(1)
    ask = teacher.get_by_role("button", name="Ask the class")
    ask.wait_for(timeout=TIMEOUT)
    settle(teacher)
    check_tappable(teacher, ask, "Ask the class")
    ask.tap()
    teacher.get_by_text("Question 1:").first.wait_for(timeout=TIMEOUT)
    settle(teacher)
    check_layout(teacher, f"the teacher's page at {size}")
    full_screenshot(teacher, f"small_{size}_teach_asked")

    ctx = browser.new_context(viewport=SIZES[size], device_scale_factor=2, is_mobile=True,
                              has_touch=True)
    try:
        student = ctx.new_page()
        errors = []
        student.on("pageerror", lambda e: errors.append(str(e)))
        student.goto(f"{app_server}/Class?code={code}", timeout=TIMEOUT)
        settle(student)
        student.get_by_label("Nickname").fill("Ada")
        join = student.get_by_role("button", name="Join")
        check_tappable(student, join, "Join")
        join.tap()
        student.get_by_text("Question 1:").first.wait_for(timeout=TIMEOUT)
        settle(student)
        check_tappable(student, student.get_by_role("button", name="Send"), "Send")
        check_layout(student, f"a student's page at {size}")
        full_screenshot(student, f"small_{size}_class_question")
        assert student.locator(EXCEPTION).count() == 0
        assert errors == []
    finally:
        ctx.close()
