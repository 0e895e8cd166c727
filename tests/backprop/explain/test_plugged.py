"""Every plugged-in line a student reads adds up (issue 12, item 1).

Over random networks of every activation × cost (saturated ones included), every numbers
line of ``explain`` (every cell) and of ``steps`` is read back from its LaTeX by an
independent parser (tests/helpers/latex_arithmetic.py) and its arithmetic redone on the printed
operands: the printed result must lie within half a unit of its last printed digit (of its
4th significant digit, where trailing zeros are dropped) of what they give; where the
line writes "=", exactly. A printed 0 stands for anything float64 holds as 0 (below
2.2e-308): the one exception.
"""

import re
from decimal import Context, Decimal, localcontext

import numpy as np
import pytest
from helpers.latex_arithmetic import (
    CTX,
    NUMBER,
    NotArithmetic,
    Parser,
    flat,
    number,
    result_entries,
    split_relations,
)

from backprop import Network
from backprop.explain import explain
from backprop.explain.steps import steps
from tests.backprop.explain.test_explain import cells

HIDDEN = ("sigmoid", "tanh", "relu", "linear")
ACCEPTED = [("sigmoid", "quadratic"), ("tanh", "quadratic"), ("relu", "quadratic"),
            ("linear", "quadratic"), ("softmax", "quadratic"), ("sigmoid", "cross_entropy"),
            ("softmax", "cross_entropy"), ("softmax", "log_likelihood")]
SCALES = (0.5, 1.0, 3.0, 10.0, 40.0)    # 10 and 40 saturate sigmoid, tanh and softmax


def sigma_of(name):
    def sigmoid(col):
        return [1 / (1 + (-z).exp()) for z in col]

    def tanh(col):
        return [((2 * z).exp() - 1) / ((2 * z).exp() + 1) if z < 0 else
                (1 - (-2 * z).exp()) / (1 + (-2 * z).exp()) for z in col]

    def softmax(col):
        top = max(col)
        e = [(z - top).exp() for z in col]
        return [x / sum(e) for x in e]
    return {"sigmoid": sigmoid, "tanh": tanh, "softmax": softmax,
            "relu": lambda col: [max(z, Decimal(0)) for z in col],
            "linear": lambda col: list(col)}[name]


def cost_of(name):
    def cost(a, y):
        if name == "quadratic":
            return sum((yi - ai) ** 2 for ai, yi in zip(a, y)) / 2
        if name == "cross_entropy":
            return -sum(yi * ai.ln() + (1 - yi) * (1 - ai).ln() for ai, yi in zip(a, y))
        return -sum(yi * ai.ln() for ai, yi in zip(a, y))
    return cost


def check(line, **fns):
    """Redo the arithmetic of a numbers line; True if it was one, False if it holds symbols
    (a rule), None for the one exception (a number within 10^−340 of 1), AssertionError if
    its printed result is off."""
    line = line.replace(r"\small ", "")
    parts, rels = split_relations(line)
    if not rels or r"\text" in line or r"\cdots" in line:
        return False
    # 80 digits more than it takes to tell the closest 1 − ε printed from 1
    need = max([-number(e).adjusted() for e in re.findall(r"1-(" + NUMBER + ")", line)] or [0])
    if need > 340:
        return None   # beyond 10^−340 from 1: the package leaves such a line unchecked too
    with localcontext(Context(**{**CTX, "prec": 80 + need})):
        try:
            got = Parser(parts[-2], **fns).parse()
            shown = result_entries(parts[-1])
        except NotArithmetic:
            return False
    got = flat(got)
    assert len(got) == len(shown), line
    for g, (v, half) in zip(got, shown):
        if rels[-1] == "=":
            assert abs(g - v) <= abs(v) * Decimal("1e-60"), (line, g, v)
        else:
            assert abs(g - v) <= half * (1 + Decimal("1e-20")), \
                (line, f"operands give {g:.12g}, printed {v} ± {half}")
    return True


def check_value_line(line, value):
    """A line that only states a number (a given w, b or x, ∂C/∂b = δ, a linear a):
    the number printed is the value rounded, and = only where that is exact."""
    parts, rels = split_relations(line)
    (v, half), = result_entries(parts[-1])
    if rels[-1] == "=":
        assert v == Decimal(repr(float(value))), line
    else:
        assert abs(v - Decimal(repr(float(value)))) <= half, (line, value)


def random_case(rng):
    L = int(rng.integers(2, 6))
    sizes = [int(n) for n in rng.integers(1, 6, L)]
    out, cost = ACCEPTED[rng.integers(len(ACCEPTED))]
    if out == "softmax":
        sizes[-1] = max(2, sizes[-1])
    acts = [HIDDEN[i] for i in rng.integers(len(HIDDEN), size=L - 2)] + [out]
    scale = SCALES[rng.integers(len(SCALES))]
    net = Network.random(sizes, acts, cost, seed=int(rng.integers(2**31)))
    w, b = [scale * m for m in net.w.values()], [scale * v for v in net.b.values()]
    if rng.random() < 0.3:   # round numbers, as a student types them: exact lines, relu kinks
        w, b = [np.round(m, 1) for m in w], [np.round(v, 1) for v in b]
    net = Network(w, b, acts, cost)
    x = np.round(rng.uniform(-1, 1, sizes[0]), int(rng.integers(1, 17)))
    n = sizes[-1]
    kind = rng.integers(3)
    if cost == "log_likelihood":
        y = [np.eye(n)[rng.integers(n)], rng.dirichlet(np.ones(n)), rng.uniform(0, 1, n)][kind]
    elif out in ("sigmoid", "softmax"):
        y = [rng.integers(0, 2, n).astype(float), rng.uniform(0, 1, n),
             np.round(rng.uniform(0, 1, n), 2)][kind]
    else:
        y = rng.uniform(-1, 1, n)
    return net, x, y


