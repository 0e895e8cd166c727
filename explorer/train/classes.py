"""How the Train page marks a class, so that no class rests on its colour alone (issue 23):
each class has a colour and a marker shape of its own, filled for a training point and open
for a test point, named in the boundary figure's legend; and each region of the plane
carries the name of the class the network predicts there."""

import numpy as np

from ..figures.heatmap import HALO, MID
from . import datasets

# RdBu's ends, then colours (Okabe and Ito's, Tol's, Tableau's, ColorBrewer's) in the order
# that keeps the first classes furthest apart under deuteranopia, protanopia and
# tritanopia: the first 6 at ΔE ≥ 15, the first 8 at ≥ 14, all 16 at ≥ 6 (CAM02-UCS;
# benchmarks/colour_vision.py), each at a contrast of 2:1 or more on the light and the dark
# page. So many classes cannot all be told apart by colour: the shapes tell them apart.
CLASS_COLOURS = ("#2166ac", "#b2182b", "#bcbd22", "#33bbee", "#cc79a7", "#882255",
                 "#009e73", "#d95f02", "#aa3377", "#762a83", "#8c564b", "#9970ab",
                 "#d62728", "#e08214", "#c2a5cf", "#5aae61")
# One marker shape per class, each with a filled and an open form, the most distinct first;
# with Plotly's number for each (sent as numbers: 1000 points cost 4 kB, not 14 kB of names).
CLASS_SYMBOLS = ("circle", "square", "triangle-up", "diamond", "cross", "x", "triangle-down",
                 "star", "pentagon", "hexagram", "triangle-left", "triangle-right",
                 "hourglass", "bowtie", "star-square", "star-triangle-up")
SYMBOL_CODES = {"circle": 0, "square": 1, "diamond": 2, "cross": 3, "x": 4, "triangle-up": 5,
                "triangle-down": 6, "triangle-left": 7, "triangle-right": 8, "pentagon": 13,
                "star": 17, "hexagram": 18, "star-triangle-up": 19, "star-square": 21,
                "hourglass": 25, "bowtie": 26}
OPEN = 100                  # Plotly's number of a shape's open form: its own plus 100
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")   # a^L_j, 1 feature
SPLIT_NAMES = {"train": "training: filled", "test": "test: open"}


def colours(d, c):
    """The colour of each class number in c (grey for regression targets)."""
    return np.array(CLASS_COLOURS)[c % 16] if d.classes else np.full(len(c), MID)


def shapes(d, c, split):
    """Plotly's symbol number of each class number in c: the class's shape (a circle for
    regression targets), open for test points."""
    own = (np.array([SYMBOL_CODES[s] for s in CLASS_SYMBOLS])[c % 16] if d.classes
           else np.zeros(len(c), int))
    return own + (OPEN if split == "test" else 0)


def entries(d, splits):
    """Legend entries, traces without points: a class's shape, filled, in its colour, and
    grey filled and open shapes for training and test points."""
    return ([_entry(f"class {datasets.html(datasets.short(name, 12))}",
                    SYMBOL_CODES[CLASS_SYMBOLS[j % 16]], CLASS_COLOURS[j % 16])
             for j, name in enumerate(d.classes)]
            + [_entry(SPLIT_NAMES[s], OPEN if s == "test" else 0, MID) for s in splits])


def _entry(name, symbol, colour):
    return {"type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": name,
            "hoverinfo": "skip", "meta": {"kind": "legend"},
            "marker": {"symbol": symbol, "color": colour, "size": 10,
                       "line": {"color": HALO, "width": 1 if symbol < OPEN else 2}}}


def predicted(a):
    """The class each row of a^L says: a^L_1 ≥ ½ for one output, else the largest a^L_j
    (as ``backprop.learn`` counts accuracy)."""
    return (a[:, 0] >= 0.5).astype(int) if a.shape[1] == 1 else np.argmax(a, axis=1)


def deepest(regions):
    """{class: (row, column)}: the cell of each class's region furthest inside it, in steps
    along the grid, from another class or the grid's edge (the first such cell, row by row)."""
    p = np.pad(regions, 1, constant_values=-1)
    alive = ((p[:-2, 1:-1] == regions) & (p[2:, 1:-1] == regions)     # off the rim: the
             & (p[1:-1, :-2] == regions) & (p[1:-1, 2:] == regions))   # 4 neighbours alike
    depth = np.ones(regions.shape, int)
    a = np.zeros(p.shape, bool)
    while alive.any():      # peel each region's rim off: at most GRID / 2 rounds
        depth += alive
        a[1:-1, 1:-1] = alive
        alive &= a[:-2, 1:-1]
        alive &= a[2:, 1:-1]
        alive &= a[1:-1, :-2]
        alive &= a[1:-1, 2:]
    return {int(j): np.unravel_index(np.argmax(np.where(regions == j, depth, -1)),
                                     regions.shape)
            for j in np.unique(regions)}


def labels(d, xs, ys, regions):
    """An annotation per predicted class (``regions``: the class at grid cell (row, column),
    at (xs[column], ys[row]); None: none), its name at the deepest cell of its region."""
    if regions is None:
        return []
    return [{"x": xs[col], "y": ys[row], "text": f"<b>class {datasets.html(d.classes[j])}</b>",
             "showarrow": False, "font": {"size": 12, "shadow": "auto"},
             "name": f"region {j}"}
            for j, (row, col) in deepest(regions).items()]
