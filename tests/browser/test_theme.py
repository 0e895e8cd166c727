"""Every figure reads on Streamlit's light and on its dark theme.

A server is started with ``--theme.base light`` and one with ``--theme.base dark`` (the
same theme a user gets by choosing it in the settings menu: the figures carry no colours of
their own for text, Streamlit's template, or on the Step page its theme variables, give
them the theme's). On every page with figures, each text of each figure (titles, labels,
tick labels, the '?' of cells not yet computed, colour-bar ticks and titles) must contrast
with what it is drawn on: the page's background, or for a '?' the grey of its panel over
that background. The plotly charts' cell numbers are left out: plotly.js writes them black
or white by the colour of their own cell; the Step page's heatmaps (HTML cells drawn by
explorer/figures/chart.js, which picks black or white itself) are checked against their
cell's colour. Marked cells carry a light halo under their dark outline, so one of the two
shows on any colour.

Screenshots of each page in each theme go to artifacts/theme_<theme>_<page>.png.
"""

import re

import pytest
from conftest import wait_for_run
from step_dom import FIGURE_TEXTS, STEPPER, wait_for_drawn
from test_explorer import screenshot

from explorer.figures.heatmap import GREY, HALO, MARK

TIMEOUT = 30_000
APP_READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PLOT = '.js-plotly-plot'
# Streamlit gives chart text a grey of 3.7:1 on its light background (its own charts use
# it too): every text must reach WCAG's level for large text and graphics, 3:1.
TEXT_CONTRAST = LARGE_CONTRAST = 3.0

# Every visible text of every chart with its fill and the product of the opacities down
# to it; the page's background; each chart's paper colour and its marks.
TEXTS_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const charts = [...document.querySelectorAll('%s')]
            .filter(el => el.offsetParent !== null).map(el => {
        const texts = [];
        for (const t of el.querySelectorAll('text')) {
            const s = t.textContent.replace(/\\u200b/g, '').trim();
            if (!s || t.closest('.heatmaplayer') || t.closest('.hoverlayer')) continue;
            const cs = getComputedStyle(t);
            if (cs.display === 'none' || cs.visibility === 'hidden') continue;
            let opacity = parseFloat(cs.opacity) * parseFloat(cs.fillOpacity);
            for (let n = t.parentElement; n && n !== el; n = n.parentElement)
                opacity *= parseFloat(getComputedStyle(n).opacity);
            texts.push({text: s, fill: cs.fill, opacity: opacity});
        }
        return {meta: el.layout.meta, paper: el._fullLayout.paper_bgcolor,
                shapes: (el._fullLayout.shapes || []).map(s => ({
                    x0: s.x0, x1: s.x1, y0: s.y0, y1: s.y1, line: s.line.color,
                    width: s.line.width, fill: s.fillcolor})),
                texts: texts};
    });
    return {background: getComputedStyle(app).backgroundColor, charts: charts};
}""" % PLOT


# The Step page's heatmaps (chart.js): every text of every figure shown with its colour, the
# product of the opacities down to it and, for a '?', its panel's background; every cell
# number with its cell's colour; every outline of a marked cell (its border and the halo
# drawn by its box-shadow); and the background of the boxes the figures sit in.
STEP_TEXTS_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const opacity = (e, top) => { let o = 1;
        for (let n = e; n && n !== top; n = n.parentElement)
            o *= parseFloat(getComputedStyle(n).opacity);
        return o; };
    const figs = [...document.querySelectorAll('.bp-fig')].filter(f => f.offsetParent !== null);
    return {background: getComputedStyle(app).backgroundColor, figs: figs.map(f => ({
        name: (f.closest('.bp-net') ? 'network' : 'focus') + ' ['
            + [...f.querySelectorAll('.bp-panel')].map(p => p.dataset.q + p.dataset.l).join(' ')
            + ']',
        papers: [f, f.parentElement].map(e => getComputedStyle(e).backgroundColor),
        texts: [...f.querySelectorAll('%s')].filter(t => t.offsetParent !== null
                && t.textContent.trim()).map(t => ({
            text: t.textContent.trim(), fill: getComputedStyle(t).color,
            opacity: opacity(t, f),
            under: t.classList.contains('bp-question')
                ? getComputedStyle(t.parentElement).backgroundColor : null})),
        cells: [...f.querySelectorAll('.bp-cell')].filter(c => c.textContent.trim()).map(c => ({
            text: c.textContent, fill: getComputedStyle(c).color,
            cell: getComputedStyle(c).backgroundColor})),
        marks: [...f.querySelectorAll('.bp-mark')].map(m => ({
            kind: m.className, border: getComputedStyle(m).borderTopColor,
            shadow: getComputedStyle(m).boxShadow})),
    }))};
}""" % FIGURE_TEXTS


