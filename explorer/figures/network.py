"""Plotly figures of a Trace, one convention everywhere (built on ``heatmap.Canvas``):

- row j is neuron j of layer l, row 1 at the top; column k is neuron k of layer l−1;
- one diverging colour scale per kind of quantity, centred at 0, its range the largest
  |value| of that kind over the layers whose numbers are shown (``known``), so colours
  compare across layers and figures and a hidden number never sets the range;
- small matrices print their values; hovering a cell shows its symbol and full value;
- what the current step has not computed yet is grey, with a '?' instead of numbers;
- every cell can be clicked (see ``chart.pick_of``).
"""

import numpy as np

from backprop.activations import ACTIVATIONS
from backprop.explain.notation import pretty

from .heatmap import (
    BAR_ROOM,
    CELL,
    COLORSCALE,
    FOCUS,
    MID,
    TITLES,
    Canvas,
    cell_size,
    layers_of,
    shown,
    sup,
)

SLOT = 110      # pixels from one layer's column to the next
ROW_GAP = 54    # pixels above each row of panels, for the titles
LABEL = 120     # pixels of left margin, for the labels of the rows of panels
ROW_NUMBERS = 24    # pixels left of a panel at x = 0 for its row numbers
MAX_POINT_LABELS = 8    # neurons whose points on σ's curve get a j= label
KIND_NAMES = {"z": "weighted input", "a": "activation", "delta": "error",
              "nabla_b": "bias gradient"}


def network_figure(net, trace, kinds=("z", "a", "delta"), known=None, focus=None, marks=(),
                   room=240):
    """Every layer's z, a and δ as columns n_l × 1, one row of panels per kind and one
    column per layer l = 1..L, so a layer's quantities line up under each other. Row j of
    every panel of a kind is at the same height, so the row numbers are printed once at the
    left of the row of panels (and again after a shorter panel), not beside every panel:
    a 6 × 16 network would repeat 16 numbers 16 times, each an SVG text to draw.
    ``focus`` = (quantity, l) outlines the panel the current step computes."""
    n_max, L = max(net.sizes), net.L
    ch = cell_size(n_max, room)   # a row of panels is about ``room`` pixels tall
    row_h = ROW_GAP + ch * n_max
    c = Canvas({"kinds": list(kinds), "L": L}, SLOT * L, row_h * len(kinds) + 10,
               margin=(LABEL, BAR_ROOM, 10, 10), cell=(CELL, ch))
    for r, q in enumerate(kinds):
        top = r * row_h + ROW_GAP
        axis = "coloraxis" if r == 0 else f"coloraxis{r + 1}"
        c.coloraxis(axis, net, trace, q, y=(1 - top / c.h, ch * n_max / c.h), known=known)
        c.text(f"<b>{TITLES[q]}</b><br><span style='font-size:11px'>{KIND_NAMES[q]}</span>",
               -LABEL / 2 - 10, top + ch * n_max / 2, size=17)
        first = layers_of(net, q)[0]
        for l in layers_of(net, q):
            x = (l - 1) * SLOT + (SLOT - CELL) / 2
            on = focus == (q, l)
            # Rows line up across a row of panels: a panel is numbered when it is the first
            # or taller than the one at its left, whose numbers serve it otherwise.
            ticks = "y" if l == first or net.sizes[l - 1] > net.sizes[l - 2] else ""
            c.panel(net, trace, q, l, x, top, known, on, marks, caxis=axis, ticks=ticks)
            c.text(f"<b>{sup(q, l)}</b>", x + CELL / 2, top - 20,
                   color=FOCUS if on else None, size=15)
    for l in range(1, L + 1):
        c.text(f"layer {l}" + (" (input)" if l == 1 else " (output)" if l == L else ""),
               (l - 0.5) * SLOT, c.h - 2, size=11, yanchor="bottom")
    c.fig["layout"]["margin"]["b"] = 24
    c.fig["layout"]["annotations"][-1]["yshift"] = -22
    for a in c.fig["layout"]["annotations"][-L:]:
        a["yshift"] = -20
    return c.figure()


