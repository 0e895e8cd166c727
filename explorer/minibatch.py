"""The mini-batch as an average: each example's ∂C_x/∂wˡ as a small heatmap beside their
mean, the batch gradient, with one entry added up in numbers."""

import numpy as np

from backprop.notation import pretty

from .heatmap import BAR_ROOM, COLORSCALE, short
from .training import AXIS, layout


def batch_figure(traces, mean, l, m):
    """∂C_x/∂wˡ of each example of a mini-batch (``traces``, at most the first few) and,
    last, their mean over all m examples (``mean``, a Gradient): one colour scale."""
    mats = [t.nabla_w[l] for t in traces] + [mean.nabla_w[l]]
    n, k = mats[0].shape
    s = max(float(np.max(np.abs(v))) for v in mats) or 1.0
    cell = max(18, min(40, 200 // max(n, k)))
    w, gap = cell * k, 24
    width = (w + gap) * len(mats) + 2 * gap      # a wider gap before the mean, for "="
    fig = {"data": [], "layout": layout({"kind": "batch", "l": l, "m": m}, width + 20 + BAR_ROOM,
                                         max(cell * n, 110) + 50, margin=(20, BAR_ROOM, 40, 10),
                                         annotations=[])}
    fig["layout"]["coloraxis"] = {"colorscale": COLORSCALE, "cmin": -s, "cmax": s,
                                  "colorbar": {"thickness": 10, "nticks": 3, "x": 1.0,
                                               "xpad": 10, "title": {"text": "∂C/∂w"}}}
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
                         textfont={"size": 10})
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
