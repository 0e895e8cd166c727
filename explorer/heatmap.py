"""The one heatmap panel every figure is built from, and the figure scaffolding.

Figures are plain dicts in Plotly's figure format (``st.plotly_chart`` validates them
once; building ``go.Figure`` first would validate them twice). Positions are given in
pixels and turned into paper fractions here, so cells are the same size everywhere.
"""

import base64

import numpy as np

from backprop.notation import QUANTITIES, plain

from .limits import MAX_TEXT_CELLS

CELL = 46           # pixels per cell side, for up to 6 rows; larger layers get smaller cells
MIN_TEXT_WIDTH = 40  # narrower cells show their value on hover only
GREY = "#e6e6e6"
FOCUS = "#e07b00"   # outline of the layer the current step works on
# ColorBrewer's RdBu, blue for negative, white at 0, red for positive. Spelled out: plotly.js
# knows no "RdBu_r" (the reversal is plotly.py's), and its own "RdBu" is grey in the middle.
COLORSCALE = [[i / 10, c] for i, c in enumerate(
    ["#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582",
     "#d6604d", "#b2182b", "#67001f"])]
TITLES = {"a": "a", "z": "z", "delta": "δ", "nabla_b": "∂C/∂b", "nabla_w": "∂C/∂w",
          "w": "w", "b": "b"}


def values(net, trace, q, l):
    """The numbers of quantity q of layer l, as an n_l × cols matrix."""
    v = getattr(net, q)[l] if q in ("w", "b") else getattr(trace, q)[l]
    return v.reshape(-1, 1) if v.ndim == 1 else v


def layers_of(net, q):
    return range(1, net.L + 1) if q == "a" else range(2, net.L + 1)


def scale(net, trace, q):
    """The colour range of a kind: max |value| over all its layers (1 if all are 0)."""
    m = max(float(np.max(np.abs(values(net, trace, q, l)))) for l in layers_of(net, q))
    return m if m > 0 else 1.0


def sup(q, l):
    return f"{TITLES[q]}<sup>{l}</sup>"


