"""The decision boundary with the data on top, as a Plotly figure dict (``plotly_chart``
sends it); the other figures of learning from data are in ``curves`` (cost, accuracy and
gradient flow per epoch) and ``minibatch`` (one mini-batch's ∂C_x/∂wˡ beside their mean).

Class 0 is blue and class 1 red everywhere, as in the heatmaps' colour scale (a^L near 0
blue, near 1 red); further classes take further colours. No class rests on its colour alone
(issue 23, ``classes``): each has its own marker shape too, named in the figure's legend and
in every point's hover; training points are filled, test points open; and each region of
the plane is labelled with the class the network predicts there."""

from pathlib import Path

import numpy as np

from .. import limits
from ..figures.heatmap import COLORSCALE, FOCUS, HALO, MID
from . import classes, datasets
from .classes import CLASS_COLOURS, DASHES

SPLITS = ("train", "test")
LEGEND_ROW = 22             # px: a row of the legend above the plot
# Two entries to a row: each then has room for its name even at a browser's minimum font
# size of 20 px, which enlarges the text after Plotly laid the legend out for 12 px.
LEGEND_PER_ROW = 2
# Play redraws these figures several times a second: fixed margins (no automargin pass)
# and tick labels that are not checked for overflow keep each redraw cheap in the browser.
AXIS = {"showgrid": False, "zeroline": False, "fixedrange": True, "ticklabeloverflow": "allow"}


def layout(meta, width, height, margin=(55, 20, 30, 45), **kw):
    left, right, top, bottom = margin
    return {"meta": meta, "width": width, "height": height, "dragmode": False,
            "clickmode": "event+select", "hovermode": "closest",
            "margin": {"l": left, "r": right, "t": top, "b": bottom, "autoexpand": False},
            **kw}


def grid(d, n=limits.GRID):
    """(xs, ys): n grid positions along each of the first two features, the data's range
    widened by 10 % (at least [−1, 1])."""
    lo = np.minimum(d.X[:, :2].min(axis=0), -1.0)
    hi = np.maximum(d.X[:, :2].max(axis=0), 1.0)
    pad = 0.1 * (hi - lo)
    return [np.linspace(a, b, n) for a, b in zip(lo - pad, hi + pad)]


def legend(d):
    """What the boundary figure shows, in words, for the data d."""
    if d.features == 1:
        return ("The line is the network's output aᴸ(x) over the inputs x; the points are "
                "the data (x, y), filled for training and open for testing"
                + (", each class in its own shape." if d.classes else "."))
    shown = ("The heatmap is the network's output aᴸ at every point of the plane: blue where "
             "it says class 0 (aᴸ near 0), red for class 1 (aᴸ near 1); the decision "
             "boundary is where they meet, at ½." if len(d.classes) <= 2 else
             "The heatmap shows, at every point of the plane, the class whose output aᴸⱼ "
             "is largest.")
    if d.features > 2:
        shown = (f"Only the first two of the {d.features} features are drawn, so there is "
                 "no boundary to show.")
    if d.features == 2 and d.classes:
        shown += " Each region is labelled with the class the network predicts there."
    return shown + (" Filled marks are training points, open marks test points"
                    + ("; each true class has its own shape and colour, named in the legend "
                       "above the figure." if d.classes else "."))


def class_score(a):
    """What the boundary heatmap shows of a^L: a^L_1 for one output; for two outputs
    (a^L_2 − a^L_1 + 1)/2, which is a^L_2 for softmax; both 0.5 on the boundary."""
    return a[:, 0] if a.shape[1] == 1 else (a[:, 1] - a[:, 0] + 1.0) / 2.0


def boundary_figure(d, net, progress=None, pick=None):
    """The data over the network's output: for two features, a^L over a GRID × GRID grid
    as a heatmap, each predicted region labelled with its class; for one feature, a^L(x) as
    a curve. Training points are filled and test points open, each class in its own shape
    and colour (``classes``), named in a legend above the plot; each point carries
    ("train" | "test", row) to click."""
    meta = {"kind": "boundary", "epoch": progress.epoch if progress else 0,
            "batch": progress.batch if progress else 0}
    if d.features == 1:
        fig = _curve(d, net, meta)
    else:
        xs, ys = grid(d)
        fig = {"data": [], "layout": layout(
            meta, 520, 511, margin=(55, 15, 15, 76),   # x₁ clear of the ticks' labels
            xaxis={**AXIS, "title": {"text": "x₁", "standoff": 18}, "range": [xs[0], xs[-1]]},
            yaxis={**AXIS, "title": {"text": "x₂"}, "range": [ys[0], ys[-1]]})}
        if d.features == 2:
            heat, regions = _heat(d, net)
            fig["data"].append(heat)
            fig["layout"]["annotations"] = classes.labels(d, xs, ys, regions)
    fig["data"] += _points(d, pick)
    return _legend(fig, d)


