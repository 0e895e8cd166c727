"""Backpropagation in plain NumPy, recording every quantity, in the notation of Nielsen's
chapter 2 (with the corrections of NOTATION.md).

Layers are numbered l = 1..L and layer 1 is the input: a^1 = x, and a^L is the output.
w^l (n_l × n_{l−1}), b^l, z^l, δ^l and the gradients exist for l = 2..L; w^l_{jk} is the
weight to neuron j of layer l from neuron k of layer l−1. Every per-layer sequence here is
a ``Layers`` mapping indexed by that l: ``net.w[2]`` is w^2, ``trace.delta[L]`` is δ^L.

    >>> from backprop import Network
    >>> net = Network.random([2, 3, 2], seed=0)
    >>> trace = net.backprop([0.5, -1.0], [1.0, 0.0])
    >>> trace.nabla_w[3].shape    # δ^3 (a^2)ᵀ, n_3 × n_2
    (2, 3)

The rooms, one line each:
    network, trace, layers, activations, costs   the algorithm: forward pass and BP1–BP4
    gradcheck, validate, serialize, html_tables  its checks, its JSON form, its Jupyter tables
    nudge       one z, w or b moved by Δ and the cost computed again: ΔC ≈ δ Δz, exactly
    explain/    the computation written out: the step list, one cell's derivation, LaTeX
    practice/   a student's answer read and checked, the classic mistakes, diagnose
    learn/      data sets, mini-batch SGD, and what training records
    export/     a NumPy script, a worksheet, a Moodle quiz of one network
    data, train, steps   the README's paths as before (backprop.learn.*, backprop.explain.*)
"""

__version__ = "0.1.0"

from .activations import ACTIVATIONS
from .costs import COSTS
from .gradcheck import numerical_gradient, passes, time_gradients
from .layers import Layers
from .network import INITS, Network
from .nudge import Nudge, nudge
from .practice.answers import Check, Tolerance, check_answer, parse_answer, tolerance
from .practice.diagnose import Diagnosis, Mistake, diagnose, mistake_values
from .practice.mistakes import MISTAKES
from .trace import Gradient, Trace

__all__ = ["ACTIVATIONS", "COSTS", "INITS", "MISTAKES", "Check", "Diagnosis", "Gradient",
           "Layers", "Mistake", "Network", "Nudge", "Tolerance", "Trace", "check_answer",
           "diagnose", "mistake_values", "nudge", "numerical_gradient", "parse_answer",
           "passes", "time_gradients", "tolerance", "__version__"]
