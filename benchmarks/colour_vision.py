"""The app's colour scales under simulated colour-vision deficiencies: a script run by hand
(``python benchmarks/colour_vision.py``, or ``make bench``), and the measures that
tests/explorer/figures/test_colour_vision.py checks.

Each scale is simulated as a person with full deuteranopia, protanopia or tritanopia sees it
(Machado, Oliveira & Fernandes 2009, severity 1.0, as colorspacious's "sRGB1+CVD" space
implements it, the result clipped to the screen's gamut), and colour differences are ΔE in
CAM02-UCS. Prints, per scale and vision, the smallest ΔE between two neighbouring steps of a
scale (its own stops), between the two signs of a diverging scale (the stop for −v against
the one for +v), or between any two colours of a categorical palette; "marked": any two
colours of a palette whose every colour also carries its own shape or label (the Train
page's classes: the colours need only differ visibly, the shapes tell the classes apart).
"""

import itertools
import sys
from pathlib import Path

import colorspacious
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.classroom import live  # noqa: E402
from explorer.figures.heatmap import COLORSCALE  # noqa: E402
from explorer.limits import MAX_LAYERS  # noqa: E402
from explorer.train import curves  # noqa: E402
from explorer.train.classes import CLASS_COLOURS, CLASS_SYMBOLS  # noqa: E402

VISIONS = {"normal": None, "deuteranopia": "deuteranomaly", "protanopia": "protanomaly",
           "tritanopia": "tritanomaly"}
# Streamlit 1.67's page backgrounds, light and dark (the .stApp's, measured in Chromium): the
# boundary heatmap is drawn on them at 75 %.
BACKGROUNDS = {"light": "#ffffff", "dark": "#171614"}

# Thresholds in ΔE CAM02-UCS, whose unit is about CIELAB's: two colours side by side differ
# just noticeably from about 2 to 3.
STEP_MIN = 5.0       # neighbouring steps of a scale: each step a visible step, not a guess
SIGN_MIN = 10.0      # −v against +v: the sign read at a glance, not by comparing closely
CATEGORY_MIN = 15.0  # categories: named apart without a neighbour to compare with


def rgb(colour):
    """sRGB in [0, 1] of a '#rrggbb' or '#rgb' colour, shape (3,)."""
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)]) / 255.0


def simulate(colours, vision):
    """The colours (n × 3 sRGB in [0, 1]) as seen with ``vision`` (a key of VISIONS), inside
    the screen's gamut."""
    colours = np.atleast_2d(np.asarray(colours, float))
    if VISIONS[vision] is None:
        return colours
    cvd = {"name": "sRGB1+CVD", "cvd_type": VISIONS[vision], "severity": 100}
    return np.clip(colorspacious.cspace_convert(colours, cvd, "sRGB1"), 0.0, 1.0)


def delta_e(a, b):
    """ΔE in CAM02-UCS between sRGB colours a and b (rows)."""
    return colorspacious.deltaE(a, b, input_space="sRGB1")


def over(colours, opacity, background):
    """The colours painted at ``opacity`` on ``background`` (all sRGB in [0, 1])."""
    return opacity * np.asarray(colours, float) + (1 - opacity) * rgb(background)


def steps(colours, vision):
    """(smallest ΔE, i): the closest neighbours, colours i and i + 1, as ``vision`` sees."""
    s = simulate(colours, vision)
    d = delta_e(s[:-1], s[1:])
    return float(d.min()), int(d.argmin())


def signs(colours, vision):
    """(smallest ΔE, i) between colour i and its mirror −i of a diverging scale."""
    s = simulate(colours, vision)
    half = len(s) // 2
    d = delta_e(s[:half], s[::-1][:half])
    return float(d.min()), int(d.argmin())


def pairs(colours, vision):
    """(smallest ΔE, (i, j)) over every two colours of a palette, as ``vision`` sees."""
    s = simulate(colours, vision)
    ij = list(itertools.combinations(range(len(s)), 2))
    d = delta_e(s[[i for i, _ in ij]], s[[j for _, j in ij]])
    return float(d.min()), ij[int(d.argmin())]


