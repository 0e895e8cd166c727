"""Zoom and text size (WCAG 1.4.4 resize text, 1.4.10 reflow; issue 23): every page at 200 %
browser zoom, and with the browser's minimum font size at 20 px.

- 200 %: a 1280 × 800 screen zoomed to 200 % is a 640 × 400 CSS-px viewport at a device
  pixel ratio of 2 (what Chromium's zoom gives a page: innerWidth and devicePixelRatio);
- minimum font size: Chromium's setting ("Customize fonts", Minimum font size) is Blink's
  ``minimumFontSize``, given at launch by ``--blink-settings=minimumFontSize=20``; the test
  checks that it took effect (a 14 px caption is computed and drawn at 20 px).

On every page: the page does not scroll sideways (what is wider scrolls in its own box
that fits), no text is under a table's toolbar, the heatmap numbers stay inside their cells
(test_small_screens.check_layout); no two texts overlap, neither a figure's (the Step page's
heatmaps, every text of plotly's charts) nor anything else on the page; no text is cut off
(CUT_TEXTS_JS); the page's main buttons are on the screen, whole, and take a click
(Playwright's actionability check: nothing covers them); on Step through, Next and Prev
step.

Screenshots go to artifacts/zoom_<setting>_<page>.png.
"""

import pytest
from step_dom import OVERLAPS_JS, wait_for_drawn
from test_explorer import EXCEPTION, PLOT, TIMEOUT
from test_small_screens import (
    MIN_TAP,
    MIN_TAP_CHROME,
    PAGES,
    check_layout,
    check_tappable,
    full_screenshot,
    settle,
)

SETTINGS = {
    "zoom200": ({"width": 640, "height": 400}, 2, []),
    "minfont20": ({"width": 1280, "height": 800}, 1, ["--blink-settings=minimumFontSize=20"]),
}
MIN_FONT = 20

# The page's main buttons (or links), by their accessible names.
BUTTONS = {
    "welcome": [("link", "Step through one example"), ("link", "Edit weights, x and y")],
    "network": [("button", "Download this network (JSON)"),
                ("button", "Put this network in the address bar")],
    "step_through": [("button", "◀ Prev"), ("button", "Next ▶")],
    "gradient_check": [("button", "Take 1 step"), ("button", "Take 10 steps")],
    "train": [("button", "Step one mini-batch"), ("button", "Run one epoch"),
              ("button", "Play"), ("button", "Reset")],
    "class": [("button", "Join")],
    "teach": [("button", "Open a class")],
}

# Every pair of texts in the main area (and the sidebar, when it is open) whose drawn boxes
# overlap by more than 2 px each way. A text is a text node's line boxes; a formula
# (KaTeX: its pieces overlap by design) counts as one box, as does a widget's icon. Left
# out: what is not shown (display, visibility, opacity), what a scrolling or clipping box
# hides, the figures' own texts (OVERLAPS_JS, PLOTLY_OVERLAPS_JS), and MathML for readers.
TEXT_OVERLAPS_JS = """() => {
    const roots = [...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stSidebar"][data-collapsed="false"]')];
    const boxes = [];
    const clipped = (el, r) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
            const b = p.getBoundingClientRect();
            if (r.right <= b.left + 1 || r.left >= b.right - 1 || r.bottom <= b.top + 1
                    || r.top >= b.bottom - 1) return true;
        }
        return false;
    };
    const add = (el, rects, text) => {
        for (const r of rects)
            if (r.width > 1 && r.height > 1 && !clipped(el, r)) boxes.push({el, r, text});
    };
    for (const root of roots) {
        const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        const wholes = new Set();
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            const el = n.parentElement, text = n.textContent.trim();
            if (!text || el.closest('svg, .katex-mathml, .bp-fig, style, script')) continue;
            if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true}))
                continue;
            const whole = el.closest('.katex, [data-testid="stIconMaterial"]');
            if (whole) {
                if (!wholes.has(whole)) {
                    wholes.add(whole);
                    add(whole, whole.getClientRects(), whole.textContent.slice(0, 30));
                }
                continue;
            }
            const range = document.createRange();
            range.selectNodeContents(n);
            add(el, range.getClientRects(), text.slice(0, 30));
        }
    }
    const out = [];
    boxes.forEach((a, i) => { for (const b of boxes.slice(i + 1)) {
        if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > 2 && h > 2) out.push(`"${a.text}" and "${b.text}"`);
    }});
    return [...new Set(out)];
}"""