def rgba(text):
    """(r, g, b, a) of a CSS colour: rgb(...), rgba(...) or #rrggbb / #rgb."""
    text = text.strip()
    m = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if m:
        parts = [float(p) for p in re.split(r"[,\s/]+", m.group(1).strip()) if p]
        return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)
    h = text.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 1.0)


def over(top, alpha, under):
    """Colour ``top`` at opacity ``alpha`` painted over the opaque colour ``under``."""
    return tuple(alpha * t + (1 - alpha) * u for t, u in zip(top[:3], under[:3]))


def luminance(c):
    def lin(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(v) for v in c[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    """The WCAG contrast ratio of two opaque colours, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_helpers():
    assert contrast(rgba("#000"), rgba("#fff")) == pytest.approx(21)
    assert contrast(rgba("rgb(255, 255, 255)"), rgba("#ffffff")) == pytest.approx(1)
    # #777 is the lightest grey that passes 4.5 on white
    assert contrast(rgba("#767676"), rgba("#fff")) == pytest.approx(4.54, abs=0.01)
    assert over(rgba("#000"), 0.5, rgba("#fff")) == (127.5, 127.5, 127.5)


def text_problem(name, t, under):
    """[a sentence] if the text ``t`` (its "text", "fill", "opacity") is too faint on the
    colour ``under`` it (the large '?' needs less contrast), else []."""
    colour = over(rgba(t["fill"]), t["opacity"] * rgba(t["fill"])[3], under)
    need = LARGE_CONTRAST if t["text"] == "?" else TEXT_CONTRAST
    ratio = contrast(colour, under)
    if ratio >= need:
        return []
    return [f"{name}: {t['text']!r} in {t['fill']} at opacity {t['opacity']:.2f} has "
            f"contrast {ratio:.2f} < {need}"]


def problems(seen):
    """What cannot be read in the charts of one page, as sentences (none: all is fine)."""
    bg = rgba(seen["background"])
    out = []
    for chart in seen["charts"]:
        name = chart["meta"]
        if rgba(chart["paper"])[:3] != bg[:3]:
            out.append(f"{name}: paper {chart['paper']} is not the page's {seen['background']}")
        for t in chart["texts"]:
            under = over(rgba(GREY), rgba(GREY)[3], bg) if t["text"] == "?" else bg
            out += text_problem(name, t, under)
        marks = [s for s in chart["shapes"] if s["line"] == MARK]
        halos = {(s["x0"], s["x1"], s["y0"], s["y1"]): s["width"] for s in chart["shapes"]
                 if s["line"] == HALO}
        for s in marks:
            if halos.get((s["x0"], s["x1"], s["y0"], s["y1"]), 0) <= s["width"]:
                out.append(f"{name}: a marked cell without its halo: {s}")
    return out


def step_problems(seen):
    """What cannot be read in the Step page's heatmaps (chart.js), as sentences."""
    bg = rgba(seen["background"])
    out = []
    for fig in seen["figs"]:
        name = fig["name"]
        for paper in fig["papers"]:
            if rgba(paper)[3] != 0 and rgba(paper)[:3] != bg[:3]:
                out.append(f"{name}: drawn on {paper}, not on the page's {seen['background']}")
        for t in fig["texts"]:
            under = bg if t["under"] is None else over(rgba(t["under"]), rgba(t["under"])[3], bg)
            out += text_problem(name, t, under)
        for c in fig["cells"]:
            ratio = contrast(rgba(c["fill"]), rgba(c["cell"]))
            if ratio < TEXT_CONTRAST:
                out.append(f"{name}: the number {c['text']!r} in {c['fill']} on its cell's "
                           f"{c['cell']} has contrast {ratio:.2f} < {TEXT_CONTRAST}")
        for m in fig["marks"]:
            halo = re.search(r"rgba?\([^)]*\)", m["shadow"] or "")
            if rgba(m["border"])[:3] != rgba(MARK)[:3] or not halo \
                    or rgba(halo.group(0))[:3] != rgba(HALO)[:3]:
                out.append(f"{name}: a marked cell without its dark line on a light halo: {m}")
    return out


def check_step_page(page, theme, name, curves=0):
    """Wait for the Step page's step and its figures (``curves``: plotly charts shown, σ's),
    check every text of them, take a screenshot; returns (seen, the plotly charts seen)."""
    wait_for_run(page, TIMEOUT)
    page.wait_for_timeout(300)
    seen = page.evaluate(STEP_TEXTS_JS)
    plotly = page.evaluate(TEXTS_JS)
    plotly["charts"] = [c for c in plotly["charts"] if c["texts"] or c["shapes"]]
    screenshot(page, f"theme_{theme}_{name}")
    assert seen["figs"], "the Step page shows its figures"
    assert sum(len(f["texts"]) for f in seen["figs"]) > 0, "the figures have text"
    assert len(plotly["charts"]) == curves, plotly["charts"]
    return seen, plotly


def check_page(page, theme, name, charts_at_least=1):
    """Wait for the charts of the page, check every text of them, take a screenshot."""
    page.wait_for_selector(APP_READY, timeout=TIMEOUT)
    page.wait_for_function(
        """([sel, n]) => { const els = [...document.querySelectorAll(sel)];
            return els.length >= n && els.every(el => el._fullLayout
                && el.querySelector('.main-svg')); }""",
        arg=[PLOT, charts_at_least], timeout=TIMEOUT)
    page.wait_for_timeout(300)      # let the charts' layout pass finish
    seen = page.evaluate(TEXTS_JS)
    screenshot(page, f"theme_{theme}_{name}")
    assert len(seen["charts"]) >= charts_at_least
    assert sum(len(c["texts"]) for c in seen["charts"]) > 0, "the charts have text"
    return seen


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def test_every_figure_reads_in_the_theme(page, themed_server, page_errors):
    theme, base = themed_server
    found = []

    # Step through: the figure beside the step and the network so far, with the grey
    # panels and '?' of what is not yet computed, at z² (w² beside it), a² (σ's curve,
    # plotly) and the last step (BP4's outer product, its picked cell outlined over a halo)
    page.goto(base + "/Step_through", timeout=TIMEOUT)
    wait_for_drawn(page, 0)
    seen, _ = check_step_page(page, theme, "step_through_1")
    assert rgba(seen["background"])[0] < 128 if theme == "dark" else \
        rgba(seen["background"])[0] > 128, seen["background"]
    assert any(t["text"] == "?" for f in seen["figs"] for t in f["texts"])
    found += step_problems(seen)
    for i, name, curves in ((1, "z2", 0), (2, "a2", 1)):
        step_to_next(page, i)
        seen, plotly = check_step_page(page, theme, f"step_through_{name}", curves)
        assert len(seen["figs"]) == 2 - curves, "the network, and w² beside it at z²"
        found += step_problems(seen) + problems(plotly)
    last = page.locator(f"{STEPPER} input.bp-slider")
    last.focus()
    page.keyboard.press("End")
    page.get_by_role("button", name="Next ▶").and_(page.locator(":disabled")).wait_for(
        timeout=TIMEOUT)
    seen, _ = check_step_page(page, theme, "step_through_last")
    assert len(seen["figs"]) == 2
    assert any("bp-mark-pick" in m["kind"] for f in seen["figs"] for m in f["marks"])
    assert sum(len(f["cells"]) for f in seen["figs"]) > 0
    found += step_problems(seen)

    # Gradient check: the cost after each step of gradient descent
    page.goto(base + "/Gradient_check", timeout=TIMEOUT)
    page.wait_for_selector(APP_READY, timeout=TIMEOUT)
    page.get_by_role("button", name="Take 10 steps").click()
    found += problems(check_page(page, theme, "gradient_check"))

    # Train: the decision boundary, then the curves, the gradient flow and a mini-batch
    page.goto(base + "/Train", timeout=TIMEOUT)
    found += problems(check_page(page, theme, "train_open"))
    page.get_by_role("button", name="Run one epoch").click()
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length >= 3", arg=PLOT,
                           timeout=TIMEOUT)
    found += problems(check_page(page, theme, "train_epoch", 3))

    # Network: tables only (Streamlit draws them in the theme); a screenshot to look at
    page.goto(base + "/Network", timeout=TIMEOUT)
    page.wait_for_selector(APP_READY, timeout=TIMEOUT)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stDataFrame\"] canvas').length > 0",
        timeout=TIMEOUT)
    screenshot(page, f"theme_{theme}_network")

    assert not found, "\n".join(found)
    assert page_errors == []