# "marked": categories that each carry their own shape or label too, so that colour is not
# what tells them apart: two of them need only differ visibly, as neighbouring steps do.
MEASURES = {"steps": (steps, STEP_MIN), "signs": (signs, SIGN_MIN),
            "pairs": (pairs, CATEGORY_MIN), "marked": (pairs, STEP_MIN)}
# The Train page's first classes are told apart by colour alone at CATEGORY_MIN; beyond them
# by their shapes (CLASS_SYMBOLS) and, in the plane, the regions' labels.
CLASSES_BY_COLOUR = 6
# The boundary of more than two classes: each region tinted with its class's colour at 35 %.
REGION_OPACITY = 0.35


def scales():
    """{name: (colours as an n × 3 array, measure)}: every colour scale and palette the app
    draws with, each with the measure that says what its colours must tell apart."""
    rdbu = np.array([rgb(c) for _, c in COLORSCALE])
    layers = MAX_LAYERS - 1                       # the flow figure: one line per layer 2..L
    ramp = [curves._ramp(i / (layers - 1)) for i in range(layers)]
    out = {
        "RdBu stops (heatmaps, graph, mini-batch)": (rdbu, "steps"),
        "RdBu −v against +v": (rdbu, "signs"),
        **{f"RdBu at 75 % on {k} (boundary)": (over(rdbu, 0.75, bg), "steps")
           for k, bg in BACKGROUNDS.items()},
        f"layer lines, {layers} layers (gradient flow)": (
            np.array([[int(v) / 255 for v in c[4:-1].split(",")] for c in ramp]), "steps"),
        "classes 0 and 1 (points, curves)": (np.array([rgb(c) for c in CLASS_COLOURS[:2]]),
                                             "pairs"),
        f"classes, first {CLASSES_BY_COLOUR} (uploaded data)": (
            np.array([rgb(c) for c in CLASS_COLOURS[:CLASSES_BY_COLOUR]]), "pairs"),
        f"classes, all {len(CLASS_SYMBOLS)}, each its own shape": (
            np.array([rgb(c) for c in CLASS_COLOURS]), "marked"),
        **{f"regions, first {CLASSES_BY_COLOUR}, 35 % on {k}, labelled": (
            over([rgb(c) for c in CLASS_COLOURS[:CLASSES_BY_COLOUR]], REGION_OPACITY, bg),
            "marked") for k, bg in BACKGROUNDS.items()},
        "class histogram (right, mistake, other)": (
            np.array([rgb(live.COLOURS[g]) for g in live.COLOURS]), "pairs"),
        "right value's line on the right bars": (
            np.array([rgb(live.RIGHT), rgb(live.COLOURS["right"])]), "pairs"),
    }
    return out


def table():
    """Rows (scale, measure, threshold, {vision: smallest ΔE})."""
    return [(name, m, MEASURES[m][1], {v: MEASURES[m][0](c, v)[0] for v in VISIONS})
            for name, (c, m) in scales().items()]


def main():
    print("Smallest ΔE (CAM02-UCS) per scale, simulated at full severity (Machado et al. "
          "2009);\nsteps: neighbouring stops; signs: −v against +v; pairs: any two colours; "
          "marked: any two\ncolours, each with its own shape or label too. * below the "
          "threshold.\n")
    print(f"{'scale':<44} {'measure':<7} {'min':>4} " + " ".join(f"{v:>12}" for v in VISIONS))
    for name, m, least, d in table():
        cells = " ".join(f"{d[v]:>11.1f}{'*' if d[v] < least else ' '}" for v in VISIONS)
        print(f"{name:<44} {m:<7} {least:>4.0f} {cells}")
    print("\nThe Train page's classes, the first n of them (pairs):")
    for n in (2, 3, 4, 5, 6, 7, 8, 10, 12, 16):
        c = np.array([rgb(v) for v in CLASS_COLOURS[:n]])
        print(f"{'  first ' + str(n):<57}" + " ".join(f"{pairs(c, v)[0]:>11.1f} "
                                                    for v in VISIONS))


if __name__ == "__main__":
    main()