def _legend(fig, d):
    """``fig`` with a legend above its plot: an entry per class (its shape, filled, in its
    colour) and per split (grey, filled and open), LEGEND_PER_ROW to a row (any line a^L_j
    of one feature too); the figure grows by the rows, so the plot keeps its size. The
    entries are traces without points: the data points, in every shape, are not in it."""
    fig["data"] += classes.entries(d, SPLITS)
    shown = sum(t.get("showlegend", True) for t in fig["data"])
    grow = -(-shown // LEGEND_PER_ROW) * LEGEND_ROW
    lay = fig["layout"]
    lay["height"] += grow
    lay["margin"]["t"] += grow
    lay["showlegend"] = True
    lay["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0,
                     "yanchor": "bottom", "entrywidth": 1 / LEGEND_PER_ROW,
                     "entrywidthmode": "fraction", "itemclick": False,
                     "itemdoubleclick": False, "tracegroupgap": 0}
    return fig


def _heat(d, net):
    """(the heatmap trace, the grid of predicted classes, or None when a^L does not give
    d's classes: for regression, or an output layer that does not fit them)."""
    xs, ys = grid(d)
    gx, gy = np.meshgrid(xs, ys)                                    # row i: x₂ = ys[i]
    a = net.feedforward(np.column_stack([gx.ravel(), gy.ravel()]))
    k = len(d.classes)
    heat = {"type": "heatmap", "x": xs, "y": ys, "hoverinfo": "skip", "opacity": 0.75,
            "showlegend": False, "meta": {"kind": "aL", "outputs": a.shape[1]}}
    fits = (k == 2 and a.shape[1] in (1, 2)) or (k > 2 and a.shape[1] == k)
    regions = classes.predicted(a).reshape(gx.shape) if fits else None
    if k > 2 and a.shape[1] == k:                 # the class of the largest a^L_j
        cs = [[(j + s) / k, CLASS_COLOURS[j % 16]] for j in range(k) for s in (0, 1)]
        return {**heat, "z": regions.astype(float), "zmin": -0.5, "zmax": k - 0.5,
                "colorscale": cs, "showscale": False, "opacity": 0.35}, regions
    # no colour bar: the page says what the colours mean, and the browser redraws less
    return {**heat, "z": class_score(a).reshape(gx.shape), "zmin": 0.0, "zmax": 1.0,
            "colorscale": COLORSCALE, "showscale": False}, regions


def _curve(d, net, meta):
    x = d.X[:, 0]
    xs = np.linspace(min(x.min(), -1.0), max(x.max(), 1.0), 200)
    a = net.feedforward(xs[:, None])
    lines = [{"type": "scatter", "mode": "lines", "x": xs, "y": a[:, j],
              "name": f"a<sup>L</sup><sub>{j + 1}</sub>", "hoverinfo": "skip",
              "line": {"color": MID if a.shape[1] == 1 else CLASS_COLOURS[j % 16],
                       "dash": DASHES[j % len(DASHES)]},     # not by colour alone
              "meta": {"kind": "aL", "j": j + 1}} for j in range(a.shape[1])]
    y_title = "y" if not d.classes else "class, aᴸ"
    lo, hi = min(0.0, d.c.min(), a.min()), max(1.0, d.c.max(), a.max())
    pad = 0.05 * (hi - lo)
    return {"data": lines, "layout": layout(
        meta, 560, 451, margin=(55, 20, 30, 76),
        xaxis={**AXIS, "title": {"text": "x", "standoff": 18}, "range": [xs[0], xs[-1]]},
        yaxis={**AXIS, "title": {"text": y_title}, "range": [lo - pad, hi + pad]})}


def _points(d, pick):
    traces = []
    one_d = d.features == 1
    for split in SPLITS:
        rows = d.train if split == "train" else d.test
        if not len(rows):
            continue
        X, c = d.X[rows], d.c[rows]
        label = [datasets.html(d.classes[int(v)]) if d.classes else f"{v:.3g}" for v in c]
        traces.append({
            "type": "scatter", "mode": "markers", "name": f"{split} points",
            "x": X[:, 0], "y": c.astype(float) if one_d else X[:, 1],
            "showlegend": False,
            # open shapes are drawn in their colour alone: a wider line for them
            "marker": {"color": classes.colours(d, c), "symbol": classes.shapes(d, c, split),
                       "size": 9,
                       "line": {"color": HALO, "width": 1 if split == "train" else 2}},
            "customdata": np.column_stack([np.full(len(rows), SPLITS.index(split)),
                                           np.arange(len(rows))]),
            "text": label, "meta": {"kind": "points", "split": split},
            "hovertemplate": f"{split} point %{{customdata[1]}}: x = "
                             + ("%{x:.3g}" if one_d else "(%{x:.3g}, %{y:.3g})")
                             + (", class %{text}" if d.classes else ", y = %{text}")
                             + "<extra>click: step through it</extra>"})
    if pick is not None:
        split, i = pick
        rows = d.train if split == "train" else d.test
        if 0 <= i < len(rows):
            x = d.X[rows[i]]
            traces.append({"type": "scatter", "mode": "markers", "name": "the example (x, y)",
                           "x": [x[0]], "y": [float(d.c[rows[i]]) if one_d else x[1]],
                           "hoverinfo": "skip", "meta": {"kind": "pick"}, "showlegend": False,
                           "marker": {"size": 18, "color": "rgba(0,0,0,0)", "symbol": "circle",
                                      "line": {"color": FOCUS, "width": 3}}})
    return traces


def paused_at(value):
    """(epoch, batch) from the trigger value ``shown.js`` sends on Pause; None for anything
    else (a raw websocket message can carry any JSON)."""
    if not isinstance(value, list) or len(value) != 2 or \
            not all(type(v) is int and 0 <= v <= 10**6 for v in value):
        return None
    return tuple(value)


def shown(key, progress, button, on_paused_at):
    """Draw the invisible component that tells the server, when ``button`` (Pause) is
    pressed, which network the page shows: ``on_paused_at((epoch, batch))`` is called."""
    import streamlit as st

    def cb():
        at = paused_at((st.session_state.get(key) or {}).get("paused_at"))
        if at is not None:
            on_paused_at(at)

    component = st.components.v2.component(
        "explorer.shown", html="<span></span>",
        js=(Path(__file__).parent / "shown.js").read_text(encoding="utf-8"))
    return component(key=key, data={"at": [progress.epoch, progress.batch],
                                    "button": button},
                     on_paused_at_change=cb, height=0)
