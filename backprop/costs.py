"""Cost functions C_x of one example, each paired with its output error δ^L (BP1).

``terms(z, a, y, act)`` gives each output neuron's share of C_x and ``fn`` their sum;
``grad_a(a, y)`` is ∇_a C; ``bp1(cost, z, a, y, act, sp)`` is δ^L, given σ'(z^L) as ``sp``
(a vector, or the softmax Jacobian). Where the cost and the output
activation cancel, δ^L takes its reduced form (a^L − y): exact, and finite even when a^L
reaches 0 or 1. Costs that take logarithms use ln a computed from z (``act.log_fn``), so
they stay finite where a rounds to exactly 0 or 1.

Every function accepts one example (n,) or a batch (n_examples, n) and returns one cost
per example.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

_TINY = np.finfo(np.float64).tiny
_ONE_MINUS = 1.0 - np.finfo(np.float64).epsneg


@dataclass(frozen=True)
class Cost:
    name: str
    terms: Callable     # each output neuron's share of C_x: C_x = Σ_j terms_j
    grad_a: Callable    # ∇_a C
    latex: str          # C_x written out
    grad_latex: str     # ∂C/∂a^L_j written out
    reduced: dict = None   # output activation name -> δ^L(a, y) where σ' cancels
    needs_unit_interval: bool = False   # a must lie in (0, 1)

    def fn(self, z, a, y, act):
        """C_x, one number per example."""
        return np.sum(self.terms(z, a, y, act), axis=-1)


def bp1(cost, z, a, y, act, sp):
    """δ^L (BP1): ∇_a C ∘ σ'(z^L), or Jᵀ ∇_a C for softmax; reduced where it cancels."""
    reduced = (cost.reduced or {}).get(act.name)
    if reduced is not None:
        return reduced(a, y)
    g = cost.grad_a(a, y)
    if act.elementwise:
        return g * sp
    return np.einsum("...kj,...k->...j", sp, g)  # Jᵀ ∇_a C


def _log_a(z, a, act):
    if act.log_fn is not None:
        return act.log_fn(z)
    return np.log(np.clip(a, _TINY, None))


def _log_one_minus_a(z, a, act):
    if act.name == "sigmoid":
        return act.log_fn(-z)   # 1 − σ(z) = σ(−z)
    return np.log1p(-np.clip(a, None, _ONE_MINUS))


def _quadratic(z, a, y, act):
    d = y - a
    return 0.5 * d * d


def _cross_entropy(z, a, y, act):
    return -(y * _log_a(z, a, act) + (1.0 - y) * _log_one_minus_a(z, a, act))


def _cross_entropy_grad(a, y):
    a = np.clip(a, _TINY, _ONE_MINUS)
    return (a - y) / (a * (1.0 - a))


def _log_likelihood(z, a, y, act):
    return -y * _log_a(z, a, act)


def _log_likelihood_grad(a, y):
    return -y / np.clip(a, _TINY, None)


COSTS = {
    "quadratic": Cost(
        "quadratic", _quadratic, lambda a, y: a - y,
        r"\tfrac12\lVert y-a^L\rVert^2", r"a^L_j - y_j"),
    "cross_entropy": Cost(
        "cross_entropy", _cross_entropy, _cross_entropy_grad,
        r"-\sum_j\left[y_j\ln a^L_j+(1-y_j)\ln(1-a^L_j)\right]",
        r"\frac{a^L_j-y_j}{a^L_j(1-a^L_j)}",
        reduced={"sigmoid": lambda a, y: a - y}, needs_unit_interval=True),
    "log_likelihood": Cost(
        "log_likelihood", _log_likelihood, _log_likelihood_grad,
        r"-\sum_j y_j\ln a^L_j", r"-\frac{y_j}{a^L_j}",
        # softmax: Jᵀ(−y/a) = a Σ_j y_j − y, which is a − y when y sums to 1;
        # sigmoid: (−y/a) · a(1 − a) = −y(1 − a)
        reduced={"softmax": lambda a, y: a * np.sum(y, axis=-1, keepdims=True) - y,
                 "sigmoid": lambda a, y: y * a - y},
        needs_unit_interval=True),
}
