"""backprop.nudge against PyTorch (issue 22): on random networks the whole curve C(Δ) is
the cost PyTorch computes in float64 with the same number moved, and the slope of the
tangent is PyTorch's autograd derivative at Δ = 0.

PyTorch is not a requirement of the package. Where it is not installed this module is
skipped, and pytest says so; ``.ci/run`` installs the CPU build where this machine kind
keeps it on disk (/opt/wheels) and sets BACKPROP_REQUIRE_TORCH=1, which turns the skip
into a failure there."""

import os

import numpy as np
import pytest
from numpy.testing import assert_allclose

from backprop import Network, nudge

if os.environ.get("BACKPROP_REQUIRE_TORCH"):
    import torch
else:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional: the "
                                                "comparison with torch runs in CI)")

CASES = [
    ([3, 4, 2], "sigmoid", "quadratic"),
    ([2, 5, 3, 2], ["tanh", "tanh", "sigmoid"], "cross_entropy"),
    ([3, 4, 3], ["relu", "softmax"], "log_likelihood"),
    ([2, 3, 3], ["tanh", "linear"], "quadratic"),
    ([4, 6, 6, 3], ["relu", "tanh", "softmax"], "log_likelihood"),
]
DELTAS = np.linspace(-3, 3, 25)


def activation(name):
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
            "linear": lambda z: z, "softmax": lambda z: torch.softmax(z, dim=-1)}[name]


def cost(name, a, y):
    if name == "quadratic":
        return 0.5 * ((a - y) ** 2).sum(-1)
    if name == "cross_entropy":
        return -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(-1)
    return -torch.log((a * y).sum(-1))      # log-likelihood of the one-hot y's class


def torch_costs(net, x, y, what, l, j, k, deltas):
    """C with z^l_j, w^l_jk or b^l_j moved by each Δ (a batch), and dC/dΔ at Δ = 0."""
    d = torch.tensor(np.append(deltas, 0.0), dtype=torch.float64, requires_grad=True)
    a = torch.tensor(x, dtype=torch.float64).expand(d.shape[0], -1)
    for m in range(2, net.L + 1):
        w = torch.tensor(net.w[m], dtype=torch.float64).expand(d.shape[0], -1, -1)
        b = torch.tensor(net.b[m], dtype=torch.float64).expand(d.shape[0], -1)
        if m == l and what == "w":
            e = torch.zeros_like(w)
            e[:, j - 1, k - 1] = 1
            w = w + d[:, None, None] * e
        if m == l and what == "b":
            e = torch.zeros_like(b)
            e[:, j - 1] = 1
            b = b + d[:, None] * e
        z = (w @ a[..., None])[..., 0] + b
        if m == l and what == "z":
            e = torch.zeros_like(z)
            e[:, j - 1] = 1
            z = z + d[:, None] * e
        a = activation(net.activations[m])(z)
    c = cost(net.cost, a, torch.tensor(y, dtype=torch.float64))
    (slope,) = torch.autograd.grad(c[-1], d)
    c = c.detach()
    return c[:-1].numpy(), float(c[-1]), float(slope[-1])


@pytest.mark.parametrize("sizes, acts, cost_name", CASES)
@pytest.mark.parametrize("seed", [3, 11])
def test_the_curve_and_the_slope_are_pytorchs(sizes, acts, cost_name, seed):
    net = Network.random(sizes, acts, cost_name, seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, sizes[0])
    y = (np.eye(sizes[-1])[seed % sizes[-1]] if cost_name == "log_likelihood"
         else rng.uniform(0.1, 0.9, sizes[-1]))
    checked = 0
    for l in range(2, net.L + 1):
        for j in range(1, net.sizes[l - 1] + 1):
            for what, k in (("z", None), ("b", None), ("w", 1 + (j % net.sizes[l - 2]))):
                n = nudge(net, x, y, what, l, j, k, deltas=DELTAS)
                costs, c0, slope = torch_costs(net, x, y, what, l, j, k, DELTAS)
                where = f"{what} l={l} j={j} k={k}"
                assert_allclose(n.costs, costs, rtol=1e-12, atol=1e-14, err_msg=where)
                assert_allclose(n.cost, c0, rtol=1e-13, atol=1e-15, err_msg=where)
                assert_allclose(n.slope, slope, rtol=1e-10, atol=1e-14, err_msg=where)
                checked += 1
    assert checked >= 3 * sum(net.sizes[1:])
