"""The network: weights, biases, one activation per layer, a cost; and backpropagation.

Layer numbering follows NOTATION.md: layer 1 is the input, w^l and b^l exist for l = 2..L,
and w^l_{jk} goes to neuron j of layer l from neuron k of layer l−1, so w^l is n_l × n_{l−1}.
A Network never changes: every update returns a new one.
"""

import math
import operator

import numpy as np

from . import validate
from .activations import ACTIVATIONS
from .costs import COSTS
from .layers import Layers
from .trace import Gradient, Trace

INITS = ("standard", "scaled", "zeros")
_FLOAT64 = np.dtype(np.float64)


def _finite_sum(arr):
    """Whether the sum of every entry is finite (silently: a sum may overflow)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return math.isfinite(np.add.reduce(arr, axis=None))


def _vector(name, value, n, size_name):
    """``validate.vector``, with a shortcut for what backprop is most often given: a finite
    float64 vector of the right length, copied as validate.vector copies it (its full
    checks took a tenth of the time of one example's backprop)."""
    if (type(value) is np.ndarray and value.dtype is _FLOAT64 and value.shape == (n,)
            and np.isfinite(value).all()):
        return value.copy()
    return validate.vector(name, value, n, size_name)


class Network:
    """An immutable feed-forward network, read as ``net.w[l]``, ``net.b[l]`` for l = 2..L."""

    __slots__ = ("w", "b", "activations", "cost", "sizes", "_acts", "_cost")

    def __init__(self, weights, biases, activations="sigmoid", cost="quadratic"):
        weights, biases = list(weights), list(biases)
        if len(weights) != len(biases) or not weights:
            raise ValueError("give one weight matrix and one bias vector for each layer "
                             f"l = 2..L; got {len(weights)} weight matrices and "
                             f"{len(biases)} bias vectors")
        ws, bs = [], []
        for l, (w, b) in enumerate(zip(weights, biases), start=2):
            w = validate.as_array(f"w^{l}", w, 2)
            b = validate.as_array(f"b^{l}", b, 1)
            n_prev = w.shape[1] if l == 2 else bs[-1].shape[0]
            if w.shape[1] == n_prev and b.shape[0] != w.shape[0]:
                raise ValueError(f"b^{l} has {b.shape[0]} entries but w^{l} has {w.shape[0]} "
                                 f"rows: both need one per neuron of layer {l} (n_{l})")
            validate.check_shape(f"w^{l}", w, (b.shape[0], n_prev), f"n_{l} × n_{l - 1}")
            if w.size == 0:
                raise ValueError(f"layer {l} and layer {l - 1} need at least one neuron each")
            w.flags.writeable = b.flags.writeable = False
            ws.append(w)
            bs.append(b)
        L = len(ws) + 1
        names = validate.activation_names(activations, L)
        if names[-1] == "softmax" and bs[-1].shape[0] == 1:
            # sigmoid is no way out under the log-likelihood, which needs softmax
            sigmoid = "" if cost == "log_likelihood" else ", or use sigmoid"
            raise ValueError(f"softmax on a single output neuron always gives a^{L} = 1, "
                             f"whatever the input: give layer {L} at least two "
                             f"neurons{sigmoid}")
        _set = object.__setattr__
        _set(self, "w", Layers(2, ws))
        _set(self, "b", Layers(2, bs))
        _set(self, "activations", Layers(2, names))
        _set(self, "cost", validate.cost_name(cost, names[-1], L))
        _set(self, "sizes", (ws[0].shape[1],) + tuple(b.shape[0] for b in bs))
        _set(self, "_acts", tuple(ACTIVATIONS[n] for n in names))
        _set(self, "_cost", COSTS[cost])

    def __setattr__(self, name, value):
        raise AttributeError("a Network never changes: use replace() or sgd_step()")

    def __delattr__(self, name):
        raise AttributeError("a Network never changes: use replace() or sgd_step()")

    @classmethod
    def random(cls, sizes, activations="sigmoid", cost="quadratic", seed=0, init="standard"):
        """A network with weights drawn by ``init``, reproducible from ``seed``.

        "standard": w and b from N(0, 1), as in the notes' source; "scaled": w from
        N(0, 1/n_{l−1}), b from N(0, 1); "zeros": everything 0.
        """
        try:
            sizes = [operator.index(n) for n in sizes]
        except TypeError:
            raise ValueError(f"sizes must be whole numbers of neurons, e.g. [2, 3, 2]; "
                             f"got {sizes!r:.60}") from None
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two layers of at least one neuron "
                             f"each, e.g. [2, 3, 2]; got {sizes}")
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}: choose one of {', '.join(INITS)}")
        rng = np.random.default_rng(seed)
        ws, bs = [], []
        for n_prev, n in zip(sizes[:-1], sizes[1:]):
            scale = {"standard": 1.0, "scaled": 1.0 / np.sqrt(n_prev), "zeros": 0.0}[init]
            ws.append(scale * rng.standard_normal((n, n_prev)))
            bs.append((init != "zeros") * rng.standard_normal(n))
        return cls(ws, bs, activations, cost)

    @property
    def L(self):
        """The number of layers, input included."""
        return len(self.sizes)

    def replace(self, weights=None, biases=None, activations=None, cost=None):
        """A new Network with the given parts replaced (lists ordered l = 2..L)."""
        return Network(self.w.values() if weights is None else weights,
                       self.b.values() if biases is None else biases,
                       self.activations.values() if activations is None else activations,
                       self.cost if cost is None else cost)

    def feedforward(self, x):
        """a^L for the input x (n_1,), or for a batch (n_examples, n_1)."""
        a = np.asarray(x, dtype=np.float64)
        for w, b, act in zip(self.w.values(), self.b.values(), self._acts):
            a = act.fn(a @ w.T + b)
        return a

    def backprop(self, x, y):
        """Return the Trace of one example: the forward pass, C_x, then BP1–BP4."""
        x = _vector("x", x, self.sizes[0], "n_1")
        y = _vector("y", y, self.sizes[-1], f"n_{self.L}")
        ws, bs, acts = self.w.values(), self.b.values(), self._acts
        zs, activations, sps = [], [x], []
        for w, b, act in zip(ws, bs, acts):
            z = w @ activations[-1] + b                 # (n_l,)
            a, sp, c = act.fn_prime(z)                  # σ'(z^l): (n_l,) or (n_L, n_L)
            zs.append(z)
            activations.append(a)
            sps.append(sp)
        # C_x, ∇_a C and δ^L (BP1) share a − y and 1 − a: the cost computes each once
        cost, grad_a, delta = self._cost.output(z, a, y, acts[-1], sp, c)
        cost = float(cost)
        deltas = [delta]
        for l in range(len(ws) - 1, 0, -1):
            delta = (ws[l].T @ delta) * sps[l - 1]                    # (BP2)
            deltas.append(delta)
        deltas.reverse()
        nabla_w = [d[:, None] * a for d, a in zip(deltas, activations)]  # (BP4)
        return Trace(nabla_w=Layers(2, nabla_w), nabla_b=Layers(2, deltas),   # (BP3)
                     cost=cost, x=x, y=y, z=Layers(2, zs), a=Layers(1, activations),
                     sp=Layers(2, sps), grad_a=grad_a, delta=Layers(2, deltas))

    def gradient(self, X, Y):
        """The mean gradient and mean cost C = (1/n) Σ_x C_x over the rows of X and Y."""
        # X is checked for NaN and infinity through z^2 below: a bad x_k spoils its row of
        # z^2 (x_k · 0 is NaN too), and z^2 is n_2 / n_1 the size of X.
        X = validate.batch("X", X, self.sizes[0], "n_1", finite=False)
        Y = validate.batch("Y", Y, self.sizes[-1], f"n_{self.L}")
        if X.shape[0] != Y.shape[0]:
            raise ValueError(f"X and Y must have one row per example each, but X has "
                             f"{X.shape[0]} rows and Y has {Y.shape[0]}")
        ws, bs, acts = self.w.values(), self.b.values(), self._acts
        As, sps = [X], []
        for w, b, act in zip(ws, bs, acts):
            # One example a column: OpenBLAS computes w^l (a^{l−1})ᵀ for all of them about
            # twice as fast as A (w^l)ᵀ (benchmarks/bench_backprop.py). Z is its transpose,
            # a view with one example a row, so every array below shares one memory order
            # and elementwise work runs over contiguous memory.
            Zt = w @ As[-1].T                            # (n_l, n_examples)
            Zt += b[:, None]
            Z = Zt.T                                     # (n_examples, n_l)
            # one sum is cheaper than a test of every entry, and NaN or ±inf anywhere makes
            # it NaN or ±inf (a finite z^2 whose sum overflows is looked at in full)
            if len(As) == 1 and not _finite_sum(Zt) and not np.isfinite(Z).all():
                validate.check_finite("X", X)
                raise ValueError("the weighted inputs z^2 overflowed: make X or w^2 smaller")
            if act.both is not None and len(As) < len(ws):   # a hidden layer: z is not
                A, sp = act.both(Z)                          # needed again, σ' takes it
            else:
                A, sp, c = act.fn_prime(Z)
            As.append(A)
            sps.append(sp)
        m = X.shape[0]
        # C_x and δ^L share a − y and 1 − a, as in backprop (∇_a C comes along unused)
        C, _, D = self._cost.output(Z, A, Y, acts[-1], sp, c)
        cost = float(np.mean(C))
        D = D / m                                        # δ^L / n, one example a row
        nabla_w, nabla_b = [], []
        for l in range(len(ws) - 1, -1, -1):
            nabla_w.append(D.T @ As[l])                  # mean of δ^l (a^{l−1})ᵀ
            nabla_b.append(D.sum(axis=0))
            if l:
                # (w^{l+1})ᵀ δ^{l+1}, a column each, in the memory of a^{l+1}, used no more
                free = As[l].T
                Dt = np.matmul(ws[l].T, D.T, out=free if free.flags.c_contiguous else None)
                Dt *= sps[l - 1].T
                D = Dt.T                                 # δ^l (BP2), one example a row
        return Gradient(Layers(2, nabla_w[::-1]), Layers(2, nabla_b[::-1]), cost)

    def cost_of(self, x, y):
        """C_x for one example, or the mean cost over a batch; forward pass only."""
        a = np.asarray(x, dtype=np.float64)
        for w, b, act in zip(self.w.values(), self.b.values(), self._acts):
            z = a @ w.T + b
            a = act.fn(z)
        return float(np.mean(self._cost.fn(z, a, np.asarray(y, dtype=np.float64), act)))

    def step(self, grad, eta):
        """A new Network moved against ``grad``: w ← w − η ∂C/∂w, b ← b − η ∂C/∂b."""
        eta = validate.positive_number("eta (the learning rate η)", eta)
        ws = [w - eta * g for w, g in zip(self.w.values(), grad.nabla_w.values())]
        bs = [b - eta * g for b, g in zip(self.b.values(), grad.nabla_b.values())]
        olds = self.w.values() + self.b.values()
        news = ws + bs
        if len(news) == len(olds) and all(
                new.shape == old.shape and math.isfinite(np.add.reduce(new, axis=None))
                for new, old in zip(news, olds)):
            return self._moved(ws, bs)
        return self.replace(weights=ws, biases=bs)   # refuses them, saying why

    def _moved(self, ws, bs):
        """This network with new w and b of the same shapes, all finite (checked by
        ``step``): the checks of __init__ are not needed again, and training calls this
        once per mini-batch."""
        net = object.__new__(Network)
        for v in ws + bs:
            v.flags.writeable = False
        _set = object.__setattr__
        _set(net, "w", Layers(2, ws))
        _set(net, "b", Layers(2, bs))
        for name in ("activations", "cost", "sizes", "_acts", "_cost"):
            _set(net, name, getattr(self, name))
        return net

    def sgd_step(self, x, y, eta):
        """One gradient-descent step on the example (x, y); this network is unchanged."""
        return self.step(self.backprop(x, y), eta)

    def batch_sgd_step(self, X, Y, eta):
        """One gradient-descent step on the mean gradient over the rows of X and Y."""
        return self.step(self.gradient(X, Y), eta)

    def to_dict(self):
        from .serialize import network_to_dict
        return network_to_dict(self)

    @classmethod
    def from_dict(cls, d):
        from .serialize import network_from_dict
        return network_from_dict(d)

    def _repr_html_(self):
        """Jupyter's view: a table per layer of b^l and w^l (``backprop.html_tables``)."""
        from .html_tables import network_html
        return network_html(self)

    def __repr__(self):
        acts = ", ".join(self.activations.values())
        return f"Network(sizes={list(self.sizes)}, activations=[{acts}], cost={self.cost!r})"
