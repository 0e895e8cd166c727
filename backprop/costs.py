"""Cost functions C_x of one example, each paired with its output error δ^L (BP1).

``terms(z, a, y, act)`` gives each output neuron's share of C_x and ``fn`` their sum;
``grad_a(a, y)`` is ∇_a C; ``bp1(cost, z, a, y, act, sp)`` is δ^L, given σ'(z^L) as ``sp``
(a vector, or the softmax Jacobian). Where σ' cancels against ∇_a C for an output
activation, δ^L is computed in its reduced form (``Cost.reduced``, e.g. a^L − y): exact, and
finite even when a^L rounds to 0 or 1. Costs that take logarithms compute ln a and ln(1 − a)
from z, so they too stay finite and right there.

Every function accepts one example (n,) or a batch (n_examples, n).
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

_TINY = np.finfo(np.float64).tiny
_ONE_MINUS = 1.0 - np.finfo(np.float64).epsneg


@dataclass(frozen=True)
class Reduced:
    fn: Callable    # δ^L(z, a, y, act)
    latex: str      # δ^L as the step list shows it (None: no simpler form to show)
    plug: Callable = None   # (a, y, matrix) -> the same LaTeX with the numbers plugged in


@dataclass(frozen=True)
class Cost:
    name: str
    terms: Callable     # each output neuron's share of C_x: C_x = Σ_j terms_j
    grad_a: Callable    # ∇_a C
    latex: str          # C_x written out
    grad_latex: str     # ∂C/∂a^L_j written out
    reduced: dict = None   # output activation name -> Reduced
    needs_unit_interval: bool = False   # a must lie in (0, 1)

    def fn(self, z, a, y, act):
        """C_x, one number per example."""
        return np.sum(self.terms(z, a, y, act), axis=-1)


def bp1(cost, z, a, y, act, sp):
    """δ^L (BP1): ∇_a C ∘ σ'(z^L), or Jᵀ ∇_a C for softmax; reduced where σ' cancels."""
    reduced = (cost.reduced or {}).get(act.name)
    if reduced is not None:
        return reduced.fn(z, a, y, act)
    g = cost.grad_a(a, y)
    if act.elementwise:
        return g * sp
    return np.einsum("...kj,...k->...j", sp, g)  # Jᵀ ∇_a C


def log_a(z, a, act):
    """ln a, from z where the activation allows it."""
    if act.log_fn is not None:
        return act.log_fn(z)
    return np.log(np.clip(a, _TINY, None))


def log_one_minus_a(z, a, act):
    """ln(1 − a), from z for sigmoid (1 − σ(z) = σ(−z)) and softmax (the other outputs)."""
    if act.name == "sigmoid":
        return act.log_fn(-z)
    if act.name == "softmax":
        n = z.shape[-1]
        if n == 1:
            return np.full_like(z, -np.inf)
        others = np.where(np.eye(n, dtype=bool), -np.inf, z[..., None, :])  # row j: k ≠ j
        top = np.max(others, axis=-1, keepdims=True)
        lse_others = top[..., 0] + np.log(np.sum(np.exp(others - top), axis=-1))
        return lse_others - _logsumexp(z)[..., None]
    return np.log1p(-np.clip(a, None, _ONE_MINUS))


def _logsumexp(z):
    top = np.max(z, axis=-1, keepdims=True)
    return top[..., 0] + np.log(np.sum(np.exp(z - top), axis=-1))


def _times_log(c, log_v):
    # c ln v, taken as 0 where c = 0 (the limit), even where ln v = −∞
    return np.where(c == 0, 0.0, c * log_v)


def _quadratic(z, a, y, act):
    d = y - a
    return 0.5 * d * d


def _cross_entropy(z, a, y, act):
    return -(_times_log(y, log_a(z, a, act)) + _times_log(1.0 - y, log_one_minus_a(z, a, act)))


def _cross_entropy_grad(a, y):
    a = np.clip(a, _TINY, _ONE_MINUS)
    return (a - y) / (a * (1.0 - a))


def softmax_cross_entropy_parts(z, a, y, act):
    """The four parts of δ^L for cross-entropy on softmax outputs, stacked on a new first
    axis; δ_k = −y_k + a_k Σ_j y_j + (1 − y_k) a_k − Σ_{j≠k} (1 − y_j) a_k a_j / (1 − a_j).
    This is Jᵀ∇_a C regrouped so that no a/(1 − a) of a saturated output is formed alone;
    a_k a_j / (1 − a_j) comes from the logs. A single softmax output is constant: δ = 0."""
    n = z.shape[-1]
    if n == 1:
        return np.zeros((4,) + np.shape(z))
    la, l1a = log_a(z, a, act), log_one_minus_a(z, a, act)
    # [k, j]; the diagonal (j = k) is left out before exp, where it could overflow
    ratio = np.exp(np.where(np.eye(n, dtype=bool), -np.inf,
                            la[..., :, None] + la[..., None, :] - l1a[..., None, :]))
    cross = np.sum(ratio * (1.0 - y)[..., None, :], axis=-1)
    return np.stack([-y, a * np.sum(y, axis=-1, keepdims=True), (1.0 - y) * a, -cross])


def _log_likelihood(z, a, y, act):
    return -_times_log(y, log_a(z, a, act))


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
        reduced={"sigmoid": Reduced(lambda z, a, y, act: a - y, r"a^L - y",
                                    lambda a, y, m: f"{m(a)} - {m(y)}"),
                 "softmax": Reduced(lambda z, a, y, act: np.sum(
                                        softmax_cross_entropy_parts(z, a, y, act), axis=0),
                                    None)},   # Jᵀ∇_a C itself, regrouped
        needs_unit_interval=True),
    "log_likelihood": Cost(
        "log_likelihood", _log_likelihood, _log_likelihood_grad,
        r"-\sum_j y_j\ln a^L_j", r"-\frac{y_j}{a^L_j}",
        # softmax: Jᵀ(−y/a) = a Σ_j y_j − y, which is a − y when y sums to 1;
        # sigmoid: (−y/a) ∘ a(1 − a) = −y ∘ (1 − a)
        reduced={"softmax": Reduced(
                     lambda z, a, y, act: a * np.sum(y, axis=-1, keepdims=True) - y,
                     r"a^L \textstyle\sum_k y_k - y",
                     lambda a, y, m: rf"{m(a)} \cdot {np.sum(y):.4g} - {m(y)}"),
                 "sigmoid": Reduced(lambda z, a, y, act: y * a - y,
                                    r"-y \odot (1 - a^L)",
                                    lambda a, y, m: rf"-{m(y)} \odot \left(1 - {m(a)}\right)")},
        needs_unit_interval=True),
}
