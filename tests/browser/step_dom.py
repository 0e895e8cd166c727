"""What the Step page's chart component (explorer/figures/chart.js) shows, read from its DOM.

The component draws every heatmap as HTML: a figure ``.bp-fig`` holds panels
``.bp-panel[data-q][data-l][data-known]`` of cells ``.bp-cell[data-j][data-k][data-v]``
(``data-v``: the number as JavaScript prints a float64, "" while it is not yet computed),
with its labels, titles and colour-bar ticks beside them. ``.bp-stepper[data-drawn]`` is
the 0-based step whose DOM is up to date. σ's curve is still a plotly chart (``.bp-plotly``).
"""

import numpy as np
from conftest import wait_for_run

from backprop.explain.steps import steps
from explorer.presets import DEFAULT, PRESETS

STEPPER = ".bp-stepper"
TIMEOUT = 30_000
# The default preset's example, whose numbers the Step page's tests read off the page.
NET, X, Y = PRESETS[DEFAULT].make()
TRACE = NET.backprop(X, Y)
STEPS = steps(NET, TRACE)
N = len(STEPS)
BP2 = next(s.index for s in STEPS if s.kind == "BP2")
# The texts of a figure: row and column labels, titles, colour-bar ticks and titles, and
# the '?' of a panel not yet computed.
FIGURE_TEXTS = ".bp-label, .bp-ann, .bp-tick, .bp-question"

# Every panel of the figures shown (the network figure, then the one beside the equation):
# its quantity, layer, data-known and cells [j, k, data-v] (k = 0 for a vector).
PANELS_JS = """(where) => {
    const figs = [...document.querySelectorAll(where + ' .bp-fig')]
        .filter(f => f.offsetParent !== null);
    return figs.map(f => [...f.querySelectorAll('.bp-panel')].map(p => ({
        q: p.dataset.q, l: Number(p.dataset.l), known: p.dataset.known,
        cells: [...p.querySelectorAll('.bp-cell')].map(c => [
            Number(c.dataset.j), c.dataset.k === '' ? 0 : Number(c.dataset.k),
            c.dataset.v])})));
}"""

# The centre of cell (j, k) of panel (q, l) on the page, in CSS px, scrolled into view: in
# the network figure if it has that panel, else in the figure beside the equation.
CELL_CENTRE_JS = """([q, l, j, k]) => {
    for (const where of ['.bp-net', '.bp-focus-fig']) {
        for (const f of document.querySelectorAll(`${where} .bp-fig`)) {
            if (f.offsetParent === null) continue;
            const cell = f.querySelector(`.bp-panel[data-q="${q}"][data-l="${l}"] `
                                         + `.bp-cell[data-j="${j}"][data-k="${k || ''}"]`);
            if (!cell) continue;
            cell.scrollIntoView({block: 'center', inline: 'center'});
            const r = cell.getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2};
        }
    }
    return null;
}"""

# A figure's name in a message: where it is and the titles of its panels.
_NAME_JS = """const name = f => (f.closest('.bp-net') ? 'network' : 'focus') + ' ['
        + [...f.querySelectorAll('.bp-panel')].map(p => p.dataset.q + p.dataset.l).join(' ')
        + ']';"""

# Per figure shown: the pairs of its texts whose boxes overlap by more than 1 px.
OVERLAPS_JS = """() => { %s
    return [...document.querySelectorAll('.bp-fig')].filter(f => f.offsetParent !== null)
        .map(f => {
            const boxes = [...f.querySelectorAll('%s')]
                .filter(t => t.offsetParent !== null && t.textContent.trim())
                .map(t => [t.textContent, t.getBoundingClientRect()]);
            const out = [];
            boxes.forEach(([s, a], i) => boxes.slice(i + 1).forEach(([t, b]) => {
                const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
                const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                if (w > 1 && h > 1) out.push(`"${s}" and "${t}"`);
            }));
            return {name: name(f), texts: boxes.length, overlaps: out};
        });
}""" % (_NAME_JS, FIGURE_TEXTS)

# Per figure shown: what sticks out of its box (by more than 0.5 px), and the cell numbers
# wider or taller than their cell (cut off: a cell clips what does not fit).
OUTSIDE_JS = """() => { %s
    return [...document.querySelectorAll('.bp-fig')].filter(f => f.offsetParent !== null)
        .map(f => {
            const box = f.getBoundingClientRect();
            const out = [...f.querySelectorAll('%s, .bp-panel, .bp-bar-scale')]
                .filter(e => e.offsetParent !== null).filter(e => {
                    const r = e.getBoundingClientRect();
                    return r.left < box.left - 0.5 || r.right > box.right + 0.5
                        || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
                }).map(e => `${e.className} "${e.textContent.slice(0, 20)}"`);
            const cut = [...f.querySelectorAll('.bp-cell')].filter(c => c.textContent)
                .filter(c => {
                    const range = document.createRange();
                    range.selectNodeContents(c);
                    const t = range.getBoundingClientRect(), r = c.getBoundingClientRect();
                    return t.width > r.width + 0.5 || t.height > r.height + 0.5;
                }).map(c => c.textContent);
            return {name: name(f), width: box.width, out, cut};
        });
}""" % (_NAME_JS, FIGURE_TEXTS)


