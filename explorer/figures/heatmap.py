"""The one heatmap panel every figure is built from, and the figure scaffolding.

Figures are plain dicts in Plotly's figure format (tests/explorer/figures/ validates them
against ``go.Figure`` once; doing so on every rerun would cost more than building them).
Positions are given in pixels, so cells are the same size everywhere. Text has no colour
of its own: Streamlit's template gives it the theme's, light or dark (the Step page's own
chart, ``explorer/figures/chart.js``, builds the same template from the theme).
"""

import base64

import numpy as np

from backprop.explain.notation import QUANTITIES, plain

from ..limits import MAX_TEXT_CELLS

CELL = 46           # pixels per cell side, for up to 6 rows; larger layers get smaller cells
MIN_TEXT_WIDTH = 40  # narrower cells show their value on hover only
# Pixels right of the plot area for a colour bar, its tick labels and title, in Streamlit's
# font (up to 77 measured on the largest network). A bar that does not fit makes plotly.js
# widen the margin: a second layout pass, and a narrower plot area, whose cells are then no
# longer the pixels the figure gives them (and change size from one step to the next).
BAR_ROOM = 84
# Colours that read on Streamlit's light and dark backgrounds alike. Text, tick labels and
# colour bars set no colour: they take the theme's from the template that st.plotly_chart
# (or the Step page's explorer/figures/chart.js) adds, and follow it when a user switches themes (a
# colour set here would stay as it was). st.plotly_chart's text colour is a grey with about
# 3.7:1 contrast on white (chart.js uses the theme's body text), so no text here is made
# fainter.
GREY = "rgba(128, 128, 128, 0.16)"  # a panel not yet computed: light grey on white, dark on dark
FOCUS = "#cc6d00"   # the layer the current step works on: 3.6:1 on white, 5.2:1 on dark
MARK, HALO = "#111", "#fff"   # a marked cell: a dark line on a light halo, seen on any colour
QUESTION_SIZE = 16  # the '?' of a panel not yet computed, in pixels
MID = "#888"        # a line or point with no colour of its own: mid-grey, on either theme
# ColorBrewer's RdBu, blue for negative, white at 0, red for positive. Spelled out: plotly.js
# knows no "RdBu_r" (the reversal is plotly.py's), and its own "RdBu" is grey in the middle.
COLORSCALE = [[i / 10, c] for i, c in enumerate(
    ["#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582",
     "#d6604d", "#b2182b", "#67001f"])]
TITLES = {"a": "a", "z": "z", "delta": "δ", "nabla_b": "∂C/∂b", "nabla_w": "∂C/∂w",
          "w": "w", "b": "b"}
# The one pair of axes of a Canvas: invisible, in pixels, y downwards.
HIDDEN = {"visible": False, "fixedrange": True, "domain": [0, 1]}


def values(net, trace, q, l):
    """The numbers of quantity q of layer l, as an n_l × cols matrix."""
    v = getattr(net, q)[l] if q in ("w", "b") else getattr(trace, q)[l]
    return v.reshape(-1, 1) if v.ndim == 1 else v


def layers_of(net, q):
    return range(1, net.L + 1) if q == "a" else range(2, net.L + 1)


def shown(q, l, known):
    """Whether the numbers of quantity q of layer l may be shown: w and b always, the rest
    when (q, l) is in ``known`` (everything when ``known`` is None)."""
    return known is None or q in ("w", "b") or (q, l) in known


def scale(net, trace, q, known=None):
    """The colour range of a kind: max |value| over its layers whose numbers may be shown
    (``known``, see ``shown``; all of them if None), 1 if none may or all are 0. A hidden
    number never sets it: cmin and cmax travel to the browser with the figure."""
    m = max((float(np.max(np.abs(values(net, trace, q, l))))
             for l in layers_of(net, q) if shown(q, l, known)), default=0.0)
    return m if m > 0 else 1.0


def sup(q, l):
    return f"{TITLES[q]}<sup>{l}</sup>"