def cell_size(n, room=280):
    """The side of a cell, in pixels, when n cells must share about ``room`` pixels."""
    return max(20, min(CELL, room // max(n, 1)))


class Canvas:
    """A figure laid out in pixels: ``box`` turns a pixel rectangle into paper domains.
    Its cells are ``cell`` = (width, height) pixels."""

    def __init__(self, meta, width, height, margin=(60, 20, 20, 20), cell=(CELL, CELL)):
        self.w, self.h = width, height
        self.cw, self.ch = cell
        left, right, top, bottom = margin
        self.fig = {"data": [], "layout": {
            "meta": meta, "width": width + left + right, "height": height + top + bottom,
            "margin": {"l": left, "r": right, "t": top, "b": bottom},
            "plot_bgcolor": "white", "hovermode": "closest", "hoverdistance": -1,
            "dragmode": False, "clickmode": "event+select", "annotations": [], "shapes": []}}
        self.axes = 0

    def box(self, x, y, w, h):
        """Paper domains of the pixel rectangle with top-left corner (x, y)."""
        def frac(v):
            return min(max(v, 0.0), 1.0)   # rounding may step just outside [0, 1]
        return ([frac(x / self.w), frac((x + w) / self.w)],
                [frac(1 - (y + h) / self.h), frac(1 - y / self.h)])

    def coloraxis(self, name, net, trace, q, y=None, bar=True):
        s = scale(net, trace, q)
        bar_at = {"thickness": 12, "x": 1.0, "xpad": 10, "title": {"text": TITLES[q]}}
        if y is not None:
            bar_at.update(y=y[0], len=y[1], yanchor="top")
            if y[1] * self.h < 150:   # a short bar: fewer, smaller ticks
                bar_at.update(tickfont={"size": 9})
        self.fig["layout"][name] = {"colorscale": COLORSCALE, "cmin": -s, "cmax": s, "cmid": 0,
                                    "showscale": bar, "colorbar": bar_at}

    def text(self, text, x, y, color=None, size=14, **kw):
        """A label centred at pixel (x, y). The anchors are set: Plotly's "auto" would pin
        a label to its side nearest the figure's edge, so labels at the same distance from
        what they name would sit higher or lower depending on where they are."""
        self.fig["layout"]["annotations"].append({
            "text": text, "x": x / self.w, "y": 1 - y / self.h, "xref": "paper",
            "yref": "paper", "showarrow": False, "font": {"size": size, "color": color or "#222"},
            "xanchor": "center", "yanchor": "middle", **kw})

    def panel(self, net, trace, q, l, x, y, known=None, focus=False, marks=(),
              transpose=False, caxis="coloraxis"):
        """Heatmap of quantity q of layer l with its top-left cell at pixel (x, y).

        Grey with '?' where not yet computed; an invisible marker on every cell carries
        (quantity index, l, j, k) for clicks, and the cell's symbol and value for hover."""
        v = values(net, trace, q, l)
        v = v.T if transpose else v
        n, m = v.shape
        self.axes += 1
        ax = "" if self.axes == 1 else str(self.axes)
        xd, yd = self.box(x, y, self.cw * m, self.ch * n)
        is_known = known is None or q in ("w", "b") or (q, l) in known
        jj, kk = np.mgrid[1:n + 1, 1:m + 1]
        rj, rk = (kk, jj) if transpose else (jj, kk)   # (a^{l−1})ᵀ: its columns are k
        heat = {"type": "heatmap", "z": v if is_known else np.full_like(v, np.nan),
                "x": list(range(1, m + 1)), "y": list(range(1, n + 1)), "coloraxis": caxis,
                "xaxis": f"x{ax}", "yaxis": f"y{ax}", "hoverinfo": "skip", "xgap": 1,
                "ygap": 1, "meta": {"quantity": q, "l": l, "known": is_known}}
        if is_known and v.size <= MAX_TEXT_CELLS and self.cw >= MIN_TEXT_WIDTH:
            heat["text"] = [[short(val) for val in row] for row in v]
            heat["texttemplate"] = "%{text}"
            heat["textfont"] = {"size": 12 if self.ch >= 30 else 10}
        two = q in ("w", "nabla_w")
        labels = [f"{plain(q, l, j, k if two else None)} = "
                  + (f"{val:.6g}" if is_known else "not yet computed")
                  for val, j, k in zip(v.ravel(), rj.ravel(), rk.ravel())]
        self.fig["data"] += [heat, {
            "type": "scatter", "mode": "markers" if is_known else "markers+text",
            "x": kk.ravel(), "y": jj.ravel(), "xaxis": f"x{ax}", "yaxis": f"y{ax}",
            "showlegend": False, "texttemplate": "?", "textfont": {"color": "#999"},
            "marker": {"size": min(self.cw, self.ch) * 0.8, "opacity": 0, "symbol": "square"},
            "customdata": np.column_stack([np.full(n * m, QUANTITIES.index(q)),
                                           np.full(n * m, l), rj.ravel(),
                                           rk.ravel() if two else np.zeros(n * m, int)]),
            "text": labels, "hovertemplate": "%{text}<extra></extra>"}]
        axis = {"showgrid": False, "zeroline": False, "fixedrange": True}
        lay = self.fig["layout"]
        lay[f"xaxis{ax}"] = {**axis, "domain": xd, "range": [0.5, m + 0.5], "side": "top",
                             "anchor": f"y{ax}", "tickvals": list(range(1, m + 1))}
        lay[f"yaxis{ax}"] = {**axis, "domain": yd, "range": [n + 0.5, 0.5],
                             "anchor": f"x{ax}", "tickvals": list(range(1, n + 1))}
        frame = {"type": "rect", "xref": f"x{ax}", "yref": f"y{ax}", "x0": 0.5,
                 "x1": m + 0.5, "y0": 0.5, "y1": n + 0.5}
        if not is_known:
            lay["shapes"].append({**frame, "fillcolor": GREY, "line": {"width": 0},
                                  "layer": "below"})
        if focus:
            lay["shapes"].append({**frame, "line": {"color": FOCUS, "width": 4}})
        for (mq, ml, mj, mk), style in marks:
            if (mq, ml) == (q, l):
                r, c = (mk or 1, mj) if transpose else (mj, mk or 1)
                lay["shapes"].append({
                    "type": "rect", "xref": f"x{ax}", "yref": f"y{ax}", "x0": c - 0.5,
                    "x1": c + 0.5, "y0": r - 0.5, "y1": r + 0.5,
                    "line": {"color": "#111", "width": 3 if style == "pick" else 2,
                             "dash": "solid" if style == "pick" else "dot"}})
        return ax


def short(v):
    """A cell's value in at most about six characters: 0.378, -12.35, 4.4e-4, 0."""
    if v == 0:
        return "0"
    if 0.01 <= abs(v) < 10:
        return f"{v:.3f}"
    if 0.001 <= abs(v) < 0.01:
        return f"{v:.4f}"
    if 10 <= abs(v) < 100:
        return f"{v:.2f}"
    if 100 <= abs(v) < 10000:
        return f"{v:.0f}"
    mant, exp = f"{v:.1e}".split("e")
    return f"{mant}e{int(exp)}"


def marks_for(pick, uses=()):
    """Cells to outline: the picked one solid, the ones it was computed from dotted."""
    return tuple((tuple(u), "use") for u in uses) + (((tuple(pick), "pick"),) if pick else ())


def pick_from_points(points):
    """(quantity, l, j, k) of a clicked cell, from the points of a chart selection."""
    for p in points or ():
        cd = p.get("customdata")
        if isinstance(cd, dict):
            cd = [cd[str(i)] for i in range(len(cd))]
        if cd is None or len(cd) != 4:
            continue
        qi, l, j, k = (int(c) for c in cd)
        if 0 <= qi < len(QUANTITIES):
            return QUANTITIES[qi], l, j, (k or None)
    return None


def _typed(v):
    """A NumPy array as a plotly.js typed-array spec (compact, and NaN survives)."""
    kind = "f8" if v.dtype.kind == "f" else "i4"
    data = np.ascontiguousarray(v, dtype="<" + kind)
    spec = {"dtype": kind, "bdata": base64.b64encode(data.tobytes()).decode()}
    if v.ndim > 1:
        spec["shape"] = ", ".join(map(str, v.shape))
    return spec


def wire(fig):
    """The figure as it goes to the browser: numeric NumPy arrays in every trace become
    typed-array specs, as Plotly itself sends them."""
    def enc(v):
        return _typed(v) if isinstance(v, np.ndarray) and v.dtype.kind in "fiu" else v
    return {"data": [{k: enc(v) for k, v in trace.items()} for trace in fig["data"]],
            "layout": fig["layout"]}
