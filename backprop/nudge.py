"""The notes' thought experiment, computed exactly: change one weighted input z^l_j (or one
weight w^l_{jk}, or one bias b^l_j) by Δ, run the rest of the forward pass again, and read
the cost. Near Δ = 0 the change in cost is about the slope times Δ, the slope being what
backpropagation computes:

    ΔC ≈ δ^l_j Δz,   ΔC ≈ (a^{l−1}_k δ^l_j) Δw,   ΔC ≈ δ^l_j Δb.

    >>> import numpy as np
    >>> from backprop import Network, nudge
    >>> net = Network.random([2, 3, 2], seed=0)
    >>> n = nudge(net, [0.5, -1.0], [1.0, 0.0], "z", 2, 1, deltas=[-1e-4, 0.0, 1e-4])
    >>> bool(np.isclose((n.costs[2] - n.costs[0]) / 2e-4, n.slope, rtol=1e-6))
    True

A weight or bias moves z^l_j alone (by a^{l−1}_k Δ or by Δ), so all three are the same
computation from layer l on. Pure NumPy; bad arguments raise ValueError.
"""

from dataclasses import dataclass

import numpy as np

from . import validate

MAX_DELTAS = 10_001     # points of one curve: enough for any plot, bounded before any work
WHAT = {"z": "the weighted input z", "w": "the weight w", "b": "the bias b"}


@dataclass(frozen=True)
class Nudge:
    """The cost with one number nudged, for each Δ of ``deltas``."""
    what: str              # "z", "w" or "b"
    l: int
    j: int
    k: int                 # for w only, else None
    deltas: np.ndarray     # the nudges Δ
    costs: np.ndarray      # C_x with the number moved by Δ, computed exactly (float64)
    cost: float            # C_x as it is (Δ = 0), computed the same way
    slope: float           # backpropagation's ∂C/∂(the number): δ^l_j, or a^{l−1}_k δ^l_j
    kinks: tuple           # relu neurons (m, i) whose z^m_i changes sign over the deltas

    @property
    def tangent(self):
        """C + slope · Δ: the first-order estimate ΔC ≈ slope · Δ, for each Δ."""
        return self.cost + self.slope * self.deltas

    @property
    def gap(self):
        """The exact cost minus the tangent: how far ΔC ≈ slope · Δ is off, for each Δ."""
        return self.costs - self.tangent


def _where(net, what, l, j, k):
    """Check the number nudged; a ValueError a student can act on otherwise."""
    if what not in WHAT:
        raise ValueError(f"can nudge {', '.join(WHAT)}, not {validate.shown(what)}")
    L = net.L
    l = validate.whole("the layer l", l, 2, L)
    j = validate.whole(f"the neuron j of layer {l}", j, 1, net.sizes[l - 1])
    if what == "w":
        if k is None:
            raise ValueError(f"a weight w^{l}_jk needs k, the neuron of layer {l - 1} it "
                             f"comes from (1..{net.sizes[l - 2]})")
        k = validate.whole(f"the neuron k of layer {l - 1}", k, 1, net.sizes[l - 2])
    elif k is not None:
        raise ValueError(f"{WHAT[what]} has one index j; k is for a weight w^l_jk only")
    return l, j, k


def nudge(net, x, y, what, l, j, k=None, *, deltas):
    """The cost C_x of example (x, y) with z^l_j, w^l_{jk} or b^l_j (``what`` = "z", "w",
    "b") moved by each Δ of ``deltas``, computed exactly by the forward pass from layer l
    on, with backpropagation's slope for the tangent: a ``Nudge``."""
    l, j, k = _where(net, what, l, j, k)
    d = validate.as_array("deltas", deltas, 1)
    if not 1 <= d.size <= MAX_DELTAS:
        raise ValueError(f"deltas must hold 1 to {MAX_DELTAS} numbers; it holds {d.size}")
    trace = net.backprop(x, y)
    if what == "w":
        per, slope = trace.a[l - 1][k - 1], trace.nabla_w[l][j - 1, k - 1]
    else:   # a bias adds straight into z
        per, slope = 1.0, trace.delta[l][j - 1]
    acts, ws, bs = net._acts, list(net.w.values()), list(net.b.values())
    # one row per Δ, and the last row Δ = 0: the cost as it is, computed the same way
    Z = np.tile(trace.z[l], (d.size + 1, 1))
    Z[:-1, j - 1] += d * per
    kinks = []
    for m in range(l, net.L + 1):
        if net.activations[m] == "relu":
            flips = (Z[:-1] > 0) != (Z[-1] > 0)
            kinks += [(m, int(i) + 1) for i in np.flatnonzero(flips.any(axis=0))]
        A = acts[m - 2].fn(Z)
        if m < net.L:
            Z = A @ ws[m - 1].T + bs[m - 1]
    C = net._cost.fn(Z, A, trace.y, acts[-1])
    return Nudge(what, l, j, k, d, C[:-1], float(C[-1]), float(slope), tuple(kinks))
