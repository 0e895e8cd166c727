"""Practice mode: which cell is asked, what stays hidden until it is answered, the hint, and
the score. Plain functions over plain records; the page keeps them in session state.

A step's numbers stay hidden until its question is answered right or shown. The asked cell
is the one a lesson link names, else the one the student picked among the step's cells,
else the step's cells in turn.
"""

import re
from dataclasses import dataclass, replace

from backprop.explain.steps import known

OUTCOMES = ("first", "hint", "shown")   # right first time, right after a hint, shown
OUTCOME_NAMES = {"first": "right first time", "hint": "right after the hint", "shown": "shown"}


@dataclass(frozen=True)
class Score:
    first: int = 0
    hint: int = 0
    shown: int = 0

    def add(self, outcome):
        return replace(self, **{outcome: getattr(self, outcome) + 1})

    @property
    def total(self):
        return self.first + self.hint + self.shown


@dataclass(frozen=True)
class Question:
    step: int            # index of the step it belongs to
    cells: tuple         # the asked cells (quantity, l, j, k), 1-based: one, or a vector
    wrong: int = 0       # wrong attempts so far
    done: str = None     # an outcome of OUTCOMES once answered or shown
    last: tuple = None   # the last answers checked, one per cell
    tried: int = 0       # how many answers were checked


def asks(step):
    """Whether practice asks anything at this step: not at the input, which is given."""
    return step.kind != "input"


def cells(net, step):
    """Every cell the step computes, in reading order."""
    q, l = step.quantity, step.l
    if q == "cost":
        return [("cost", l, None, None)]
    if q == "nabla_w":
        return [(q, l, j, k) for j in range(1, net.sizes[l - 1] + 1)
                for k in range(1, net.sizes[l - 2] + 1)]
    return [(q, l, j, None) for j in range(1, net.sizes[l - 1] + 1)]


def choose(net, step, turn, picked=None, lesson_cell=None):
    """The cell asked at ``step``: the lesson's, else the picked one, else the turn-th."""
    options = cells(net, step)
    for wanted in (lesson_cell, picked):
        if wanted is not None and tuple(wanted) in options:
            return tuple(wanted)
    return options[turn % len(options)]


def visible(all_steps, i, revealed):
    """The (quantity, l) pairs whose numbers may be shown at step i: those of earlier steps,
    and step i's own once ``revealed``."""
    if revealed or i == 0:
        return known(all_steps, i)
    return known(all_steps, i - 1)


def answer(question, correct, values):
    """The question after one checked answer (one value per cell), right or not."""
    values, tried = tuple(float(v) for v in values), question.tried + 1
    if len(values) != len(question.cells):
        raise ValueError(f"give one answer for each of the {len(question.cells)} cells")
    if question.done:
        return question
    if correct:
        return replace(question, done="first" if question.wrong == 0 else "hint",
                       last=values, tried=tried)
    return replace(question, wrong=question.wrong + 1, last=values, tried=tried)


def show(question):
    """The question given up on: its numbers are shown."""
    return question if question.done else replace(question, done="shown")


def vector_cells(net, step):
    """All the step's cells, when the whole vector can be asked at once (z, a, δ, ∂C/∂b)."""
    return tuple(cells(net, step)) if step.quantity in ("z", "a", "delta", "nabla_b") else None


_RESULT = re.compile(r"\s*(=|\\approx)\s*(?:(?!=|\\approx).)*$")   # from the last = or ≈


def hint(lines):
    """The derivation's lines with the final result cut off: the rule with its numbers
    plugged in, all but the answer."""
    if not lines:
        return ()
    last = _RESULT.sub("", lines[-1])
    return tuple(lines[:-1]) + ((last,) if last.strip() not in ("", "=") else ())