def _value(v):
    return float(v) if v != "" else np.nan


def panels(page, where=".bp-net"):
    """{(quantity, l): (known, values)} of the first figure shown under ``where`` (the
    network figure by default); values as a float64 array, rows j and columns k (a vector:
    one dimension), NaN where data-v is empty. None when no figure is shown there."""
    figs = page.evaluate(PANELS_JS, where)
    if not figs:
        return None
    out = {}
    for p in figs[0]:
        assert p["known"] in ("0", "1"), p
        rows = max(j for j, _, _ in p["cells"])
        cols = max(k for _, k, _ in p["cells"])
        z = np.full((rows, max(cols, 1)), np.nan)
        for j, k, v in p["cells"]:
            z[j - 1, max(k, 1) - 1] = _value(v)
        out[(p["q"], p["l"])] = (p["known"] == "1", z.ravel() if cols == 0 else z)
    return out


def drawn(page):
    """The step (0-based) the component has drawn, or None."""
    return page.evaluate(f"""() => {{ const r = document.querySelector('{STEPPER}');
        return r && r.dataset.drawn !== undefined ? Number(r.dataset.drawn) : null; }}""")


def wait_for_drawn(page, i, timeout=30_000):
    """Wait until the component has drawn step i (0-based)."""
    page.wait_for_function(f"""(i) => {{ const r = document.querySelector('{STEPPER}');
        return r && r.dataset.drawn === String(i); }}""", arg=i, timeout=timeout)


def title(page):
    """The step's heading, "Step k of n · title"."""
    return page.locator(f"{STEPPER} h3.bp-title").text_content()


def cell_centre(page, cell):
    """The centre of ``cell`` (q, l, j, k) in the figures shown, or None."""
    q, l, j, k = cell
    return page.evaluate(CELL_CENTRE_JS, [q, l, j, k])


# The network as a graph (chart.js drawGraph): per column l its title (the symbol its
# circles show: "a¹", "δ³", "?") and its circles' data-v; per band of lines into layer l its
# title ("w³", "w³δ³", "∂C/∂w³") and its lines' data-v as rows j, columns k.
GRAPH_JS = """() => {
    const g = document.querySelector('.bp-graph .bp-graph-fig');
    if (!g) return null;
    const cols = {}, bands = {};
    for (const t of g.querySelectorAll('.bp-gtitle')) {
        const l = t.dataset.l;
        cols[l] = [t.textContent, [...g.querySelectorAll(`.bp-node[data-l="${l}"]`)]
            .map(n => n.dataset.v)];
    }
    for (const t of g.querySelectorAll('.bp-gband')) {
        const l = t.dataset.l;
        bands[l] = [t.textContent, [...g.querySelectorAll(`.bp-edge[data-l="${l}"]`)]
            .map(e => [Number(e.dataset.j), Number(e.dataset.k), e.dataset.v])];
    }
    return {cols, bands};
}"""

# A point of the graph on the screen, scrolled into view: the centre of circle (l, j), or
# the point a third of the way along the line (l, j, k) from neuron k (lines cross in the
# middle).
GRAPH_POINT_JS = """([l, j, k]) => {
    const g = document.querySelector('.bp-graph .bp-graph-fig svg');
    g.scrollIntoView({block: 'center', inline: 'center'});
    let x, y;
    if (k == null) {
        const c = g.querySelector(`.bp-node[data-l="${l}"][data-j="${j}"] circle`);
        [x, y] = [c.cx.baseVal.value, c.cy.baseVal.value];
    } else {
        const e = g.querySelector(`.bp-edge[data-l="${l}"][data-j="${j}"][data-k="${k}"]`);
        const at = (a, b) => a + (b - a) / 3;
        [x, y] = [at(e.x1.baseVal.value, e.x2.baseVal.value),
                  at(e.y1.baseVal.value, e.y2.baseVal.value)];
    }
    const p = new DOMPoint(x, y).matrixTransform(g.getScreenCTM());
    return {x: p.x, y: p.y};
}"""


def graph(page):
    """{"cols": {l: (title, values)}, "bands": {l: (title, values n_l × n_{l−1})}} of the
    graph shown, values float64 (NaN while not yet computed); None without a graph."""
    g = page.evaluate(GRAPH_JS)
    if g is None:
        return None
    cols = {int(l): (t, np.array([_value(v) for v in vs])) for l, (t, vs) in g["cols"].items()}
    bands = {}
    for l, (t, lines) in g["bands"].items():
        z = np.full((max(j for j, _, _ in lines), max(k for _, k, _ in lines)), np.nan)
        for j, k, v in lines:
            z[j - 1, k - 1] = _value(v)
        bands[int(l)] = (t, z)
    return {"cols": cols, "bands": bands}


def graph_point(page, l, j, k=None):
    """Where to point at circle (l, j), or at line (l, j, k), on the screen."""
    return page.evaluate(GRAPH_POINT_JS, [l, j, k])


def open_step_page(page, base, step=1):
    """The Step page at ``step`` (from 1), once drawn."""
    page.goto(f"{base}/Step_through?step={step}", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    wait_for_drawn(page, step - 1)
