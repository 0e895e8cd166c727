"""Cost functions C_x of one example, each paired with its output error δ^L (BP1).

``terms(z, a, y, act)`` gives each output neuron's share of C_x and ``fn`` their sum;
``grad_a(a, y, z, act)`` is ∇_a C (z and act optional: with them, a − y stays exact where
a is close to 1); ``bp1(cost, z, a, y, act, sp)`` is δ^L, given σ'(z^L) as ``sp``
(a vector, or the softmax Jacobian). ``Cost.output`` gives all three at once and computes
each quantity they share (a − y, 1 − a, ln a) once, as backpropagation of one example needs.
Where σ' cancels against ∇_a C for an output activation, δ^L is computed in its reduced
form (``Cost.reduced``, e.g. a^L − y): exact, and finite even when a^L rounds to 0 or 1.
Costs that take logarithms compute ln a and ln(1 − a) from z, so they too stay finite and
right there.

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


@dataclass(frozen=True)
class Cost:
    name: str
    terms: Callable     # each output neuron's share of C_x: C_x = Σ_j terms_j
    grad_a: Callable    # ∇_a C
    latex: str          # C_x written out
    grad_latex: str     # ∂C/∂a^L_j written out
    reduced: dict = None   # output activation name -> Reduced
    needs_unit_interval: bool = False   # a must lie in (0, 1)
    together: Callable = None   # (C_x, ∇_a C, δ^L) at once: see ``output``

    def fn(self, z, a, y, act):
        """C_x, one number per example."""
        return np.sum(self.terms(z, a, y, act), axis=-1)

    def output(self, z, a, y, act, sp, c=None):
        """(C_x, ∇_a C, δ^L) at once, as ``fn``, ``grad_a`` and ``bp1`` give them, with every
        quantity they share computed once: what backpropagation needs of the output layer.
        ``sp`` is σ'(z^L); ``c`` is 1 − |a| taken from z (``one_minus_a``), if the caller has
        it already (``Activation.fn_prime``)."""
        if self.together is not None:
            return self.together(z, a, y, act, sp, c)
        return self.fn(z, a, y, act), self.grad_a(a, y, z, act), bp1(self, z, a, y, act, sp)


def bp1(cost, z, a, y, act, sp):
    """δ^L (BP1): ∇_a C ∘ σ'(z^L), or Jᵀ ∇_a C for softmax; reduced where σ' cancels."""
    reduced = (cost.reduced or {}).get(act.name)
    if reduced is not None:
        return reduced.fn(z, a, y, act)
    return _times_sp(cost.grad_a(a, y, z, act), act, sp)


def _times_sp(g, act, sp):
    """BP1 unreduced: ∇_a C ∘ σ'(z^L), or Jᵀ ∇_a C for softmax."""
    if act.elementwise:
        return g * sp
    return np.einsum("...kj,...k->...j", sp, g)  # Jᵀ ∇_a C


def log_a(z, a, act):
    """ln a, from z where the activation allows it."""
    if act.log_fn is not None:
        return act.log_fn(z)
    return np.log(np.clip(a, _TINY, None))


def log_one_minus_a(z, a, act, la=None):
    """ln(1 − a), from z for sigmoid (1 − σ(z) = σ(−z)) and softmax (the other outputs);
    ``la`` is ln a (``log_a``) if the caller has it."""
    if act.name == "sigmoid":
        return act.log_fn(-z)
    if act.name == "softmax":
        n = z.shape[-1]
        if n == 1:
            return np.full_like(z, -np.inf)
        others = np.where(np.eye(n, dtype=bool), -np.inf, z[..., None, :])  # row j: k ≠ j
        top = np.max(others, axis=-1, keepdims=True)
        lse_others = top[..., 0] + np.log(np.sum(np.exp(others - top), axis=-1))
        # where a_j < ½, ln(1 − a_j) = log1p(−a_j) keeps its digits; the difference of the
        # two log-sums would lose them
        la = act.log_fn(z) if la is None else la
        small = np.exp(np.minimum(la, np.log(0.5)))
        return np.where(la < np.log(0.5), np.log1p(-small), lse_others - _logsumexp(z)[..., None])
    return np.log1p(-np.clip(a, None, _ONE_MINUS))