def axis_title(c, text, x, y, vertical=False):
    """An axis title centred at pixel (x, y): left of the row numbers if ``vertical``,
    else above the column numbers."""
    c.text(text, x, y, size=13, **({"textangle": -90} if vertical else {}))


def matrix_figure(net, trace, q, l, known=None, marks=()):
    """w^l or ∂C/∂w^l as the n_l × n_{l−1} matrix it is."""
    n, m = net.sizes[l - 1], net.sizes[l - 2]
    cell = cell_size(max(n, m), 440)
    c = Canvas({"quantity": q, "l": l}, max(cell * m, 150), cell * n + 75,
               margin=(75, BAR_ROOM, 10, 10), cell=(cell, cell), inset=ROW_NUMBERS)
    c.coloraxis("coloraxis", net, trace, q, known=known)
    c.panel(net, trace, q, l, 0, 75, known, marks=marks)
    axis_title(c, f"k (layer {l - 1}, from)", cell * m / 2, 75 - 28)
    axis_title(c, f"j (layer {l}, to)", -34, 75 + cell * n / 2, vertical=True)
    c.text(f"<b>{sup(q, l)}</b>  ({n} × {m})", cell * m / 2, 6, size=15)
    return c.figure()


def outer_product_figure(net, trace, l, known=None, marks=()):
    """BP4 as the outer product it is: the δ^l column at the left, the (a^{l−1})ᵀ row on
    top, and ∂C/∂w^l = δ^l (a^{l−1})ᵀ where they cross, so cell (j, k) sits level with
    δ^l_j and under a^{l−1}_k."""
    n, m = net.sizes[l - 1], net.sizes[l - 2]
    cell = cell_size(max(n, m) + 1, 440)
    gap, top = cell * 0.7, 70
    c = Canvas({"quantity": "nabla_w", "l": l, "outer_product": True},
               cell * (1 + m) + gap, top + cell * (1 + n) + gap + 60, margin=(70, BAR_ROOM, 10, 10),
               cell=(cell, cell), inset=ROW_NUMBERS)
    c.coloraxis("coloraxis", net, trace, "delta", bar=False, known=known)
    c.coloraxis("coloraxis2", net, trace, "a", bar=False, known=known)
    c.coloraxis("coloraxis3", net, trace, "nabla_w", known=known)
    px, py = cell + gap, top + cell + gap           # where the product starts
    c.panel(net, trace, "delta", l, 0, py, known, marks=marks, caxis="coloraxis", ticks="y")
    c.panel(net, trace, "a", l - 1, px, top, known, marks=marks, transpose=True,
            caxis="coloraxis2", ticks="x")
    c.panel(net, trace, "nabla_w", l, px, py, known, marks=marks, caxis="coloraxis3",
            ticks="")
    axis_title(c, f"j (layer {l})", -34, py + cell * n / 2, vertical=True)
    axis_title(c, f"k (layer {l - 1})", px + cell * m / 2, top - 26)
    c.text(f"<b>δ<sup>{l}</sup></b>", cell / 2, py + cell * n + 14, size=15)
    c.text(f"<b>(a<sup>{l - 1}</sup>)<sup>T</sup></b>", px - gap / 2, top + cell / 2, size=15,
           xanchor="right")
    c.text(f"<b>∂C/∂w<sup>{l}</sup> = δ<sup>{l}</sup>(a<sup>{l - 1}</sup>)<sup>T</sup></b> "
           f"({n} × {m})", px + cell * m / 2, py + cell * n + 46, size=14)
    return c.figure()


