"""Central finite differences: an independent check of what backpropagation computes."""

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
