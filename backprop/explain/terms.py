"""δ term by term, as the notes derive BP2: ∂C/∂a^l_k is the sum of the parts w^{l+1}_{jk}
δ^{l+1}_j that come back from each neuron j of layer l+1, and δ^l_k = (that sum) σ'(z^l_k).
At a softmax output every a^L_j depends on every z^L_k, and δ^L_k = Σ_j J_{jk} ∂C/∂a^L_j
with the Jacobian J_{jk} = ∂a^L_j/∂z^L_k. Pure NumPy."""

from dataclasses import dataclass

import numpy as np

from .. import validate


@dataclass(frozen=True)
class Terms:
    l: int
    k: int               # the neuron whose δ is taken apart (1-based)
    rule: str            # "BP2" (l < L) or "softmax" (the output layer, softmax)
    terms: np.ndarray    # one per neuron j: w^{l+1}_{jk} δ^{l+1}_j, or J_{jk} ∂C/∂a^L_j
    labels: tuple        # each term in plain symbols, e.g. "w^3_21 δ^3_2"
    total: float         # their sum: ∂C/∂a^l_k (BP2), or δ^L_k itself (softmax)
    factor: float        # σ'(z^l_k) (BP2); 1 for softmax, whose terms hold σ' already
    delta: float         # δ^l_k = total · factor, as backpropagation computed it


def delta_terms(net, trace, l, k):
    """The terms that make δ^l_k, for a hidden layer l (BP2) or a softmax output layer."""
    L = net.L
    l = validate.whole("the layer l", l, 2, L)
    k = validate.whole(f"the neuron k of layer {l}", k, 1, net.sizes[l - 1])
    if l < L:
        w, d = net.w[l + 1][:, k - 1], trace.delta[l + 1]
        terms = w * d
        labels = tuple(f"w^{l + 1}_{j}{k} δ^{l + 1}_{j}" for j in range(1, len(d) + 1))
        return Terms(l, k, "BP2", terms, labels, float(np.sum(terms)),
                     float(trace.sp[l][k - 1]), float(trace.delta[l][k - 1]))
    if net.activations[L] != "softmax":
        raise ValueError(f"δ^{L}_{k} of a {net.activations[L]} output has one term, "
                         f"∂C/∂a^{L}_{k} σ'(z^{L}_{k}) (BP1): only hidden layers (BP2) and "
                         "softmax outputs add up several")
    terms = trace.sp[L][:, k - 1] * trace.grad_a
    labels = tuple(f"J_{j}{k} ∂C/∂a^{L}_{j}" for j in range(1, len(terms) + 1))
    return Terms(L, k, "softmax", terms, labels, float(np.sum(terms)), 1.0,
                 float(trace.delta[L][k - 1]))
