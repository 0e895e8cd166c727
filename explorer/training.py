"""Figures of learning from data, as Plotly figure dicts (``ui.plotly_chart`` sends them):
the decision boundary with the data on top, cost and accuracy per epoch, the gradient
flow per layer, and one mini-batch's ∂C_x/∂wˡ beside their mean.

Class 0 is blue and class 1 red everywhere, as in the heatmaps' colour scale (a^L near 0
blue, near 1 red); further classes take further colours."""

import numpy as np

from backprop.notation import pretty

from . import datasets, limits
from .heatmap import COLORSCALE, short

CLASS_COLOURS = ("#2166ac", "#b2182b", "#1b7837", "#e08214", "#762a83", "#35978f",
                 "#8c510a", "#c51b7d", "#4d4d4d", "#01665e", "#d6604d", "#5aae61",
                 "#9970ab", "#bf812d", "#3288bd", "#f46d43")
SPLITS = ("train", "test")
SYMBOLS = {"train": "circle", "test": "diamond"}
# Play redraws these figures several times a second: fixed margins (no automargin pass)
# and tick labels that are not checked for overflow keep each redraw cheap in the browser.
AXIS = {"showgrid": False, "zeroline": False, "fixedrange": True, "ticklabeloverflow": "allow"}


def _layout(meta, width, height, margin=(55, 20, 30, 45), **kw):
    left, right, top, bottom = margin
    return {"meta": meta, "width": width, "height": height, "dragmode": False,
            "clickmode": "event+select", "hovermode": "closest", "plot_bgcolor": "white",
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
                "the data (x, y), circles for training and diamonds for testing.")
    shown = ("The heatmap is the network's output aᴸ at every point of the plane: blue where "
             "it says class 0 (aᴸ near 0), red for class 1 (aᴸ near 1); the decision "
             "boundary is where they meet, at ½." if len(d.classes) <= 2 else
             "The heatmap shows, at every point of the plane, the class whose output aᴸⱼ "
             "is largest.")
    if d.features > 2:
        shown = (f"Only the first two of the {d.features} features are drawn, so there is "
                 "no boundary to show.")
    return shown + (" Circles are training points, diamonds test points, coloured by "
                    "their true class.")


def class_score(a):
    """What the boundary heatmap shows of a^L: a^L_1 for one output; for two outputs
    (a^L_2 − a^L_1 + 1)/2, which is a^L_2 for softmax; both 0.5 on the boundary."""
    return a[:, 0] if a.shape[1] == 1 else (a[:, 1] - a[:, 0] + 1.0) / 2.0


def boundary_figure(d, net, progress=None, pick=None):
    """The data over the network's output: for two features, a^L over a GRID × GRID grid
    as a heatmap; for one feature, a^L(x) as a curve. Training points are circles and test
    points diamonds, coloured by class; each carries ("train" | "test", row) to click."""
    meta = {"kind": "boundary", "epoch": progress.epoch if progress else 0,
            "batch": progress.batch if progress else 0}
    if d.features == 1:
        fig = _curve(d, net, meta)
    else:
        xs, ys = grid(d)
        fig = {"data": [], "layout": _layout(
            meta, 520, 480, margin=(55, 15, 15, 45),
            xaxis={**AXIS, "title": {"text": "x₁"}, "range": [xs[0], xs[-1]]},
            yaxis={**AXIS, "title": {"text": "x₂"}, "range": [ys[0], ys[-1]]})}
        if d.features == 2:
            fig["data"].append(_heat(d, net))
    fig["data"] += _points(d, pick)
    fig["layout"]["showlegend"] = False      # the page says what circles and diamonds are
    return fig


def _heat(d, net):
    xs, ys = grid(d)
    gx, gy = np.meshgrid(xs, ys)                                    # row i: x₂ = ys[i]
    a = net.feedforward(np.column_stack([gx.ravel(), gy.ravel()]))
    k = len(d.classes)
    heat = {"type": "heatmap", "x": xs, "y": ys, "hoverinfo": "skip", "opacity": 0.75,
            "meta": {"kind": "aL", "outputs": a.shape[1]}}
    if k > 2 and a.shape[1] == k:                 # the class of the largest a^L_j
        cs = [[(j + s) / k, CLASS_COLOURS[j % 16]] for j in range(k) for s in (0, 1)]
        return {**heat, "z": np.argmax(a, axis=1).reshape(gx.shape).astype(float),
                "zmin": -0.5, "zmax": k - 0.5, "colorscale": cs, "showscale": False,
                "opacity": 0.35}
    # no colour bar: the page says what the colours mean, and the browser redraws less
    return {**heat, "z": class_score(a).reshape(gx.shape), "zmin": 0.0, "zmax": 1.0,
            "colorscale": COLORSCALE, "showscale": False}


