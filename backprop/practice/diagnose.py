"""Which classic mistake gives a student's wrong number for one cell?

A cell is addressed as in ``explain``: (quantity, l, j, k), 1-based, with quantity one of
"z", "a", "cost", "delta", "nabla_b", "nabla_w" (k only for "nabla_w"; the cost has l = L).

``diagnose`` checks an answer under the rule of ``answers`` (relative 1e-3 or absolute
5e-4, whichever is looser). When it is wrong, the cell is recomputed under each classic
mistake of ``mistakes`` (one slip at this step, every earlier number right; the ½ of the
quadratic cost forgotten is also carried through to every δ and gradient after it) and each
mistake whose number the answer matches is named, with the corrected step. A mistake that
gives the right number for this cell (within the tolerance) is no mistake here and is never
named. ``certain`` is True only when exactly one mistake matches and nothing else could
explain the answer as well: the tolerance band around that mistake's number touches
neither the right answer's band nor another mistake's.

    >>> from backprop import Network
    >>> net = Network([[[0.5]]], [[0.5]])             # z² = 0.5·1 + 0.5 = 1
    >>> d = diagnose(net, [1.0], [0.0], "delta", 2, 1, answer="0.7311")
    >>> d.correct, d.mistake.id                         # a² − y without σ′(z²)
    (False, 'no_sigma_prime')
"""

import math
import operator
from dataclasses import dataclass

from .answers import Tolerance, parse_answer, tolerance, within
from .mistakes import MISTAKES, candidates
from .rules import rule

QUANTITIES = ("z", "a", "cost", "delta", "nabla_b", "nabla_w")


@dataclass(frozen=True)
class Mistake:
    id: str          # stable short id, a key of MISTAKES, e.g. "no_sigma_prime"
    name: str        # e.g. "σ′(z) left out"
    sentence: str    # what went wrong, then the right step, as plain Unicode text
    value: float     # the number this mistake gives for the cell


@dataclass(frozen=True)
class Diagnosis:
    correct: bool
    answer: float
    right: float
    tolerance: Tolerance   # .rule is "relative" or "absolute"; .allowed; .text
    mistakes: tuple        # the Mistakes whose number the answer matches; () when correct
    certain: bool          # one mistake named, and nothing else explains the answer

    @property
    def rule(self):
        """"relative" or "absolute": the rule the answer was checked by."""
        return self.tolerance.rule

    @property
    def mistake(self):
        """The one mistake claimed with certainty, or None."""
        return self.mistakes[0] if self.certain else None


def diagnose(net, x, y, quantity, l, j=None, k=None, *, answer):
    """The Diagnosis of ``answer`` (a number, or text as typed) for one cell of the trace
    of (x, y). Raises ValueError with a message for the student if the text is no number."""
    answer = parse_answer(answer)
    l, j, k = _check_cell(net, quantity, l, j, k)
    trace = net.backprop(x, y)
    right = _right(trace, quantity, l, j, k)
    if within(answer, right):
        return Diagnosis(True, answer, right, tolerance(right), (), False)
    every = _mistakes(net, trace, quantity, l, j, k, right)
    matched = tuple(m for m in every if within(answer, m.value))
    certain = len(matched) == 1 and all(
        _apart(matched[0].value, v) for v in [right] + [m.value for m in every
                                                         if m is not matched[0]])
    return Diagnosis(False, answer, right, tolerance(right), matched, certain)


def mistake_values(net, x, y, quantity, l, j=None, k=None):
    """Every Mistake that applies to this cell and gives a number other than the right one
    (outside the tolerance), in the order of MISTAKES; for hints and a class's histogram."""
    l, j, k = _check_cell(net, quantity, l, j, k)
    trace = net.backprop(x, y)
    return _mistakes(net, trace, quantity, l, j, k, _right(trace, quantity, l, j, k))


def _mistakes(net, trace, quantity, l, j, k, right):
    step = rule(net, quantity, l, j, k)
    found = {i: (v, what) for i, v, what in candidates(net, trace, quantity, l, j, k)
             if math.isfinite(v) and not within(v, right)}
    return tuple(Mistake(i, MISTAKES[i], f"{found[i][1]} The right step: {step}.",
                         found[i][0]) for i in MISTAKES if i in found)


def _apart(u, v):
    """Whether no number counts as both u and v: their tolerance bands do not touch."""
    return abs(u - v) > tolerance(u).allowed + tolerance(v).allowed


def _right(trace, quantity, l, j, k):
    if quantity == "cost":
        return float(trace.cost)
    if quantity == "nabla_w":
        return float(trace.nabla_w[l][j - 1, k - 1])
    return float(getattr(trace, quantity)[l][j - 1])


def _index(name, v, lo, hi, what):
    try:
        v = operator.index(v)
    except TypeError:
        v = None
    if v is None or not lo <= v <= hi:
        raise ValueError(f"{name} must be {what}: a whole number from {lo} to {hi}")
    return v


def _check_cell(net, quantity, l, j, k):
    """(l, j, k) as ints, or a ValueError saying which index is out of range."""
    if quantity not in QUANTITIES:
        what = quantity[:20] if isinstance(quantity, str) else type(quantity).__name__
        raise ValueError(f"no practice question about {what!r}: choose one of "
                         f"{', '.join(QUANTITIES)}")
    L = net.L
    if quantity == "cost":
        return _index("l", l, L, L, f"the output layer for the cost (l = {L})"), None, None
    l = _index("l", l, 1 if quantity == "a" else 2, L, "a layer of the network")
    j = _index("j", j, 1, net.sizes[l - 1], f"a neuron of layer {l}")
    if quantity != "nabla_w":
        return l, j, None
    return l, j, _index("k", k, 1, net.sizes[l - 2], f"a neuron of layer {l - 1}")
