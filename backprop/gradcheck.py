"""Central finite differences: an independent check of what backpropagation computes, and
what each way costs (the notes' "in what sense is backpropagation a fast algorithm?")."""

import time

import numpy as np

from . import validate
from .layers import Layers
from .trace import Gradient


def numerical_gradient(net, x, y, eps=1e-6):
    """∂C_x/∂w^l and ∂C_x/∂b^l by central differences, (C(p + ε) − C(p − ε)) / 2ε,
    indexed like a Trace. Costs two forward passes per weight and bias."""
    x = validate.vector("x", x, net.sizes[0], "n_1")
    y = validate.vector("y", y, net.sizes[-1], f"n_{net.L}")
    eps = validate.positive_number("eps", eps)
    ws = [w.copy() for w in net.w.values()]
    bs = [b.copy() for b in net.b.values()]

    def cost():
        a = x
        for w, b, act in zip(ws, bs, net._acts):
            z = w @ a + b
            a = act.fn(z)
        return float(net._cost.fn(z, a, y, net._acts[-1]))

    def partials(p):
        g = np.empty_like(p)
        for i in np.ndindex(p.shape):
            keep = p[i]
            p[i] = keep + eps
            up = cost()
            p[i] = keep - eps
            down = cost()
            p[i] = keep
            g[i] = (up - down) / (2 * eps)
        return g

    nabla_w = [partials(w) for w in ws]
    nabla_b = [partials(b) for b in bs]
    return Gradient(Layers(2, nabla_w), Layers(2, nabla_b), cost())


def passes(net):
    """What getting every ∂C/∂w and ∂C/∂b of one example costs each way, in passes through
    the network: (the number of weights and biases P, backpropagation's passes: one
    forward and one backward, the central differences' forward passes: two per parameter).
    The backward pass costs about as much as the forward one (the same matrices, once
    each), so backpropagation costs about two forward passes in all."""
    p = sum(w.size + b.size for w, b in zip(net.w.values(), net.b.values()))
    return p, 2, 2 * p


def time_gradients(net, x, y, repeat=3):
    """Seconds (the best of ``repeat`` runs) that backpropagation and the central
    differences take for every ∂C/∂w and ∂C/∂b of the example (x, y): (backprop, finite
    differences), measured here with NumPy."""
    repeat = validate.whole("repeat", repeat, 1, 20)
    best = [np.inf, np.inf]
    for _ in range(repeat):
        for i, work in enumerate((lambda: net.backprop(x, y),
                                  lambda: numerical_gradient(net, x, y))):
            t = time.perf_counter()
            work()
            best[i] = min(best[i], time.perf_counter() - t)
    return best[0], best[1]