def one_minus_a(z, a, act, la=None, l1a=None):
    """1 − |a| for the bounded activations, from z (σ(−z) for sigmoid), so it keeps its
    digits where |a| is close to 1; 1 − a for the others. For softmax it is exp ln(1 − a):
    ``la`` = ln a or ``l1a`` = ln(1 − a), if the caller has them, saves their work."""
    if act.name == "sigmoid":
        return act.fn(-z)
    if act.name == "tanh":
        e = np.exp(-2.0 * np.abs(z))
        return 2.0 * e / (1.0 + e)
    if act.name == "softmax" and z.shape[-1] > 1:
        return np.exp(log_one_minus_a(z, a, act, la) if l1a is None else l1a)
    return 1.0 - a


def a_minus_y(z, a, y, act=None, c=None):
    """a − y; with z and act, exact also where |a| is close to 1, as ±(1 − c) − y, where
    c = 1 − |a| is ``one_minus_a`` (taken from z here unless given)."""
    if act is None or act.name not in ("sigmoid", "tanh", "softmax"):
        return a - y
    if c is None:
        c = one_minus_a(z, a, act)
    if act.name == "sigmoid":      # a > 0: the form below with s = 1, in fewer steps
        return np.where(a > 0.5, (1.0 - y) - c, a - y)
    s = np.sign(a)
    return np.where(np.abs(a) > 0.5, (s - y) - s * c, a - y)


def _logsumexp(z):
    top = np.max(z, axis=-1, keepdims=True)
    return top[..., 0] + np.log(np.sum(np.exp(z - top), axis=-1))


def _times_log(c, log_v):
    # c ln v, taken as 0 where c = 0 (the limit), even where ln v = −∞
    return np.where(c == 0, 0.0, c * log_v)


def _quadratic(z, a, y, act):
    d = a_minus_y(z, a, y, act)
    return 0.5 * d * d


def _quadratic_grad(a, y, z=None, act=None):
    return a_minus_y(z, a, y, act)


def _quadratic_output(z, a, y, act, sp, c=None):
    d = a_minus_y(z, a, y, act, c)                # ∇_a C, once
    return 0.5 * np.vecdot(d, d), d, _times_sp(d, act, sp)


def _cross_entropy(z, a, y, act):
    return _cross_entropy_of_logs(y, log_a(z, a, act), log_one_minus_a(z, a, act))


def _cross_entropy_of_logs(y, la, l1a):
    return -(_times_log(y, la) + _times_log(1.0 - y, l1a))


def _cross_entropy_grad(a, y, z=None, act=None):
    if act is None or act.name not in ("sigmoid", "softmax"):
        return (a - y) / (np.clip(a, _TINY, None) * np.clip(1.0 - a, _TINY, None))
    c = one_minus_a(z, a, act)
    return a_minus_y(z, a, y, act) / (np.clip(a, _TINY, None) * np.clip(c, _TINY, None))


def _cross_entropy_output(z, a, y, act, sp, c=None):
    if act.name not in ("sigmoid", "softmax"):
        grad = _cross_entropy_grad(a, y, z, act)
        return np.sum(_cross_entropy(z, a, y, act), axis=-1), grad, _times_sp(grad, act, sp)
    la = log_a(z, a, act)
    l1a = log_one_minus_a(z, a, act, la)
    if c is None:
        c = one_minus_a(z, a, act, l1a=l1a)
    d = a_minus_y(z, a, y, act, c)
    grad = d / (np.clip(a, _TINY, None) * np.clip(c, _TINY, None))
    if act.name == "sigmoid":
        delta = d                                   # σ' cancels: a − y
    else:
        delta = np.sum(softmax_cross_entropy_parts(z, a, y, act, la, l1a), axis=0)
    return np.sum(_cross_entropy_of_logs(y, la, l1a), axis=-1), grad, delta