def _curve(d, net, meta):
    x = d.X[:, 0]
    xs = np.linspace(min(x.min(), -1.0), max(x.max(), 1.0), 200)
    a = net.feedforward(xs[:, None])
    lines = [{"type": "scatter", "mode": "lines", "x": xs, "y": a[:, j],
              "name": f"a<sup>L</sup><sub>{j + 1}</sub>", "hoverinfo": "skip",
              "line": {"color": "#444" if a.shape[1] == 1 else CLASS_COLOURS[j % 16]},
              "meta": {"kind": "aL", "j": j + 1}} for j in range(a.shape[1])]
    y_title = "y" if not d.classes else "class, aᴸ"
    lo, hi = min(0.0, d.c.min(), a.min()), max(1.0, d.c.max(), a.max())
    pad = 0.05 * (hi - lo)
    return {"data": lines, "layout": _layout(
        meta, 560, 420, xaxis={**AXIS, "title": {"text": "x"}, "range": [xs[0], xs[-1]]},
        yaxis={**AXIS, "title": {"text": y_title}, "range": [lo - pad, hi + pad]})}


def _points(d, pick):
    traces = []
    one_d = d.features == 1
    for split in SPLITS:
        rows = d.train if split == "train" else d.test
        if not len(rows):
            continue
        X, c = d.X[rows], d.c[rows]
        colours = (np.array(CLASS_COLOURS)[c % 16] if d.classes
                   else np.full(len(rows), "#555"))
        label = [datasets.html(d.classes[int(v)]) if d.classes else f"{v:.3g}" for v in c]
        traces.append({
            "type": "scatter", "mode": "markers", "name": f"{split} points",
            "x": X[:, 0], "y": c.astype(float) if one_d else X[:, 1],
            "marker": {"color": colours, "symbol": SYMBOLS[split], "size": 8,
                       "line": {"color": "white" if split == "train" else "black",
                                "width": 1}},
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
                           "hoverinfo": "skip", "meta": {"kind": "pick"},
                           "marker": {"size": 18, "color": "rgba(0,0,0,0)", "symbol": "circle",
                                      "line": {"color": "#111", "width": 3}}})
    return traces


def curves_figure(history):
    """Cost (left) and accuracy (right) per epoch, on the training and the test rows."""
    epochs = np.arange(1, history.epochs + 1)
    fig = {"data": [], "layout": _layout(
        {"kind": "curves"}, 560, 350, margin=(60, 20, 20, 120), showlegend=True,
        legend={"orientation": "h", "y": -0.3, "yanchor": "top", "entrywidth": 130},
        xaxis={**AXIS, "domain": [0, 0.4], "title": {"text": "epoch"}, "anchor": "y"},
        yaxis={**AXIS, "title": {"text": "cost C"}, "type": "log", "anchor": "x"},
        xaxis2={**AXIS, "domain": [0.62, 1], "title": {"text": "epoch"}, "anchor": "y2"},
        yaxis2={**AXIS, "title": {"text": "accuracy"}, "range": [0, 1.02], "anchor": "x2",
                "tickformat": ".0%"})}
    for name, values, axis, dash in (
            ("training cost", history.cost, "", "solid"),
            ("test cost", history.test_cost, "", "dot"),
            ("training accuracy", history.accuracy, "2", "solid"),
            ("test accuracy", history.test_accuracy, "2", "dot")):
        v = np.asarray(values, dtype=np.float64)
        if not np.isfinite(v).any():
            continue
        fig["data"].append({
            "type": "scatter", "mode": "lines", "name": name, "x": epochs, "y": v,
            "xaxis": f"x{axis}", "yaxis": f"y{axis}", "meta": {"kind": name},
            "line": {"color": "#b2182b" if "cost" in name else "#2166ac", "dash": dash}})
    return fig


FLOW = {"nabla_w_norm": ("‖∂C/∂wˡ‖", "the norm of the weight gradient"),
        "delta_mean": ("mean |δˡ|", "mean |∂C/∂bˡⱼ| of the mini-batch (BP3)")}


def flow_figure(history, name="nabla_w_norm"):
    """Per layer l, ``name`` (‖∂C/∂wˡ‖ or mean |δˡ|) per epoch on a log scale."""
    per = history.per_layer(name)
    L = per.last
    fig = {"data": [], "layout": _layout(
        {"kind": "flow", "quantity": name}, 560, 330, margin=(70, 130, 20, 45),
        showlegend=True,
        xaxis={**AXIS, "title": {"text": "epoch"}},
        yaxis={**AXIS, "type": "log", "exponentformat": "power", "dtick": 1,
               "title": {"text": FLOW[name][0] + " (log scale)"}})}
    for l, v in per.items():
        v = np.where(v > 0, v, np.nan)     # a log axis has no 0
        fig["data"].append({
            "type": "scatter", "mode": "lines", "x": np.arange(1, len(v) + 1), "y": v,
            "name": f"layer {l}" + (" (output)" if l == L else ""),
            "meta": {"kind": "flow", "l": l},
            "line": {"color": _ramp((l - 2) / max(L - 2, 1))}})
    return fig


def _ramp(t):
    """From light orange (t = 0: the first layer) to dark purple (t = 1: the output)."""
    a, b = np.array([253, 174, 97]), np.array([84, 39, 136])
    r, g, bl = (a + (b - a) * t).astype(int)
    return f"rgb({r},{g},{bl})"


