"""The colour scales under simulated deuteranopia, protanopia and tritanopia (issue 23).

Simulation: Machado, Oliveira & Fernandes (2009) at full severity, by colorspacious; ΔE in
CAM02-UCS, where side-by-side colours differ just noticeably from about 2 to 3. Thresholds
(benchmarks/colour_vision.py, which prints the table):
- neighbouring stops of a scale ≥ STEP_MIN = 5: every step of the scale is a visible step;
- a diverging scale's −v against +v ≥ SIGN_MIN = 10: the sign is read at a glance;
- any two categories ≥ CATEGORY_MIN = 15: told apart without a neighbour to compare with;
- categories that each carry their own shape or label too ("marked": the Train page's 16
  classes, and their regions' tints) ≥ STEP_MIN: colour is not what tells them apart.
"""

import numpy as np
import pytest

from backprop import Network
from benchmarks import colour_vision as cv
from explorer.classroom import live
from explorer.train import classes, training
from explorer.train.upload import read_csv

DEFICIENCIES = ("deuteranopia", "protanopia", "tritanopia")

# Machado et al. 2009, Table 1 at severity 1.0: linear RGB → linear RGB as seen.
MACHADO = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968],
                     [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868],
                   [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779],
                   [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _linear(c):
    c = np.asarray(c, float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _gamma(c):
    c = np.asarray(c, float)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * np.abs(c) ** (1 / 2.4) * np.sign(c)
                    - 0.055)


@pytest.mark.parametrize("vision", DEFICIENCIES)
def test_the_simulation_is_machados_published_matrix(vision):
    """colorspacious's "sRGB1+CVD" at severity 100 is the paper's matrix on linear sRGB."""
    colours = np.array([cv.rgb(c) for c in ("#b2182b", "#2166ac", "#2e7d32", "#e69f00",
                                            "#9e9e9e", "#f7f7f7")])
    by_hand = np.clip(_gamma(_linear(colours) @ np.array(MACHADO[vision]).T), 0, 1)
    # the paper prints six decimals: 1e-6 in linear RGB is under 1e-4 after the gamma
    np.testing.assert_allclose(cv.simulate(colours, vision), by_hand, rtol=0, atol=1e-4)


def test_delta_e_of_a_reference_pair():
    """Black against white is CAM02-UCS's J' from 0 to 100 (no hue, little chroma)."""
    np.testing.assert_allclose(cv.delta_e(cv.rgb("#000"), cv.rgb("#fff")), 100.0, atol=0.5)


def _cases():
    return [pytest.param(name, vision, id=f"{name}-{vision}")
            for name in cv.scales() for vision in cv.VISIONS]


def check(colours, measure, vision, name=""):
    """AssertionError if ``colours`` fall below their measure's threshold for ``vision``."""
    find, least = cv.MEASURES[measure]
    smallest, where = find(colours, vision)
    assert smallest >= least, f"{name}, {vision}: ΔE {smallest:.1f} < {least} at {where}"


@pytest.mark.parametrize("name, vision", _cases())
def test_every_scale_keeps_its_colours_apart(name, vision):
    colours, measure = cv.scales()[name]
    check(colours, measure, vision, name)


def _hex(*colours):
    return np.array([cv.rgb(c) for c in colours])


def test_the_check_fails_on_colours_that_collapse():
    """Colours that normal vision tells apart easily fail the check under the deficiency
    that merges them: a red and a green, the histogram's old green and orange, and a scale
    from red through yellow to green, whose two signs meet."""
    red_green = _hex("#e41a1c", "#4daf4a")
    check(red_green, "pairs", "normal")
    with pytest.raises(AssertionError, match="deuteranopia: ΔE"):
        check(red_green, "pairs", "deuteranopia")
    old = _hex("#2e7d32", "#ef6c00")
    check(old, "pairs", "normal")
    with pytest.raises(AssertionError, match="protanopia: ΔE 9.1"):
        check(old, "pairs", "protanopia")
    red_yellow_green = _hex("#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850")
    check(red_yellow_green, "signs", "normal")
    with pytest.raises(AssertionError, match="deuteranopia: ΔE"):
        check(red_yellow_green, "signs", "deuteranopia")


def test_the_histograms_bars_are_drawn_in_the_colours_checked():
    """The bars of the teacher's histogram wear the palette that the table checks."""
    rows = [("a", 1.0, True, None, "1"), ("b", 2.0, False, "no_sigma_prime", "2"),
            ("c", 7.0, False, None, "7")]
    fig = live.histogram(live.tally(3, 3, rows), 1.0)
    colours, _ = cv.scales()["class histogram (right, mistake, other)"]
    np.testing.assert_allclose([cv.rgb(b["marker"]["color"]) for b in fig["data"]], colours,
                               rtol=0, atol=1e-12)


def test_the_first_classes_are_told_apart_by_colour_alone_and_all_by_shape():
    """The first CLASSES_BY_COLOUR classes meet CATEGORY_MIN (the table checks them); one
    more does not, so the table's claim is the most it can be. All 16 colours differ
    visibly, and all 16 classes have shapes of their own: colour is never the only cue."""
    first = _hex(*classes.CLASS_COLOURS[:cv.CLASSES_BY_COLOUR])
    for vision in cv.VISIONS:
        check(first, "pairs", vision)
    more = _hex(*classes.CLASS_COLOURS[:cv.CLASSES_BY_COLOUR + 1])
    assert min(cv.pairs(more, v)[0] for v in cv.VISIONS) < cv.CATEGORY_MIN
    assert len(set(classes.CLASS_SYMBOLS)) == len(classes.CLASS_COLOURS) == 16
    assert len(set(classes.CLASS_COLOURS)) == 16


def test_the_points_wear_the_colours_and_shapes_checked():
    """Each of 16 uploaded classes is drawn in its colour of the table and a shape that no
    other class has, training points filled and test points open, and no point's shape
    belongs to another class: a point's class is read from its shape alone."""
    lines = ["a,b,label"] + [f"{i % 4},{i // 4 % 4},k{i % 16:02d}" for i in range(64)]
    d = read_csv("\n".join(lines).encode(), "k.csv", 0.25, 0)
    fig = training.boundary_figure(d, Network.random([2, 3, 16], seed=0))
    points = [t for t in fig["data"] if (t.get("meta") or {}).get("kind") == "points"]
    shape_of = {}
    for t in points:
        rows = d.train if t["meta"]["split"] == "train" else d.test
        np.testing.assert_allclose([cv.rgb(c) for c in t["marker"]["color"]],
                                   _hex(*classes.CLASS_COLOURS)[d.c[rows]], rtol=0, atol=1e-12)
        is_open = np.asarray(t["marker"]["symbol"]) >= classes.OPEN
        assert is_open.all() == (t["meta"]["split"] == "test") and is_open.any() == is_open.all()
        for c, s in zip(d.c[rows], np.asarray(t["marker"]["symbol"]) % classes.OPEN):
            shape_of.setdefault(int(s), set()).add(int(c))
    assert sorted(len(v) for v in shape_of.values()) == [1] * 16    # a shape, one class