# Texts cut off: a text node whose line boxes reach past the nearest box that clips it on
# that axis (overflow hidden or clip: an ellipsis "…" too, which Streamlit puts on a label
# that does not fit). A box that scrolls keeps its text reachable; a visually hidden box
# (1 or 2 px, for screen readers) is meant to clip. Figures (svg) are FIGURES_JS's and
# OVERLAPS_JS's; KaTeX's MathML copy is hidden on purpose. Not seen: the value shown in an
# input or a select box (not a text node); icons (aria-hidden: Streamlit's are 1rem wide
# while the minimum font size makes their glyph's box 20 px, its ink still inside).
CUT_TEXTS_JS = """() => {
    const roots = [...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stSidebar"][data-collapsed="false"]')];
    const clipper = (el, axis) => {
        for (let p = el; p && p !== document.body; p = p.parentElement) {
            const o = getComputedStyle(p)[axis];
            if (o !== 'visible') return ['hidden', 'clip'].includes(o) ? p : null;
        }
        return null;
    };
    const out = new Set();
    for (const root of roots) {
        const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            const el = n.parentElement, text = n.textContent.trim();
            if (!text || el.closest('svg, .katex-mathml, style, script, [aria-hidden="true"]'))
                continue;
            if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true}))
                continue;
            const range = document.createRange();
            range.selectNodeContents(n);
            const r = range.getBoundingClientRect();
            if (r.width < 1 || r.height < 1) continue;
            for (const [axis, lo, hi] of [['overflowX', 'left', 'right'],
                                          ['overflowY', 'top', 'bottom']]) {
                // KaTeX sets each glyph's box in its own struts: a font's line box is taller
                const c = axis === 'overflowY' && el.closest('.katex') ? null : clipper(el, axis);
                if (!c) continue;
                const b = c.getBoundingClientRect();
                if (b.width <= 2 || b.height <= 2) continue;
                if (r[lo] < b[lo] - 1 || r[hi] > b[hi] + 1)
                    out.add(`"${text.slice(0, 50)}" (${axis})`);
            }
        }
    }
    return [...out];
}"""


# Per plotly chart shown: the pairs of its texts (tick labels, axis titles, legend entries,
# annotations; not the heatmaps' cell numbers, which check_layout fits in their cells, nor
# hover labels) whose boxes overlap by more than 1 px. Plotly lays a chart out for its
# font sizes: a minimum font size raises them after.
CHART_TEXTS_JS = """() => [...document.querySelectorAll('%s')]
    .filter(el => el.offsetParent !== null).map(el => {
    const boxes = [...el.querySelectorAll('text')]
        .filter(t => !t.closest('.heatmaplayer, .hoverlayer') && t.textContent.trim()
                && t.checkVisibility({opacityProperty: true, visibilityProperty: true}))
        .map(t => [t.textContent.replace(/\\u200b/g, ''), t.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0 && r.height > 0);
    const out = [];
    boxes.forEach(([s, a], i) => boxes.slice(i + 1).forEach(([t, b]) => {
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) out.push(`"${s}" and "${t}"`);
    }));
    return {meta: JSON.stringify(el.layout.meta), overlaps: out};
})""" % PLOT