def flow_ratio(history, name="nabla_w_norm"):
    """(epoch, slowest layer, its value, fastest layer, its value) in the last epoch."""
    if not history.epochs:
        return None
    last = np.asarray(getattr(history, name)[-1])
    slow, fast = int(np.argmin(last)), int(np.argmax(last))
    return history.epochs, slow + 2, float(last[slow]), fast + 2, float(last[fast])


def flow_sentence(history, name="nabla_w_norm"):
    """The gradient-flow contrast of the last epoch, in a sentence with its numbers."""
    r = flow_ratio(history, name)
    if r is None:
        return None
    epoch, slow, vs, fast, vf = r
    sym = FLOW[name][0]
    if vs <= 0:
        return f"In epoch {epoch}, layer {slow} did not learn at all: its {sym} is 0."
    ratio = vf / vs
    if ratio < 1.5:
        return (f"In epoch {epoch} every layer learned at about the same speed: {sym} "
                f"differs by less than 1.5× between layers.")
    return (f"In epoch {epoch}, layer {slow} learned {ratio:,.0f}× more slowly than layer "
            f"{fast}: {_at(sym, slow)} = {short(vs)} against {_at(sym, fast)} = {short(vf)}.")


def _at(sym, l):
    """‖∂C/∂wˡ‖ for layer l, e.g. ‖∂C/∂w²‖."""
    return sym.replace("ˡ", pretty(f"^{l}"))


def batch_figure(traces, mean, l, m):
    """∂C_x/∂wˡ of each example of a mini-batch (``traces``, at most the first few) and,
    last, their mean over all m examples (``mean``, a Gradient): one colour scale."""
    mats = [t.nabla_w[l] for t in traces] + [mean.nabla_w[l]]
    n, k = mats[0].shape
    s = max(float(np.max(np.abs(v))) for v in mats) or 1.0
    cell = max(18, min(40, 200 // max(n, k)))
    w, gap = cell * k, 24
    width = (w + gap) * len(mats) + 2 * gap      # a wider gap before the mean, for "="
    fig = {"data": [], "layout": _layout({"kind": "batch", "l": l, "m": m}, width + 90,
                                         max(cell * n, 110) + 50, annotations=[])}
    fig["layout"]["margin"] = {"l": 20, "r": 70, "t": 40, "b": 10}
    fig["layout"]["coloraxis"] = {"colorscale": COLORSCALE, "cmin": -s, "cmax": s,
                                  "colorbar": {"thickness": 10, "nticks": 3,
                                               "title": {"text": "∂C/∂w"}}}
    for i, v in enumerate(mats):
        ax = "" if i == 0 else str(i + 1)
        is_mean = i == len(mats) - 1
        x0 = (i * (w + gap) + (2 * gap if is_mean else 0)) / width
        trace = {"type": "heatmap", "z": v, "coloraxis": "coloraxis", "xaxis": f"x{ax}",
                 "yaxis": f"y{ax}", "xgap": 1, "ygap": 1, "x": np.arange(1, k + 1),
                 "y": np.arange(1, n + 1),
                 "meta": {"kind": "mean" if is_mean else "example", "i": i + 1},
                 "hovertemplate": "j = %{y}, k = %{x}: %{z:.4g}<extra></extra>"}
        if n * k <= 16 and cell >= 30:
            trace.update(text=[[short(c) for c in row] for row in v], texttemplate="%{text}",
                         textfont={"size": 9})
        fig["data"].append(trace)
        fig["layout"][f"xaxis{ax}"] = {**AXIS, "domain": [x0, x0 + w / width],
                                       "anchor": f"y{ax}", "showticklabels": False}
        fig["layout"][f"yaxis{ax}"] = {**AXIS, "anchor": f"x{ax}", "autorange": "reversed",
                                       "showticklabels": False}
        title = "<b>mean</b>" if is_mean else f"x{_sub(i + 1)}"
        fig["layout"]["annotations"].append({
            "text": title, "showarrow": False, "x": x0 + w / width / 2, "y": 1.0,
            "xref": "paper", "yref": "paper", "yanchor": "bottom", "font": {"size": 12}})
        if is_mean:
            fig["layout"]["annotations"].append({
                "text": "=" if m == len(traces) else "… =", "showarrow": False,
                "x": x0 - 1.5 * gap / width, "y": 0.5, "xref": "paper", "yref": "paper",
                "font": {"size": 18}})
    return fig


def _sub(i):
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


CONTRAST = (
    "Why the layers learn at different speeds: one layer back, BP2 multiplies δ by "
    "(wˡ⁺¹)ᵀ and by σ'(zˡ), and a sigmoid's σ' is at most ¼. In the *Deep sigmoid chain* "
    "preset, with four sigmoid hidden layers, the first layer learns 1,000× or more slowly "
    "than the output layer, and the network hardly learns at all. Make its hidden layers "
    "tanh in the sidebar (σ' up to 1) and the gap shrinks to some 10–30×, and xor is "
    "learned; with relu it starts at a few hundred × and shrinks as it trains (keep η ≤ "
    "0.5: at η = 3 its neurons die, σ' = 0). Scaled initial weights make w smaller, and so "
    "widen the gap of a sigmoid chain.")


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
