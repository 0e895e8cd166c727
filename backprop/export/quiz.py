"""Moodle XML with numerical questions on seeded variants of one architecture:
``moodle_quiz(...)`` gives the XML, ``quiz(...)`` the XML and notes for the teacher.

For each asked cell the quiz holds one category, ``$course$/top/<name>/<cell>``, with one
question per variant, so that a Moodle quiz drawing one random question from each category
gives neighbours different numbers. Every variant's weights, biases, x and y have two
decimals and are printed exactly in the question, with the cost's formula wherever the
answer depends on it; the general feedback is the derivation of ``explain``.

No classic slip is accepted. A quiz shows no intermediate values, so each slip of
``mistakes.py`` is carried through to the asked cell (``slips``). The tolerance is
the practice rule (relative 10⁻³ or absolute 5×10⁻⁴, whichever is looser), narrowed to half
the distance to the nearest slipped answer and to 0, and printed in each question. A question
is drawn again when its answer is 0, or when a slip comes so close that the tolerance would
fall below 10⁻⁴ of the answer. If 20 more draws cannot avoid that, the first draw is kept
with the practice rule, and the quiz says so: in the question's name and feedback, and in
``Quiz.notes`` for the teacher. No number is printed as −0.
"""

import html
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np

from .. import validate
from ..costs import COSTS
from ..explain import explain
from ..explain.notation import plain, pretty
from ..network import Network
from .render import HTML, describe, tolerance
from .slips import separating_tolerance, slipped
from .worksheet import _value, cell_list, given

MAX_VARIANTS, MAX_CELLS, MAX_NAME = 50, 20, 60
MAX_LAYERS, MAX_NEURONS = 6, 16     # the explorer's limits (explorer/limits.py)
_REDRAWS = 20   # tries to draw a variant whose answers are not 0 and keep every slip out


@dataclass(frozen=True)
class Quiz:
    xml: str        # Moodle XML
    name: str       # the category name used: $course$/top/<name>/<cell>
    seed: int
    notes: tuple    # plain sentences for the teacher: questions that could not be made
    #                 non-trivial, or that accept a classic slip


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


def _checked(net, x, y, asked):
    """For each asked cell, (derivation, tolerance, problems): problems are plain phrases
    saying why the question is not what it should be (none, mostly)."""
    trace = net.backprop(x, y)
    slips = slipped(net, trace, asked)
    out = []
    for cell in asked:
        d = explain(net, trace, *cell)
        right = d.value + 0.0
        tol, close = separating_tolerance(right, slips[cell], tolerance(right))
        problems = (["its answer is 0"] if right == 0 else []) + [
            f"the answer of a student who made the slip “{what}” ({_num(v)}) is accepted"
            for v, what in close]
        out.append((d, tol, problems))
    return out


def _num(v):
    return f"{float(v) + 0.0:.10g}"   # + 0.0: no "-0"


def _cost_sentence(net, cell):
    """The cost's formula, for a cell whose value depends on it (all but z and a)."""
    if cell[0] in ("z", "a"):
        return []
    c = COSTS[net.cost]
    note = ""
    if net.cost == "cross_entropy" and net.activations[net.L] == "softmax":
        note = (" This is the cross-entropy summed over every output, with both terms; it is "
                "not the log-likelihood −Σ_j y_j ln a^L_j.")
    formula = html.escape(f"C_x = {c.latex}")
    return [f"<p>The cost of this example is \\({formula}\\), where L = {net.L} is the "
            f"output layer.{html.escape(note)}</p>"]