@pytest.fixture(scope="module", params=list(SETTINGS))
def zoomed(request, browser_type, browser_type_launch_args):
    """(setting, a function that opens a new page of that setting), in a Chromium launched
    with the setting's flags."""
    viewport, scale, flags = SETTINGS[request.param]
    args = browser_type_launch_args
    browser = browser_type.launch(**{**args, "args": [*args.get("args", ()), *flags]})
    contexts = []

    def new_page():
        ctx = browser.new_context(viewport=viewport, device_scale_factor=scale)
        contexts.append(ctx)
        return ctx.new_page()
    yield request.param, new_page
    for ctx in contexts:
        ctx.close()
    browser.close()


def test_the_setting_takes_effect(zoomed, app_server):
    setting, new_page = zoomed
    page = new_page()
    page.goto(app_server + "/Train", timeout=TIMEOUT)
    settle(page)
    seen = page.evaluate("""() => {
        const c = document.querySelector('[data-testid="stCaptionContainer"] p');
        const r = document.createRange();
        r.selectNodeContents(c);
        return {vw: innerWidth, dpr: devicePixelRatio,
                size: parseFloat(getComputedStyle(c).fontSize),
                height: r.getClientRects()[0].height};
    }""")
    if setting == "zoom200":
        assert (seen["vw"], seen["dpr"]) == (640, 2), seen
        assert seen["size"] == 14, seen        # Streamlit's caption, not enlarged here
    else:
        assert seen["size"] >= MIN_FONT, seen   # 14 px raised to the minimum
        assert seen["height"] >= MIN_FONT, seen


@pytest.mark.parametrize("path, name", PAGES, ids=[p[1] for p in PAGES])
def test_every_page_at_the_setting(zoomed, app_server, path, name):
    setting, new_page = zoomed
    page = new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app_server + path, timeout=TIMEOUT)
    settle(page)
    full_screenshot(page, f"zoom_{setting}_{name}")
    where = f"{path} at {setting}"
    problems = []
    for check in (lambda: check_layout(page, where), lambda: check_texts(page, where),
                  lambda: check_whole(page, where)):
        try:
            check()
        except AssertionError as e:
            problems.append(str(e))
    for role, label in BUTTONS[name]:
        button = page.locator('[data-testid="stMain"]').get_by_role(role, name=label,
                                                                   exact=True)
        try:
            check_tappable(page, button, f"{where}: {label!r}",
                           MIN_TAP_CHROME if role == "link" else MIN_TAP)
            if button.is_enabled():     # Prev is not, at the first step
                button.click(trial=True, timeout=5_000)
        except (AssertionError, Exception) as e:
            problems.append(f"{where}: {label!r} not clickable: {str(e).splitlines()[0]}")
    assert page.locator(EXCEPTION).count() == 0
    assert not problems, "\n".join(problems)
    assert errors == []


def check_texts(page, where):
    """No two texts overlap: the page's, the Step page's heatmaps', the plotly charts'."""
    found = [f"page: {o}" for o in page.evaluate(TEXT_OVERLAPS_JS)]
    found += [f"figure {f['name']}: {o}" for f in page.evaluate(OVERLAPS_JS)
              for o in f["overlaps"]]
    found += [f"chart {f['meta']}: {o}" for f in page.evaluate(CHART_TEXTS_JS)
              for o in f["overlaps"]]
    assert not found, f"{where}: texts drawn over each other: {found}"


def check_whole(page, where):
    """No text of the page, nor of the sidebar when it is open, is cut off."""
    cut = page.evaluate(CUT_TEXTS_JS)
    assert not cut, f"{where}: texts cut off: {cut}"


def test_next_steps_on_the_step_page(zoomed, app_server):
    """Next, found and pressed at the setting, advances the step the page draws."""
    setting, new_page = zoomed
    page = new_page()
    page.goto(app_server + "/Step_through", timeout=TIMEOUT)
    settle(page)
    wait_for_drawn(page, 0)
    for i in (1, 2):
        page.get_by_role("button", name="Next ▶").click()
        wait_for_drawn(page, i)
    page.get_by_role("button", name="◀ Prev").click()
    wait_for_drawn(page, 1)