def cell_size(n, room=280):
    """The side of a cell, in pixels, when n cells must share about ``room`` pixels."""
    return max(20, min(CELL, room // max(n, 1)))


class Canvas:
    """A figure laid out in pixels, on one pair of invisible axes whose data coordinates
    are the pixels of the plot area (x to the right, y downwards). Every panel is a heatmap
    placed by its cell edges; the tick labels of all panels are one text trace, and the
    invisible click targets of all cells one scatter trace, added by ``figure()``: plotly.js
    draws one subplot and three traces faster than a subplot and two traces per panel.
    Cells are ``cell`` = (width, height) pixels. The plot area reaches ``inset`` pixels
    into the left margin (x from −inset), for row numbers left of a panel at x = 0:
    plotly.js hides text outside the axes' range."""

    def __init__(self, meta, width, height, margin=(60, 20, 20, 20), cell=(CELL, CELL),
                 inset=0):
        self.w, self.h, self.inset = width, height, inset
        self.cw, self.ch = cell
        left, right, top, bottom = margin
        self.fig = {"data": [], "layout": {
            "meta": meta, "width": width + left + right, "height": height + top + bottom,
            "margin": {"l": left - inset, "r": right, "t": top, "b": bottom},
            "hovermode": "closest", "hoverdistance": -1,
            "dragmode": False, "clickmode": "event+select", "annotations": [], "shapes": [],
            "xaxis": {**HIDDEN, "range": [-inset, width]},
            "yaxis": {**HIDDEN, "range": [height, 0]}}}
        self.labels = []    # (x, y, text, textposition, font size) of tick labels and '?'
        self.cells = []     # per panel: (x, y, customdata, hover labels) of its cells

    def coloraxis(self, name, net, trace, q, y=None, bar=True, known=None):
        """Colour axis ``name`` of quantity q, scaled to what ``known`` lets be shown."""
        s = scale(net, trace, q, known)
        bar_at = {"thickness": 12, "x": 1.0, "xpad": 10, "title": {"text": TITLES[q]}}
        if y is not None:
            bar_at.update(y=y[0], len=y[1], yanchor="top")
            if y[1] * self.h < 150:   # a short bar: fewer, smaller ticks
                bar_at.update(tickfont={"size": 9})
        self.fig["layout"][name] = {"colorscale": COLORSCALE, "cmin": -s, "cmax": s, "cmid": 0,
                                    "showscale": bar, "colorbar": bar_at}

    def text(self, text, x, y, color=None, size=14, **kw):
        """A label centred at pixel (x, y), in the theme's text colour unless ``color``.
        The anchors are set: Plotly's "auto" would pin a label to its side nearest the
        figure's edge, so labels at the same distance from what they name would sit higher
        or lower depending on where they are."""
        font = {"size": size, **({"color": color} if color else {})}
        self.fig["layout"]["annotations"].append({
            "text": text, "x": (x + self.inset) / (self.w + self.inset), "y": 1 - y / self.h,
            "xref": "paper",
            "yref": "paper", "showarrow": False, "font": font,
            "xanchor": "center", "yanchor": "middle", **kw})

    def panel(self, net, trace, q, l, x, y, known=None, focus=False, marks=(),
              transpose=False, caxis="coloraxis", ticks="xy"):
        """Heatmap of quantity q of layer l with its top-left cell at pixel (x, y), row 1
        at the top; ``ticks`` says which tick labels to print: "x" the column numbers above,
        "y" the row numbers at the left. Returns the panel's box (x, y, width, height).

        Grey with a '?' where not yet computed; an invisible marker on every cell carries
        (quantity index, l, j, k) for clicks, and the cell's symbol and value for hover."""
        v = values(net, trace, q, l)
        v = v.T if transpose else v
        n, m = v.shape
        cw, ch = self.cw, self.ch
        is_known = shown(q, l, known)
        jj, kk = np.mgrid[1:n + 1, 1:m + 1]
        rj, rk = (kk, jj) if transpose else (jj, kk)   # (a^{l−1})ᵀ: its columns are k
        heat = {"type": "heatmap", "z": v if is_known else np.full_like(v, np.nan),
                "x": x + cw * np.arange(m + 1.0), "y": y + ch * np.arange(n + 1.0),
                "coloraxis": caxis, "hoverinfo": "skip", "xgap": 1, "ygap": 1,
                "meta": {"quantity": q, "l": l, "known": is_known}}
        if is_known and v.size <= MAX_TEXT_CELLS and cw >= MIN_TEXT_WIDTH:
            heat["text"] = [[short(val) for val in row] for row in v]
            heat["texttemplate"] = "%{text}"
            heat["textfont"] = {"size": 12 if ch >= 30 else 10}
        self.fig["data"].append(heat)
        cx, cy = x + cw * (kk.ravel() - 0.5), y + ch * (jj.ravel() - 0.5)   # cell centres
        two = q in ("w", "nabla_w")
        self.cells.append((cx, cy, np.column_stack([
            np.full(n * m, QUANTITIES.index(q)), np.full(n * m, l), rj.ravel(),
            rk.ravel() if two else np.zeros(n * m, int)]),
            [f"{plain(q, l, j, k if two else None)} = "
             + (f"{val:.6g}" if is_known else "not yet computed")
             for val, j, k in zip(v.ravel(), rj.ravel(), rk.ravel())]))
        if not is_known:   # one '?' for the panel: plotly.js draws each text at a cost
            self.labels.append((x + cw * m / 2, y + ch * n / 2, "?", "middle center",
                                min(QUESTION_SIZE, ch * n)))
        if "x" in ticks:
            self.labels += [(x + cw * (c - 0.5), y - 2, str(c), "top center", 12)
                            for c in range(1, m + 1)]
        if "y" in ticks:
            self.labels += [(x - 4, y + ch * (r - 0.5), str(r), "middle left", 12)
                            for r in range(1, n + 1)]
        frame = {"type": "rect", "xref": "x", "yref": "y", "x0": x, "x1": x + cw * m,
                 "y0": y, "y1": y + ch * n}
        shapes = self.fig["layout"]["shapes"]
        if not is_known:
            shapes.append({**frame, "fillcolor": GREY, "line": {"width": 0}, "layer": "below"})
        if focus:
            shapes.append({**frame, "line": {"color": FOCUS, "width": 4}})
        for (mq, ml, mj, mk), style in marks:
            if (mq, ml) == (q, l):
                r, c = (mk or 1, mj) if transpose else (mj, mk or 1)
                cell = {"type": "rect", "xref": "x", "yref": "y", "x0": x + cw * (c - 1),
                        "x1": x + cw * c, "y0": y + ch * (r - 1), "y1": y + ch * r}
                width = 3 if style == "pick" else 2
                shapes += [{**cell, "line": {"color": HALO, "width": width + 3}},
                           {**cell, "line": {"color": MARK, "width": width,
                                             "dash": "solid" if style == "pick" else "dot"}}]
        return x, y, cw * m, ch * n

    def figure(self):
        """The figure, with the tick labels and the click layer of every panel on top."""
        data = list(self.fig["data"])
        if self.labels:
            x, y, text, pos, size = zip(*self.labels)
            data.append({"type": "scatter", "mode": "text", "x": np.array(x, float),
                         "y": np.array(y, float), "text": list(text),
                         "textposition": list(pos), "textfont": {"size": list(size)},
                         "hoverinfo": "skip", "showlegend": False,
                         "meta": {"labels": True}})
        if self.cells:
            x, y, cd, text = zip(*self.cells)
            data.append({"type": "scatter", "mode": "markers", "x": np.concatenate(x),
                         "y": np.concatenate(y), "customdata": np.concatenate(cd),
                         "text": [t for part in text for t in part], "showlegend": False,
                         "hovertemplate": "%{text}<extra></extra>",
                         "marker": {"size": min(self.cw, self.ch) * 0.8, "opacity": 0,
                                    "symbol": "square"},
                         "meta": {"cells": True}})
        return {"data": data, "layout": self.fig["layout"]}


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


def typed_array(v):
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
        return typed_array(v) if isinstance(v, np.ndarray) and v.dtype.kind in "fiu" else v
    return {"data": [{k: enc(v) for k, v in trace.items()} for trace in fig["data"]],
            "layout": fig["layout"]}