def softmax_cross_entropy_parts(z, a, y, act, la=None, l1a=None):
    """The four parts of δ^L for cross-entropy on softmax outputs, stacked on a new first
    axis; δ_k = −y_k + a_k Σ_j y_j + (1 − y_k) a_k − Σ_{j≠k} (1 − y_j) a_k a_j / (1 − a_j).
    This is Jᵀ∇_a C regrouped so that no a/(1 − a) of a saturated output is formed alone;
    a_k a_j / (1 − a_j) comes from the logs. A single softmax output is constant: δ = 0."""
    n = z.shape[-1]
    if n == 1:
        return np.zeros((4,) + np.shape(z))
    la = log_a(z, a, act) if la is None else la
    l1a = log_one_minus_a(z, a, act, la) if l1a is None else l1a
    # [k, j]; the diagonal (j = k) is left out before exp, where it could overflow
    ratio = np.exp(np.where(np.eye(n, dtype=bool), -np.inf,
                            la[..., :, None] + la[..., None, :] - l1a[..., None, :]))
    cross = np.sum(ratio * (1.0 - y)[..., None, :], axis=-1)
    return np.stack([-y, a * np.sum(y, axis=-1, keepdims=True), (1.0 - y) * a, -cross])


def _log_likelihood(z, a, y, act):
    return -_times_log(y, log_a(z, a, act))


def _log_likelihood_grad(a, y, z=None, act=None):
    return -y / np.clip(a, _TINY, None)


def _log_likelihood_delta_softmax(z, a, y, act, c=None):
    # Jᵀ(−y/a) = a Σ_j y_j − y = (a − y) + a (Σ_j y_j − 1): a − y when y sums to 1
    return a_minus_y(z, a, y, act, c) + a * (np.sum(y, axis=-1, keepdims=True) - 1.0)


def _log_likelihood_output(z, a, y, act, sp, c=None):
    la = log_a(z, a, act)
    grad = _log_likelihood_grad(a, y)
    if act.name == "softmax":
        if c is None:
            c = one_minus_a(z, a, act, la=la)
        delta = _log_likelihood_delta_softmax(z, a, y, act, c)
    else:
        delta = _times_sp(grad, act, sp)
    return -np.sum(_times_log(y, la), axis=-1), grad, delta


COSTS = {
    "quadratic": Cost(
        "quadratic", _quadratic, _quadratic_grad,
        r"\tfrac12\lVert y-a^L\rVert^2", r"a^L_j - y_j", together=_quadratic_output),
    "cross_entropy": Cost(
        "cross_entropy", _cross_entropy, _cross_entropy_grad,
        r"-\sum_j\left[y_j\ln a^L_j+(1-y_j)\ln(1-a^L_j)\right]",
        r"\frac{a^L_j-y_j}{a^L_j(1-a^L_j)}",
        reduced={"sigmoid": Reduced(a_minus_y, r"a^L - y"),
                 "softmax": Reduced(lambda z, a, y, act: np.sum(
                                        softmax_cross_entropy_parts(z, a, y, act), axis=0),
                                    None)},   # Jᵀ∇_a C itself, regrouped
        needs_unit_interval=True, together=_cross_entropy_output),
    "log_likelihood": Cost(
        "log_likelihood", _log_likelihood, _log_likelihood_grad,
        r"-\sum_j y_j\ln a^L_j", r"-\frac{y_j}{a^L_j}",
        # Only for softmax: Nielsen defines this cost for a softmax output layer.
        reduced={"softmax": Reduced(_log_likelihood_delta_softmax,
                                    r"a^L \textstyle\sum_k y_k - y")},
        needs_unit_interval=True, together=_log_likelihood_output),
}