def bias_figure(net, trace, l, known=None, marks=()):
    """BP3 side by side: ∂C/∂b^l and the δ^l it equals."""
    n = net.sizes[l - 1]
    ch = cell_size(n, 440)
    c = Canvas({"quantity": "nabla_b", "l": l}, CELL * 3.6, ch * n + 40,
               margin=(50, BAR_ROOM, 10, 10), cell=(CELL, ch), inset=ROW_NUMBERS)
    c.coloraxis("coloraxis", net, trace, "delta", known=known)
    for i, q in enumerate(("nabla_b", "delta")):
        c.panel(net, trace, q, l, i * 2.6 * CELL, 40, known, marks=marks, ticks="y")
        c.text(f"<b>{sup(q, l)}</b>", i * 2.6 * CELL + CELL / 2, 22, size=15)
    c.text("<b>=</b>", CELL * 1.8, 40 + ch * n / 2, size=20)
    axis_title(c, f"j (layer {l})", -34, 40 + ch * n / 2, vertical=True)
    return c.figure()


def activation_figure(net, trace, l):
    """σ of layer l as a curve, with each neuron's (z^l_j, a^l_j) marked on it."""
    act = ACTIVATIONS[net.activations[l]]
    z, a = trace.z[l], trace.a[l]
    span = max(4.0, float(np.max(np.abs(z))) * 1.2)
    # Margins with room for Streamlit's axis titles (its template sets automargin and a title
    # standoff): where they fit, plotly.js draws the figure once, not again with wider ones.
    c = Canvas({"quantity": "a", "l": l, "curve": True}, 345, 218, margin=(70, 15, 40, 67))
    if act.elementwise:
        zz = np.linspace(-span, span, 161)
        c.fig["data"].append({"type": "scatter", "mode": "lines", "x": zz, "y": act.fn(zz),
                              "line": {"color": MID}, "hoverinfo": "skip"})
    # Up to MAX_POINT_LABELS neurons are labelled j=…; more would print over each other on a
    # 360-pixel curve, so then the label shows on hover only.
    c.fig["data"].append({
        "type": "scatter", "mode": "markers+text" if len(z) <= MAX_POINT_LABELS else "markers",
        "x": z, "y": a,
        "text": [f"j={j}" for j in range(1, len(z) + 1)], "textposition": label_sides(z),
        "marker": {"size": 11, "color": FOCUS},
        "hovertemplate": "z=%{x:.4f}<br>a=%{y:.4f}<extra>%{text}</extra>"})
    c.fig["layout"].update(xaxis={"title": {"text": f"z<sup>{l}</sup><sub>j</sub>"}},
                           yaxis={"title": {"text": f"a<sup>{l}</sup><sub>j</sub>"}},
                           showlegend=False)
    c.text(f"<b>a<sup>{l}</sup> = σ(z<sup>{l}</sup>)</b>, σ = {act.name}", 172, -22)
    return c.figure()


