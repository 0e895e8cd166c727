"""What the class pages show, worked out from the store's records: the question (its
network, step and cell), a student's answer judged by the diagnoser, and for the teacher
the counts, the share right, the histogram of the answers and the mistakes counted.
Plain functions, no Streamlit.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np

from backprop.explain.notation import bmatrix
from backprop.explain.steps import steps
from backprop.practice.answers import parse_answer, tolerance
from backprop.practice.diagnose import diagnose
from backprop.practice.mistakes import MISTAKES

from .. import files, limits
from ..practice import questions

BINS = 24
# Told apart by colour, by pattern and by name (issue 23: no meaning on colour alone). The
# colours stay ΔE ≥ 15 apart under simulated deuteranopia, protanopia and tritanopia
# (benchmarks/colour_vision.py): Okabe and Ito's orange, where #ef6c00 came within 9 of the
# green under protanopia.
COLOURS = {"right": "#2e7d32", "mistake": "#e69f00", "other": "#9e9e9e"}
PATTERNS = {"right": "", "mistake": "x", "other": "/"}
RIGHT = "#1e88e5"   # the right value's line and label: a blue that reads on light and dark
GROUP_NAMES = {"right": "right", "mistake": "a classic mistake", "other": "another number"}


@dataclass(frozen=True)
class Asked:
    """A stored question, ready to draw: its network, example, trace, steps and cell."""
    net: object
    x: np.ndarray
    y: np.ndarray
    trace: object
    steps: tuple
    step: object        # the backprop.steps.Step asked about
    cell: tuple         # (quantity, l, j, k)


def question_of(net, x, y, step_index, cell):
    """(network JSON, right value) of a question about ``cell`` at step ``step_index``;
    ValueError if the step asks nothing or does not compute that cell."""
    all_steps = steps(net, net.backprop(x, y))
    if not 0 <= step_index < len(all_steps) or not questions.asks(all_steps[step_index]):
        raise ValueError("choose a step after the input: the input x is given, not asked")
    if tuple(cell) not in questions.cells(net, all_steps[step_index]):
        raise ValueError("choose a cell that this step computes")
    return files.dumps(net, x, y), diagnose(net, x, y, *cell, answer=0.0).right


def asked(question):
    """The Asked of a store.Question."""
    net, x, y = files.loads(question.network, source="question")
    trace = net.backprop(x, y)
    all_steps = steps(net, trace)
    return Asked(net, x, y, trace, all_steps, all_steps[question.step], tuple(question.cell))


def output_and_target(a):
    """LaTeX of what the cost and BP1 work from, for Asked ``a``: the output aᴸ, computed
    by then and drawn in the network figure, and the target y, which no figure shows."""
    L, most = a.net.L, limits.MAX_NEURONS
    return (rf"a^{{{L}}} = {bmatrix(a.trace.a[L], max_rows=most)}, \qquad "
            rf"y = {bmatrix(a.y, max_rows=most)}")


def judge(a, text):
    """(value, Diagnosis) of the answer typed for Asked ``a``; ValueError with a message
    for the student if it is not a number."""
    value = parse_answer(text)
    return value, diagnose(a.net, a.x, a.y, *a.cell, answer=value)


def mistake_id(diagnosis):
    """The mistake to count for this diagnosis: one named for certain, else None."""
    return diagnosis.mistake.id if diagnosis.mistake else None


@dataclass(frozen=True)
class Tally:
    joined: int
    seen: int            # students whose page has drawn the question
    answered: int
    right: int
    values: tuple        # every answer, in the order received
    groups: tuple        # "right", "mistake" or "other", one per answer
    mistakes: tuple      # (name, count), most frequent first

    @property
    def share_right(self):
        """The share of the answers that are right, or None before the first answer."""
        return self.right / self.answered if self.answered else None


def tally(joined, seen, rows):
    """The Tally of ``rows`` [(nickname, value, correct, mistake id, typed), ...] from the
    store, ``joined`` students of whom ``seen`` have the question on screen."""
    groups = tuple("right" if c else "mistake" if m else "other" for _, _, c, m, _ in rows)
    counts = Counter(m for _, _, c, m, _ in rows if not c and m)
    return Tally(joined, seen, len(rows), groups.count("right"),
                 tuple(float(v) for _, v, _, _, _ in rows),
                 groups, tuple((MISTAKES.get(m, m), n) for m, n in
                               sorted(counts.items(), key=lambda mn: (-mn[1], mn[0]))))


def bin_edges(values, right, bins=BINS):
    """Edges of the histogram: from the lowest to the highest answer (the 2.5 % at either
    end left out when there are 40 or more) with the right value inside, and never
    narrower than 20 tolerances of the right value, so that right answers share a bar."""
    v = np.sort(np.asarray(values, float))
    if len(v) >= 40:
        v = v[int(0.025 * len(v)): len(v) - int(0.025 * len(v))]
    lo, hi = min(v.min(initial=right), right), max(v.max(initial=right), right)
    least = 20 * tolerance(right).allowed
    if hi - lo < least:
        mid = (lo + hi) / 2
        lo, hi = mid - least / 2, mid + least / 2
    pad = (hi - lo) / (2 * bins)
    return np.linspace(lo - pad, hi + pad, bins + 1)


def histogram(t, right):
    """The answers of Tally ``t`` as stacked bars (right, a classic mistake, another
    number: each its colour, pattern and name in the legend), the right value marked by a
    line; answers beyond the edges are counted in the title. A plotly figure dict."""
    values, groups = np.asarray(t.values, float), np.asarray(t.groups)
    edges = bin_edges(values, right)
    inside = (values >= edges[0]) & (values <= edges[-1])
    centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    data = [{"type": "bar", "name": GROUP_NAMES[g], "x": centres, "width": width,
             "y": np.histogram(values[inside & (groups == g)], edges)[0].astype(float),
             # overlay: the bar keeps its colour, the pattern is drawn on it in black or white
             "marker": {"color": COLOURS[g], "pattern": {"shape": PATTERNS[g],
                                                         "fillmode": "overlay"}},
             "hovertemplate": "%{y} answers near %{x:.4g}<extra>" + GROUP_NAMES[g] + "</extra>"}
            for g in COLOURS]
    outside = int((~inside).sum())
    tallest = max([0, *np.sum([d["y"] for d in data], axis=0)])
    title = f"{t.answered} answers" + (f" ({outside} beyond the range shown)" if outside else "")
    layout = {
        "barmode": "stack", "bargap": 0.05, "height": 320,
        "margin": {"l": 50, "r": 20, "t": 50, "b": 40},
        "title": {"text": title, "font": {"size": 14}},
        "xaxis": {"title": {"text": "answer"}, "range": [edges[0], edges[-1]]},
        "yaxis": {"title": {"text": "students"}, "rangemode": "tozero", "tickformat": "d",
                  "dtick": max(1, int(np.ceil(tallest / 5)))},
        "showlegend": True, "legend": {"orientation": "h", "y": -0.25},
        "shapes": [{"type": "line", "layer": "above", "x0": right, "x1": right, "y0": 0, "y1": 1,
                    "yref": "paper", "line": {"color": RIGHT, "width": 2, "dash": "dash"}}],
        # the label reaches into the plot from a line near either end, so it is not cut off
        "annotations": [{"x": right, "y": 1, "yref": "paper", "yanchor": "bottom",
                         "xanchor": label_anchor(right, edges),
                         "showarrow": False, "text": f"right: {right:.4g}",
                         "font": {"color": RIGHT}}],
        "meta": {"right": right, "answered": t.answered},
    }
    return {"data": data, "layout": layout}


def label_anchor(x, edges):
    """Which end of a label at ``x`` is pinned there: "right" in the last third of the
    range of ``edges``, "left" in the first, else "center"."""
    where = (x - edges[0]) / (edges[-1] - edges[0])
    return "right" if where > 2 / 3 else "left" if where < 1 / 3 else "center"


def who(rows):
    """The teacher's list: one row per answer, (nickname, answer as typed, right, mistake
    name), all plain text for a table."""
    return [{"nickname": n, "answer": typed, "right": bool(c),
             "mistake": MISTAKES.get(m, "") if m else ""} for n, _, c, m, typed in rows]