def _question(net, numbers, cell, checked, title):
    d, tol, problems = checked
    what = pretty(plain(*cell))
    text = "\n".join([HTML.para(describe(net) + " w^l_jk is the weight to neuron j of layer l "
                                "from neuron k of layer l−1."), *numbers,
                      *_cost_sentence(net, cell),
                      HTML.para(f"Compute {what} for this example, keeping at least 6 "
                                f"significant digits in every intermediate result. An answer "
                                f"within ± {np.format_float_positional(tol, trim='-')} of the "
                                "exact value counts as right.")])
    lines = [HTML.para(f"{what} = {_num(d.value)} ({d.equation}). {d.text}")]
    lines += [f"<p>\\[{html.escape(line)}\\]</p>" for line in d.lines]
    if problems:
        lines.append(HTML.para(f"Note: in this variant {'; '.join(problems)} (none of "
                               f"{_REDRAWS} draws avoided it)."))
    q = ET.Element("question", type="numerical")
    ET.SubElement(ET.SubElement(q, "name"), "text").text = title
    for tag, body in (("questiontext", text), ("generalfeedback", "\n".join(lines))):
        ET.SubElement(ET.SubElement(q, tag, format="html"), "text").text = body
    for tag, v in (("defaultgrade", "1"), ("penalty", "0.3333333"), ("hidden", "0")):
        ET.SubElement(q, tag).text = v
    answer = ET.SubElement(q, "answer", fraction="100", format="moodle_auto_format")
    ET.SubElement(answer, "text").text = np.format_float_positional(d.value + 0.0, trim="-")
    ET.SubElement(ET.SubElement(answer, "feedback", format="html"), "text").text = "Right."
    ET.SubElement(answer, "tolerance").text = np.format_float_positional(tol, trim="-")
    return q


def _redraw(sizes, activations, cost, cell, rng, kept):
    """The first of ``_REDRAWS`` draws from ``rng`` whose question on ``cell`` has no
    problem, else ``kept``: (net, x, y, (derivation, tolerance, problems))."""
    for _ in range(_REDRAWS):
        net, x, y = _variant(sizes, activations, cost, rng)
        if _value(net.backprop(x, y), cell) == 0:
            continue                        # a dead relu, quickly seen
        (check,) = _checked(net, x, y, [cell])
        if not check[2]:
            return net, x, y, check
    return kept


def _variants(sizes, activations, cost, cells, seed, v):
    """Variant v of every cell: one network and example from the seed [seed, v] for all of
    them, and for a cell whose question there has a problem, its own from [seed, v, i]."""
    net, x, y = _variant(sizes, activations, cost, np.random.default_rng([seed, v]))
    asked = cell_list(net, cells, most=MAX_CELLS)
    out = []
    for i, (cell, check) in enumerate(zip(asked, _checked(net, x, y, asked))):
        kept = (net, x, y, check)
        out.append(_redraw(sizes, activations, cost, cell, np.random.default_rng([seed, v, i]),
                           kept) if check[2] else kept)
    return asked, out


def quiz(sizes, activations, cost, cells, variants=10, seed=0, name="Backpropagation"):
    """A Quiz: for each cell of ``cells`` ((quantity, l, j, k), 1-based), a category with
    ``variants`` numerical questions. Variant v is drawn from the seed [seed, v], and the
    question of cell i drawn again from [seed, v, i] where it has a problem."""
    variants = validate.whole("variants", variants, 1, MAX_VARIANTS)
    seed = validate.whole("seed", seed, 0, 2**63 - 1)
    name = _name(name)
    if not isinstance(sizes, (list, tuple)) or not 2 <= len(sizes) <= MAX_LAYERS:
        raise ValueError(f"sizes must list 2 to {MAX_LAYERS} layers, e.g. [2, 3, 2]")
    sizes = [validate.whole(f"n_{l}", n, 1, MAX_NEURONS) for l, n in enumerate(sizes, start=1)]
    drawn = [_variants(sizes, activations, cost, cells, seed, v) for v in range(variants)]
    root, notes, shown = ET.Element("quiz"), [], {}
    for i, cell in enumerate(drawn[0][0]):
        label = pretty(plain(*cell))
        folder = label.replace("/", "\u2215")   # ∂C∕∂w: a "/" would start a subcategory
        category = ET.SubElement(root, "question", type="category")
        ET.SubElement(ET.SubElement(category, "category"), "text").text = \
            f"$course$/top/{name}/{folder}"
        for v, (_, questions) in enumerate(drawn, start=1):
            net, x, y, check = questions[i]
            title = f"{name}: {label}, variant {v}"
            if check[2]:
                notes.append(f"{label}, variant {v}: {'; '.join(check[2])}.")
                title += " (see its note)"      # the question bank shows names to teachers
            if id(net) not in shown:            # the numbers of a network shared by cells
                shown[id(net)] = (net, given(HTML, net, x, y))
            root.append(_question(net, shown[id(net)][1], cell, check, title))
    ET.indent(root)
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
    return Quiz(xml, name, seed, tuple(notes))


def moodle_quiz(sizes, activations, cost, cells, variants=10, seed=0, name="Backpropagation"):
    """Moodle XML text of ``quiz(...)``."""
    return quiz(sizes, activations, cost, cells, variants, seed, name).xml