def label_sides(z):
    """Where each point's j= label goes: left and above, or right and below, alternating
    along z, so that two neurons with nearly the same z (and so the same a) do not print
    their labels over each other."""
    sides = np.empty(len(z), dtype=object)
    sides[np.argsort(z, kind="stable")] = ["top left", "bottom right"] * (len(z) // 2) \
        + ["top left"] * (len(z) % 2)
    return list(sides)


def focus_figure(net, trace, step, known=None, marks=()):
    """The figure that belongs beside a step's equation, or None (also for σ's curve while
    the a^l it plots are hidden by ``known``)."""
    l = step.l
    if step.kind == "z":
        return matrix_figure(net, trace, "w", l, known, marks)
    if step.kind == "a":   # its points are the a^l_j: none while they are hidden
        return activation_figure(net, trace, l) if shown("a", l, known) else None
    if step.kind == "BP2":
        return matrix_figure(net, trace, "w", l + 1, known, marks)
    if step.kind == "BP3":
        return bias_figure(net, trace, l, known, marks)
    if step.kind == "BP4":
        return outer_product_figure(net, trace, l, known, marks)
    return None


def cost_history_figure(costs):
    """C_x after each gradient-descent step (step 0 is before the first)."""
    # margins with room for Streamlit's axis titles, as in activation_figure
    c = Canvas({"quantity": "cost", "history": True}, 520, 200, margin=(70, 15, 20, 67))
    c.fig["data"].append({"type": "scatter", "mode": "lines+markers",
                          "x": list(range(len(costs))), "y": list(costs),
                          "hovertemplate": "after step %{x}: C_x = %{y:.6g}<extra></extra>"})
    c.fig["layout"].update(xaxis={"title": {"text": "gradient-descent steps"}},
                           yaxis={"title": {"text": "C_x"}, "rangemode": "tozero"})
    return c.figure()


def speed_figure(rows):
    """Milliseconds backpropagation and central differences take for every ∂C/∂w of one
    example, against the number of weights and biases P (rows: ``tables.speed_rows``), on a
    log scale: the differences grow with P, backpropagation barely moves."""
    c = Canvas({"speed": True}, 520, 220, margin=(70, 15, 20, 67))
    rows = sorted(rows, key=lambda r: r["P"])
    for name, key in (("backpropagation", "backprop ms"),
                      ("central differences", "differences ms")):
        c.fig["data"].append({
            "type": "scatter", "mode": "lines+markers", "name": name,
            "x": [r["P"] for r in rows], "y": [r[key] for r in rows],
            "text": [r["network"] for r in rows],
            "hovertemplate": f"{name}<br>%{{text}}: P = %{{x}}, %{{y:.3g}} ms<extra></extra>"})
    c.fig["layout"].update(
        xaxis={"title": {"text": "weights and biases P"}, "type": "log"},
        yaxis={"title": {"text": "ms"}, "type": "log"}, showlegend=True,
        legend={"orientation": "h", "y": 1.12, "x": 0})
    return c.figure()


def nudge_figure(n, name, at):
    """The cost against the nudge Δ of one number (``n``, a ``backprop.Nudge``), exactly,
    with the tangent C + slope · Δ through Δ = 0, and the points Δ = 0 and the Δ of ``at``
    (a Nudge of that one Δ). ``name`` is the number's symbol, e.g. z²₁."""
    c = Canvas({"nudge": True}, 420, 220, margin=(70, 15, 30, 67))
    d, chosen = list(map(float, n.deltas)), float(at.deltas[0])
    c.fig["data"] += [
        {"type": "scatter", "mode": "lines", "name": "C exactly", "x": d,
         "y": list(map(float, n.costs)), "line": {"color": FOCUS, "width": 3},
         "hovertemplate": "Δ = %{x:.3g}: C = %{y:.6g}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "name": "tangent C + slope · Δ", "x": d,
         "y": list(map(float, n.tangent)), "line": {"color": MID, "dash": "dash"},
         "hovertemplate": "Δ = %{x:.3g}: C + slope · Δ = %{y:.6g}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "x": [0.0, chosen],
         "y": [n.cost, float(at.costs[0])], "showlegend": False,
         "marker": {"size": 9, "color": FOCUS},
         "hovertemplate": "Δ = %{x:.3g}: C = %{y:.6g}<extra></extra>"}]
    c.fig["layout"].update(
        xaxis={"title": {"text": f"Δ, the nudge of {name}"}},
        yaxis={"title": {"text": "C<sub>x</sub>"}}, showlegend=True,
        legend={"orientation": "h", "y": 1.18, "x": 0})
    return c.figure()


def terms_figure(t):
    """The terms that make a δ (``backprop.explain.Terms``) as bars, one per neuron k of
    layer l+1 (or of the softmax output), the derivation's summation index, coloured by
    sign like the heatmaps."""
    n = len(t.terms)
    c = Canvas({"terms": True}, max(160, 46 * n), 200, margin=(70, 15, 20, 60))
    blue, red = COLORSCALE[2][1], COLORSCALE[8][1]
    c.fig["data"].append({
        "type": "bar", "x": [f"k={i}" for i in range(1, n + 1)],
        "y": [float(v) for v in t.terms], "text": [pretty(s) for s in t.labels],
        "textposition": "none",
        "marker": {"color": [red if v > 0 else blue for v in t.terms]},
        "hovertemplate": "%{text} = %{y:.6g}<extra></extra>"})
    c.fig["layout"].update(xaxis={"visible": True, "type": "category"},
                           yaxis={"visible": True, "zeroline": True,
                                  "title": {"text": "term"}}, showlegend=False)
    return c.figure()
