"""The app's colour scales under simulated colour-vision deficiencies: a script run by hand
(``python benchmarks/colour_vision.py``, or ``make bench``), and the measures that
tests/explorer/figures/test_colour_vision.py checks.

Each scale is simulated as a person with full deuteranopia, protanopia or tritanopia sees it
(Machado, Oliveira & Fernandes 2009, severity 1.0, as colorspacious's "sRGB1+CVD" space
implements it, the result clipped to the screen's gamut), and colour differences are ΔE in
CAM02-UCS. Prints, per scale and vision, the smallest ΔE between two neighbouring steps of a
scale (its own stops), between the two signs of a diverging scale (the stop for −v against
the one for +v), or between any two colours of a categorical palette.
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
from explorer.train.training import CLASS_COLOURS  # noqa: E402

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


MEASURES = {"steps": (steps, STEP_MIN), "signs": (signs, SIGN_MIN),
            "pairs": (pairs, CATEGORY_MIN)}


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
        "classes, all 16 (uploaded data)": (np.array([rgb(c) for c in CLASS_COLOURS]),
                                            "pairs"),
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
          "2009);\nsteps: neighbouring stops; signs: −v against +v; pairs: any two colours. "
          "* below the threshold.\n")
    print(f"{'scale':<44} {'measure':<7} {'min':>4} " + " ".join(f"{v:>12}" for v in VISIONS))
    for name, m, least, d in table():
        cells = " ".join(f"{d[v]:>11.1f}{'*' if d[v] < least else ' '}" for v in VISIONS)
        print(f"{name:<44} {m:<7} {least:>4.0f} {cells}")


if __name__ == "__main__":
    main()
