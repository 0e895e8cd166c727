"""Activation functions σ, each paired with its derivative σ'.

``prime(z, a)`` receives both z and a = σ(z) so that σ' can reuse the stored activation.
Where |a| nears 1, 1 − a would lose its digits: σ' = a(1 − a) takes 1 − a = σ(−z), and
tanh' = 1 − a² is 1/cosh²z, both from z. For every elementwise activation
it returns a vector shaped like z. Softmax is not elementwise: its σ' is the Jacobian
J_{jk} = ∂a_j/∂z_k, an n × n matrix, and BP1 becomes δ^L = Jᵀ ∇_a C (see NOTATION.md).

All functions accept one vector (n,) or a batch (n_examples, n); softmax works along the
last axis.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    name: str
    fn: Callable            # σ(z)
    prime: Callable         # σ'(z), given z and a = σ(z)
    latex: str              # σ(z) written out, for the explanations
    prime_latex: str        # σ'(z) written out
    elementwise: bool = True
    output_only: bool = False
    log_fn: Callable = None  # ln σ(z), computed stably from z, where σ(z) lies in (0, 1)
    # (σ(z), σ'(z)) of a batch at once, σ'(z) written over z: for the batch gradient's
    # hidden layers, which need z no more. Without it, fn and prime are called.
    both: Callable = None
    # (σ(z), σ'(z), 1 − |σ(z)|) of z, sharing their work; see ``fn_prime``
    with_prime: Callable = None

    def fn_prime(self, z):
        """σ(z), σ'(z) and c = 1 − |σ(z)| taken from z (``costs.one_minus_a``), each
        computed once: backprop needs all three of the output layer, and the first two of
        every layer. c is None where no cost needs it (relu, linear) or where it costs
        more than σ' (softmax): a cost that does need it computes it."""
        if self.with_prime is not None:
            return self.with_prime(z)
        a = self.fn(z)
        return a, self.prime(z, a), None


def _sigmoid(z, sign=1.0):
    """σ(sign · z), for sign = ±1: σ' takes σ(−z) without making −z first."""
    # Never overflows, so sigmoid(±1000) is finite and warns of nothing; within 1.1e-13
    # relative of the exact value everywhere. Two forms, for speed: one example has few
    # entries and NumPy's per-call cost rules, so use the fewest calls; a batch has many,
    # and one exp per entry is the cheapest exact form there (half the time of tanh).
    if np.size(z) <= 256:
        return np.exp(-np.logaddexp(0.0, -sign * z))    # σ(z) = exp(−ln(1 + e^{−z}))
    a = np.multiply(z, -sign)                           # −z (for σ(z))
    far = a > 700.0          # e^{−z} would overflow: σ(z) = e^z / (1 + e^z) there instead
    anywhere_far = far.any()
    if anywhere_far:
        a[far] = 0.0
    np.exp(a, out=a)
    a += 1.0
    np.reciprocal(a, out=a)                             # σ(z) = 1 / (1 + e^{−z})
    if anywhere_far:
        e = np.exp(sign * z[far])
        a[far] = e / (1.0 + e)
    return a


def _sigmoid_prime(z, a):
    # σ'(z) = σ(z) σ(−z), and σ(−z) rather than 1 − a keeps its digits where a nears 1
    s = _sigmoid(z, -1.0)
    if np.ndim(s) and s.size > 256:
        s *= a                                          # σ(−z) is a fresh array: reuse it
        return s
    return a * s


def _sigmoid_with_prime(z):
    # σ(−z) is both 1 − σ(z), kept exact, and the second factor of σ' = σ(z) σ(−z)
    if z.size <= 256:     # _sigmoid's form for few entries, without its sign argument
        a = np.exp(-np.logaddexp(0.0, -z))
        c = np.exp(-np.logaddexp(0.0, z))
    else:
        a, c = _sigmoid(z), _sigmoid(z, -1.0)
    return a, a * c, c


def _sigmoid_both(z):
    """σ(z) and σ'(z) of a batch, for the batch gradient: one exp serves both, as
    σ(−z) = e^{−z} σ(z), and σ' = σ(z) σ(−z) is written over z: half the exps of ``fn``
    then ``prime``, and one array fewer to allocate. As exact as ``_sigmoid``."""
    e = np.negative(z, out=z)                           # −z
    far = e > 700.0          # e^{−z} would overflow: σ(z) = e^z / (1 + e^z) there instead
    anywhere_far = far.any()
    if anywhere_far:
        z_far = -e[far]
        e[far] = 0.0
    np.exp(e, out=e)                                    # e^{−z}
    a = np.add(e, 1.0)
    np.reciprocal(a, out=a)                             # σ(z) = 1 / (1 + e^{−z})
    e *= a                                              # σ(−z) = e^{−z} / (1 + e^{−z})
    e *= a                                              # σ'(z) = σ(−z) σ(z)
    if anywhere_far:
        ez = np.exp(z_far)
        a[far] = ez / (1.0 + ez)
        e[far] = a[far] / (1.0 + ez)
    return a, e


def _log_sigmoid(z):
    # ln σ(z) = −ln(1 + e^{−z}), finite even where σ(z) rounds to 0
    return -np.logaddexp(0.0, -z)


def _tanh_prime(z, a):
    e = np.exp(-2.0 * np.abs(z))       # 1/cosh²z = 4e/(1 + e)², e = e^{−2|z|}: no overflow
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _tanh_with_prime(z):
    # c = 1 − |tanh z| = 2e/(1 + e), e = e^{−2|z|}, and 1/cosh²z = c (2 − c) = 4e/(1 + e)²:
    # one exp for both, and 2 − c lies in [1, 2], so the product keeps its digits
    e = np.exp(-2.0 * np.abs(z))
    c = 2.0 * e / (1.0 + e)
    return np.tanh(z), c * (2.0 - c), c


def _softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _log_softmax(z):
    # ln a_j = s_j − ln Σ_k e^{s_k}, s = z − max z; the sum is 1 + (the others), taken by
    # log1p so that ln a stays exact where a is close to 1
    s = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(s)
    top = np.argmax(s, axis=-1)[..., None] == np.arange(s.shape[-1])
    return s - np.log1p(np.sum(np.where(top, 0.0, e), axis=-1, keepdims=True))


def _softmax_jacobian(z, a):
    # J_{jk} = a_j (δ_{jk} − a_k); for a batch, one n × n matrix per row
    return a[..., :, None] * (np.eye(a.shape[-1]) - a[..., None, :])


ACTIVATIONS = {
    "sigmoid": Activation(
        "sigmoid", _sigmoid, _sigmoid_prime,
        r"\frac{1}{1+e^{-z}}", r"\sigma(z)\,(1-\sigma(z))", log_fn=_log_sigmoid,
        both=_sigmoid_both, with_prime=_sigmoid_with_prime),
    "tanh": Activation(
        "tanh", np.tanh, _tanh_prime,
        r"\tanh z", r"1-\tanh^2 z", with_prime=_tanh_with_prime),
    "relu": Activation(
        "relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(np.float64),
        r"\max(0, z)", r"\begin{cases}1 & z>0\\0 & z\le 0\end{cases}"),
    "linear": Activation(
        "linear", lambda z: np.array(z, dtype=np.float64, copy=True),
        lambda z, a: np.ones_like(z), r"z", r"1"),
    "softmax": Activation(
        "softmax", _softmax, _softmax_jacobian,
        r"\frac{e^{z_j}}{\sum_k e^{z_k}}", r"a_j(\delta_{jk}-a_k)",
        elementwise=False, output_only=True, log_fn=_log_softmax),
}