def check_network(net, x, y):
    trace = net.backprop(x, y)
    checked = 0
    for cell in cells(net):
        d = explain(net, trace, *cell)
        q, l = cell[0], cell[1]
        given = d.equation in ("given", "BP3") or (q == "a" and net.activations.get(l) == "linear")
        if given:
            check_value_line(d.lines[-1], d.value)
            continue
        ok = check(d.lines[-1])
        assert ok is not False, (cell, d.lines[-1])     # the numbers line is arithmetic
        checked += ok is True
        if q == "a" and net.activations[l] == "sigmoid":
            assert d.shown not in ("0", "1"), (cell, d.lines)   # σ never reaches 0 or 1
        for line in d.lines[:-1]:
            if line.startswith(r"\sigma'") and net.activations[l] in ("sigmoid", "tanh"):
                ok = check(line)
                assert ok is not False, (cell, line)
                checked += ok is True
            else:
                checked += check(line) is True
    for s in steps(net, trace):
        act = net.activations.get(s.l)
        fns = dict(sigma=sigma_of(act) if act else None, softmax=sigma_of("softmax"),
                   cost=cost_of(net.cost))
        if s.kind in ("input", "BP3"):
            continue
        ok = check(s.numbers, **fns)
        assert ok is not False, (s.kind, s.numbers)
        if s.kind == "a" and act == "sigmoid":
            body = split_relations(s.numbers)[0][-1][len(r"\begin{bmatrix}"):-len(r"\end{bmatrix}")]
            entries = [c.strip() for r in body.split("\\\\") for c in r.split("&")]
            assert not {"0", "1"} & set(entries), s.numbers
        checked += ok is True
    return checked


@pytest.mark.parametrize("chunk", range(12))
def test_every_numbers_line_adds_up_on_random_networks(chunk):
    # 12 × 45 = 540 networks, as many as the review that found the defects
    rng = np.random.default_rng(1200 + chunk)
    for _ in range(45):
        net, x, y = random_case(rng)
        assert check_network(net, x, y) > 0


@pytest.mark.parametrize("out,cost", ACCEPTED)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_every_pair_saturated(hidden, out, cost):
    # every hidden activation with every accepted output and cost, pushed into saturation,
    # with targets on the wrong side and on the right side
    net = Network.random([2, 3, 3], [hidden, out], cost, seed=5)
    net = Network([25 * w for w in net.w.values()], [25 * b for b in net.b.values()],
                  [hidden, out], cost)
    for y in ([1.0, 0.0, 0.0], [0.0, 0.0, 1.0]):
        check_network(net, [0.7, -0.4], y)


# --- the review's examples ---------------------------------------------------------------

def one_neuron(w, act, cost, y):
    net = Network([[[w]]], [[0.0]], act, cost)
    return net, net.backprop([1.0], [y])


def test_a_saturated_sigmoid_prime_is_not_1_times_1_minus_1():
    # was: a(1−a) = 1\,(1−1) = 4.54×10⁻⁵
    net, trace = one_neuron(10.0, "sigmoid", "quadratic", 0.0)
    sp = explain(net, trace, "delta", 2, 1).lines[2]
    assert r"(1-1)" not in sp and r"1\,(1" not in sp
    # 1 − a = σ(−10) = 4.54×10⁻⁵, and a = 1 − that
    assert r"= (1-4.54\times10^{-5})\cdot4.54\times10^{-5} \approx 4.54\times10^{-5}" in sp
    assert check(sp) is True


def test_the_cross_entropy_of_a_saturated_sigmoid_is_not_ln_0():
    # was: −[0 ln 1 + (1−0) ln(1−1)] = 20: the student read −ln 0 = 20
    net, trace = one_neuron(20.0, "sigmoid", "cross_entropy", 0.0)
    line = explain(net, trace, "cost", 2).lines[-1]
    assert r"\ln(1-1)" not in line and r"\ln 1 " not in line
    assert r"(1-0)\cdot\ln (2.061\times10^{-9})" in line and line.endswith(r"\approx 20")
    assert check(line) is True
    a = explain(net, trace, "a", 2, 1)
    assert a.shown == r"1-2.061\times10^{-9}"        # never printed as 1


def test_a_saturated_tanh_prime_comes_from_z():
    # was: 1−0.9999² = 0.0001816 (1 − 0.9999² is 0.0002)
    net, trace = one_neuron(5.0, "tanh", "quadratic", 0.0)
    sp = explain(net, trace, "delta", 2, 1).lines[2]
    assert "0.9999^2" not in sp
    assert sp.endswith(r"= \frac{1}{\cosh^2 5} \approx 0.0001816"), sp
    assert check(sp) is True


@pytest.mark.parametrize("preset,cell", [("Deep sigmoid chain", ("z", 3, 3)),
                                         ("Softmax classifier", ("nabla_w", 3, 3, 2))])
def test_the_presets_lines_of_the_review_add_up(preset, cell):
    # were: 0.04494 printed where the operands give 0.04486; 0.1013·0.8285 = 0.08389
    from explorer.presets import PRESETS
    net, x, y = PRESETS[preset].make()
    line = explain(net, net.backprop(x, y), *cell).lines[-1]
    assert check(line) is True, line
