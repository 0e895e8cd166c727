"""The mini-batch as an average: its mean, the batch gradient, first, then each example's
∂Cₓ/∂wˡ as a small heatmap, wrapped into rows that fit the page; which mini-batch it is,
on which weights; its points ringed on the boundary figure; one entry added up in numbers.

The examples are "example 1, 2, …": x₁ and x₂ are the input features on the boundary's
axes, so they are not the examples' names."""

import math

import numpy as np

from backprop.explain.notation import pretty
from backprop.learn import train

from ..figures.heatmap import BAR_ROOM, COLORSCALE, MARK, short
from . import trainer
from .curves import NUMBERS
from .training import AXIS, layout

MAX_WIDTH = 760     # pixels: the page's box on a 1280 px screen with the sidebar open
LEFT, TOP, BOTTOM = 10, 4, 10
TITLE = 20          # pixels above each panel, for its title
GAP, VGAP = 24, 12  # between panels side by side, and between rows
EQ = 40             # between the mean and the examples, for "="
MORE = 24           # after the last example, for "…" when not all m are drawn
SLOT = 72           # the least width of a panel and its gap, so that titles do not touch


def batch_figure(traces, mean, l, m, points=None, width=MAX_WIDTH):
    """The mean over all m examples (``mean``, a Gradient) of ∂Cₓ/∂wˡ first, then that
    of each example in ``traces`` (at most the first few), one colour scale. The examples
    stand beside the mean in rows, or below it where that takes less height; the figure
    is at most about ``width`` pixels wide. ``points`` are the examples' training-point
    numbers, for the hover."""
    mats = [mean.nabla_w[l]] + [t.nabla_w[l] for t in traces]
    n, k = mats[0].shape
    s = max(float(np.max(np.abs(v))) for v in mats) or 1.0
    cell = max(18, min(40, 200 // max(n, k)))
    w, h = cell * k, cell * n
    slot, row = max(w + GAP, SLOT), TITLE + h + VGAP
    room = width - LEFT - BAR_ROOM
    more = MORE if m > len(traces) else 0
    count = len(traces)
    # beside the mean: columns that fit right of it; below it: columns across the width
    beside = max(0, (room - w - EQ - more + GAP) // slot)
    below = max(1, (room - more + GAP) // slot)
    layouts = []
    for cols, x0, y0 in ((beside, w + EQ, 0), (below, 0, row)):
        if cols or not count:
            cols = max(1, min(cols, count))
            rows = math.ceil(count / cols)
            cols = math.ceil(count / rows) if count else 0   # rows as even as they go
            layouts.append((y0 + rows * row, x0, y0, cols))
    height, x0, y0, cols = min(layouts, key=lambda t: t[0])
    at = [(0, 0)] + [(x0 + (i % cols) * slot, y0 + (i // cols) * row) for i in range(count)]
    plot_w = max(x + w for x, _ in at) + more
    plot_h = max(y + row for _, y in at) - VGAP
    fig = {"data": [], "layout": layout(
        {"kind": "batch", "l": l, "m": m, "shown": count, "beside": x0 > 0},
        plot_w + LEFT + BAR_ROOM, plot_h + TOP + BOTTOM,
        margin=(LEFT, BAR_ROOM, TOP, BOTTOM), annotations=[])}
    fig["layout"]["coloraxis"] = {"colorscale": COLORSCALE, "cmin": -s, "cmax": s,
                                  "colorbar": {"thickness": 10, "x": 1.0, "xpad": 10,
                                               "title": {"text": "∂C/∂w"}, **NUMBERS,
                                               # both ends labelled, as the cells print
                                               # (Plotly's own 3 ticks may land outside)
                                               "tickmode": "array", "tickvals": [-s, 0, s],
                                               "ticktext": [short(-s), "0", short(s)]}}
    sup = pretty(f"^{l}")
    note = fig["layout"]["annotations"]

    def paper(x, y):
        return x / plot_w, 1 - y / plot_h

    for i, (v, (x, y)) in enumerate(zip(mats, at)):
        ax = "" if i == 0 else str(i + 1)
        is_mean = i == 0
        if is_mean:
            what = f"mean over the m = {m} examples: ∂C/∂w{sup}"
        else:
            point = f" (train point {int(points[i - 1])})" if points is not None else ""
            what = f"example {i}{point}: ∂Cₓ/∂w{sup}"
        trace = {"type": "heatmap", "z": v, "coloraxis": "coloraxis", "xaxis": f"x{ax}",
                 "yaxis": f"y{ax}", "xgap": 1, "ygap": 1, "x": np.arange(1, k + 1),
                 "y": np.arange(1, n + 1),
                 "meta": {"kind": "mean" if is_mean else "example", "i": i},
                 "hovertemplate": f"{what}<br>j = %{{y}}, k = %{{x}}: %{{z:.4g}}"
                                  "<extra></extra>"}
        if n * k <= 16 and cell >= 30:
            trace.update(text=[[short(c) for c in r] for r in v], texttemplate="%{text}",
                         textfont={"size": 10})
        fig["data"].append(trace)
        (left, top), (right, bottom) = paper(x, y + TITLE), paper(x + w, y + TITLE + h)
        bare = {**AXIS, "showticklabels": False, "ticks": ""}
        fig["layout"][f"xaxis{ax}"] = {**bare, "domain": [left, right], "anchor": f"y{ax}"}
        fig["layout"][f"yaxis{ax}"] = {**bare, "domain": [bottom, top], "anchor": f"x{ax}",
                                       "autorange": "reversed"}
        title = {"text": "<b>mean</b>" if is_mean else f"example {i}",
                 "x": (left + right) / 2, "xanchor": "center"}
        if is_mean and not x0:     # alone in its row: room for more words
            title = {"text": "<b>mean</b> of the examples below", "x": left,
                     "xanchor": "left"}
        note.append({**title, "showarrow": False, "y": top, "xref": "paper", "yref": "paper",
                     "yanchor": "bottom", "font": {"size": 12}})
    if x0:
        note.append({"text": "=", "showarrow": False, "x": (w + EQ / 2) / plot_w,
                     "y": paper(0, TITLE + h / 2)[1], "xref": "paper", "yref": "paper",
                     "font": {"size": 18}})
    if more:
        x, y = at[-1]
        note.append({"text": "…", "showarrow": False, "x": (x + w + MORE / 2) / plot_w,
                     "y": paper(0, y + TITLE + h / 2)[1], "xref": "paper", "yref": "paper",
                     "font": {"size": 18}})
    return fig


def next_rows(n, m, seed, progress):
    """The rows (of the n training rows) of the mini-batch the next step takes."""
    return train.mini_batches(n, m, seed, progress.epoch)[progress.batch]


def weights_of(progress, per_epoch):
    """The weights of ``progress``, named as the rest of the page names them."""
    if not (progress.epoch or progress.batch):
        return "the starting weights"
    return "the weights of " + trainer.position(progress.epoch, progress.batch, per_epoch)


def batch_name(progress, per_epoch, m):
    """Which mini-batch the figure shows, on which weights, in a sentence."""
    return (f"The mini-batch the next step takes: mini-batch {progress.batch + 1} of "
            f"{per_epoch} of epoch {progress.epoch + 1}, its m = {m} points ringed in the "
            f"figure above, on {weights_of(progress, per_epoch)} (those drawn above).")


def marks(d, rows):
    """A trace that rings the training points ``rows`` in the boundary figure of the data
    d (under the click layer: a click still picks the point itself)."""
    X = d.X[d.train[rows]]
    y = d.c[d.train[rows]].astype(float) if d.features == 1 else X[:, 1]
    return {"type": "scatter", "mode": "markers", "name": "the next mini-batch",
            "x": X[:, 0], "y": y, "hoverinfo": "skip", "showlegend": False,
            "meta": {"kind": "batch", "rows": [int(r) for r in rows]},
            "marker": {"size": 15, "symbol": "circle-open", "color": MARK,
                       "line": {"width": 2, "color": MARK}}}


def with_marks(fig, d, rows):
    """The boundary figure ``fig`` with the points ``rows`` ringed, below the data points
    (their hover and click stay the points')."""
    points = [i for i, t in enumerate(fig["data"])
              if (t.get("meta") or {}).get("kind") == "points"]
    at = points[0] if points else len(fig["data"])
    fig["data"].insert(at, marks(d, rows))
    return fig


def adds_up(traces, mean, l, shown):
    """One entry of the mean, added up in numbers: (v₁ + … + v_m) / m = the batch's."""
    vals = [float(t.nabla_w[l][0, 0]) for t in traces]
    m = len(vals)
    terms = [_signed(v) for v in vals]
    if m > 12:
        terms = terms[:5] + [f"… ({m - 10} more) …"] + terms[-5:]
    more = f" The figure draws the first {shown} of the m = {m}." if m > shown else ""
    return (f"Entry j = 1, k = 1 of ∂C/∂w{pretty(f'^{l}')}: ({' + '.join(terms)}) / {m} = "
            f"{sum(vals) / m:.6g}, and the batch gradient `net.gradient` gives "
            f"{float(mean.nabla_w[l][0, 0]):.6g}.{more} With λ > 0 the step adds "
            f"(λ/n) w{pretty(f'^{l}')} to this mean.")


def _signed(v):
    return f"{v:.4g}" if v >= 0 else f"({v:.4g})"
