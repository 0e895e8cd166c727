"""Moodle XML with numerical questions on seeded variants of one architecture:
``moodle_quiz(sizes, activations, cost, cells, variants, seed, name)``.

For each asked cell the quiz holds one category, ``$course$/top/<name>/<cell>``, with one
question per variant, so that a Moodle quiz drawing one random question from each category
gives neighbours different numbers. Every variant's weights, biases, x and y have two
decimals and are printed exactly in the question; the answer's tolerance follows the
practice rule, and the general feedback is the derivation of ``explain``.
"""

import html
import xml.etree.ElementTree as ET

import numpy as np

from . import validate
from .explain import explain
from .export_render import HTML, describe, tolerance
from .export_worksheet import cell_list, given
from .network import Network
from .notation import plain, pretty

MAX_VARIANTS, MAX_CELLS, MAX_NAME = 50, 20, 60
MAX_LAYERS, MAX_NEURONS = 6, 16     # the explorer's limits (explorer/limits.py)
_REDRAWS = 20   # tries to draw a variant none of whose asked numbers is 0 (a dead relu)



def _name(name):
    """``name`` as plain text: letters, digits, spaces and a little punctuation, shortened."""
    if not isinstance(name, str):
        raise ValueError("the quiz name must be text")
    kept = "".join(c if c.isalnum() or c in " -_.,:()#+'" else " " for c in name[:1000])
    kept = " ".join(kept.split())[:MAX_NAME].strip()
    if not kept:
        raise ValueError("give the quiz a name with at least one letter or digit")
    return kept


def _variant(sizes, activations, cost, rng):
    """A network and an example with two-decimal numbers, drawn from ``rng``."""
    def draw(*shape):
        return np.round(rng.uniform(-1.0, 1.0, shape), 2) + 0.0   # + 0.0: no −0
    ws = [draw(n, m) for m, n in zip(sizes[:-1], sizes[1:])]
    bs = [draw(n) for n in sizes[1:]]
    net = Network(ws, bs, activations, cost)
    out, n = net.activations[net.L], sizes[-1]
    if out == "softmax":
        y = np.eye(n)[rng.integers(n)]                 # one class
    elif out == "sigmoid":
        y = rng.integers(0, 2, n).astype(np.float64)   # 0 or 1 per output
    else:
        y = draw(n)
    return net, draw(sizes[0]), y


def _question(net, x, y, cell, title):
    d = explain(net, net.backprop(x, y), *cell)
    what = pretty(plain(*cell))
    text = "\n".join([HTML.para(describe(net) + " w^l_jk is the weight to neuron j of layer l "
                                "from neuron k of layer l−1."), *given(HTML, net, x, y),
                      HTML.para(f"Compute {what} for this example. An answer within a "
                                "relative 10⁻³ or an absolute 5×10⁻⁴ of the exact value, "
                                "whichever is looser, counts as right.")])
    feedback = "\n".join([HTML.para(f"{what} = {d.value:.10g} ({d.equation}). {d.text}")]
                         + [f"<p>\\[{html.escape(line)}\\]</p>" for line in d.lines])
    q = ET.Element("question", type="numerical")
    ET.SubElement(ET.SubElement(q, "name"), "text").text = title
    for tag, body in (("questiontext", text), ("generalfeedback", feedback)):
        ET.SubElement(ET.SubElement(q, tag, format="html"), "text").text = body
    for tag, v in (("defaultgrade", "1"), ("penalty", "0.3333333"), ("hidden", "0")):
        ET.SubElement(q, tag).text = v
    answer = ET.SubElement(q, "answer", fraction="100", format="moodle_auto_format")
    ET.SubElement(answer, "text").text = np.format_float_positional(d.value, trim="-")
    ET.SubElement(ET.SubElement(answer, "feedback", format="html"), "text").text = "Right."
    ET.SubElement(answer, "tolerance").text = np.format_float_positional(
        tolerance(d.value), trim="-")
    return q, d.value


def moodle_quiz(sizes, activations, cost, cells, variants=10, seed=0, name="Backpropagation"):
    """Moodle XML text: for each cell of ``cells`` ((quantity, l, j, k), 1-based), a
    category with ``variants`` numerical questions, variant v drawn from the seed [seed, v]."""
    variants = validate.whole("variants", variants, 1, MAX_VARIANTS)
    seed = validate.whole("seed", seed, 0, 2**63 - 1)
    name = _name(name)
    if not isinstance(sizes, (list, tuple)) or not 2 <= len(sizes) <= MAX_LAYERS:
        raise ValueError(f"sizes must list 2 to {MAX_LAYERS} layers, e.g. [2, 3, 2]")
    sizes = [validate.whole(f"n_{l}", n, 1, MAX_NEURONS) for l, n in enumerate(sizes, start=1)]
    drawn = []
    for v in range(variants):
        rng = np.random.default_rng([seed, v])
        for _ in range(_REDRAWS):
            net, x, y = _variant(sizes, activations, cost, rng)
            asked = cell_list(net, cells, most=MAX_CELLS)
            trace = net.backprop(x, y)
            if all(explain(net, trace, *c).value != 0 for c in asked):
                break
        drawn.append((net, x, y))
    quiz = ET.Element("quiz")
    for cell in asked:
        label = pretty(plain(*cell))
        folder = label.replace("/", "\u2215")   # ∂C∕∂w: a "/" would start a subcategory
        category = ET.SubElement(quiz, "question", type="category")
        ET.SubElement(ET.SubElement(category, "category"), "text").text = \
            f"$course$/top/{name}/{folder}"
        for v, (net, x, y) in enumerate(drawn, start=1):
            quiz.append(_question(net, x, y, cell, f"{name}: {label}, variant {v}")[0])
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, "unicode") + "\n"