def step_to_next(page, i):
    """Click Next once and wait for step i (0-based)."""
    page.get_by_role("button", name="Next ▶").click()
    wait_for_drawn(page, i)
    page.wait_for_function(
        """(t) => [...document.querySelectorAll('h3')].some(h => h.textContent
            .startsWith(t))""", arg=f"Step {i + 1} of", timeout=TIMEOUT)
    page.wait_for_selector(APP_READY, timeout=TIMEOUT)


def test_figures_follow_a_theme_chosen_in_the_menu(page, app_server, page_errors):
    """A user who switches to the dark theme in the app's menu, with the figures already
    drawn, can read them at once: no rerun is needed (the Step page's heatmaps take
    Streamlit's theme variables, its plotly charts Streamlit's template)."""
    page.goto(app_server + "/Step_through", timeout=TIMEOUT)
    wait_for_drawn(page, 0)
    light, _ = check_step_page(page, "menu", "light")
    assert rgba(light["background"])[0] > 128
    assert not step_problems(light)
    page.locator('[data-testid="stMainMenu"]').click()
    page.locator('[data-testid="stMainMenuItem-theme-Dark"]').click()
    page.wait_for_function(
        """() => parseInt(getComputedStyle(document.querySelector('[data-testid="stApp"]'))
            .backgroundColor.match(/\\d+/)[0]) < 128""", timeout=TIMEOUT)
    page.keyboard.press("Escape")
    # the figures take the new theme: their labels and ticks turn to the page's new text
    # colour (the focused panel's title keeps its orange)
    page.wait_for_function(
        """() => { const app = getComputedStyle(document.querySelector('[data-testid="stApp"]'));
            const texts = [...document.querySelectorAll('.bp-net :is(.bp-label, .bp-tick)')];
            return texts.length && texts.every(t => getComputedStyle(t).color === app.color); }""",
        timeout=TIMEOUT)
    dark, _ = check_step_page(page, "menu", "dark")
    assert rgba(dark["background"])[0] < 128
    assert not step_problems(dark), "\n".join(step_problems(dark))
    assert page_errors == []
