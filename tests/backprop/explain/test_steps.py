"""The step list (backprop.explain.steps) and the notation it is written in
(backprop.explain.notation).

The order is the one documented in steps.py and NOTATION.md: the input a^1; z^l then a^l for
l = 2..L; the cost; BP1; BP2 for l = L−1 down to 2; then BP3 and BP4 for l = L down to 2.
"""

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop import Network
from backprop.explain import explain
from backprop.explain.notation import QUANTITIES, bmatrix, num, paren, plain, pretty, sym
from backprop.explain.steps import known, steps

HIDDEN = ("sigmoid", "tanh", "relu", "linear")
ACCEPTED = [(out, cost) for cost in ("quadratic", "cross_entropy", "log_likelihood")
            for out in ("sigmoid", "tanh", "relu", "linear", "softmax")
            if cost == "quadratic" or out in ("sigmoid", "softmax")
            and (cost, out) != ("log_likelihood", "sigmoid")]


def documented_order(L):
    """(kind, l, quantity) of every step, written out from the documentation."""
    out = [("input", 1, "a")]
    for l in range(2, L + 1):
        out += [("z", l, "z"), ("a", l, "a")]
    out += [("cost", L, "cost"), ("BP1", L, "delta")]
    out += [("BP2", l, "delta") for l in range(L - 1, 1, -1)]
    for l in range(L, 1, -1):
        out += [("BP3", l, "nabla_b"), ("BP4", l, "nabla_w")]
    return out


def blocks(latex):
    """The entries of every bmatrix in ``latex``, as lists of rows of strings."""
    bodies = re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", latex)
    return [[row.split(" & ") for row in body.split(r" \\ ")] for body in bodies]


def as_float(s):
    """A number written by ``num`` read back: '-1.5' or '1.5\\times10^{-7}'."""
    m = re.fullmatch(r"(-?[0-9.]+)(?:\\times10\^\{(-?[0-9]+)\})?", s)
    assert m, s
    return float(m.group(1)) * 10.0 ** int(m.group(2) or 0)


def numbers_of(block):
    return np.array([[as_float(s) for s in row] for row in block])


def formatted(arr):
    m = np.asarray(arr, dtype=float)
    m = m.reshape(-1, 1) if m.ndim == 1 else m
    return [[num(v) for v in row] for row in m]


def make(sizes, acts="sigmoid", cost="quadratic", seed=0):
    net = Network.random(sizes, acts, cost, seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, sizes[0])
    y = rng.dirichlet(np.ones(sizes[-1])) if cost == "log_likelihood" else \
        rng.uniform(0, 1, sizes[-1])
    return net, net.backprop(x, y)


# --- order and count ---------------------------------------------------------------------

def check_order(net, all_steps):
    L = net.L
    assert len(all_steps) == 1 + 2 * (L - 1) + 1 + 1 + (L - 2) + 2 * (L - 1)
    assert [(s.kind, s.l, s.quantity) for s in all_steps] == documented_order(L)
    assert [s.index for s in all_steps] == list(range(len(all_steps)))


def check_known(all_steps, L):
    order = documented_order(L)
    before = frozenset()
    for i in range(len(all_steps)):
        now = known(all_steps, i)
        assert before <= now and len(now) == len(before) + 1   # one new quantity a step
        assert now == {(q, l) for _, l, q in order[: i + 1]}
        before = now
    every = ({("a", l) for l in range(1, L + 1)} | {("cost", L)}
             | {(q, l) for q in ("z", "delta", "nabla_b", "nabla_w") for l in range(2, L + 1)})
    assert known(all_steps, len(all_steps) - 1) == every


def check_latex(net, all_steps):
    L, sizes = net.L, net.sizes
    for s in all_steps:
        for field in (s.title, s.rule, s.shapes, s.numbers, s.text):
            assert isinstance(field, str) and field.strip()
        # titles are plain text with Unicode superscripts, never ^3 or _j
        assert "^" not in s.title and not re.search(r"_[0-9jk{]", s.title), s.title
        l = s.l
        sup = pretty(f"^{l}")
        if s.kind != "cost":
            assert sup in s.title, (s.title, l)
        need = {"input": ["a^{1}"],
                "z": [f"z^{{{l}}}", f"w^{{{l}}}", f"a^{{{l - 1}}}", f"b^{{{l}}}"],
                "a": [f"a^{{{l}}}", f"z^{{{l}}}"],
                "cost": [f"a^{{{L}}}"],
                "BP1": [rf"\delta^{{{L}}}"],
                "BP2": [rf"\delta^{{{l}}}", f"w^{{{l + 1}}}", rf"\delta^{{{l + 1}}}",
                        f"z^{{{l}}}"],
                "BP3": [f"b^{{{l}}}", rf"\delta^{{{l}}}"],
                "BP4": [f"w^{{{l}}}", rf"\delta^{{{l}}}", f"a^{{{l - 1}}}"]}[s.kind]
        for part in need:
            assert part in s.rule, (s.kind, part, s.rule)
        # the shapes line writes n_l and its number
        if s.kind in ("z", "BP4"):
            assert rf"(n_{{{l}}}\times n_{{{l - 1}}})=({sizes[l - 1]}\times {sizes[l - 2]})" \
                in s.shapes, s.shapes
        if s.kind == "BP4":
            assert rf"(1\times n_{{{l - 1}}})=(1\times {sizes[l - 2]})" in s.shapes
        if s.kind == "BP2":
            assert rf"(n_{{{l}}}\times n_{{{l + 1}}})=({sizes[l - 1]}\times {sizes[l]})" \
                in s.shapes
        if s.kind in ("a", "BP3", "input"):
            assert rf"(n_{{{l}}}\times 1)=({sizes[l - 1]}\times 1)" in s.shapes


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=6), data=st.data(),
       seed=st.integers(0, 1000))
def test_order_count_known_and_latex_on_random_networks(sizes, data, seed):
    hidden = [data.draw(st.sampled_from(HIDDEN)) for _ in sizes[1:-1]]
    out, cost = data.draw(st.sampled_from(ACCEPTED))
    assume(not (out == "softmax" and sizes[-1] == 1))    # refused: a^L would be 1 always
    net, trace = make(sizes, hidden + [out], cost, seed)
    all_steps = steps(net, trace)
    check_order(net, all_steps)
    check_known(all_steps, net.L)
    check_latex(net, all_steps)


def test_order_of_a_four_layer_network_written_out():
    net, trace = make([2, 3, 3, 2])
    kinds = [f"{s.kind}{s.l}" for s in steps(net, trace)]
    assert kinds == ["input1", "z2", "a2", "z3", "a3", "z4", "a4", "cost4", "BP14",
                     "BP23", "BP22", "BP34", "BP44", "BP33", "BP43", "BP32", "BP42"]
    assert len(kinds) == 1 + 6 + 1 + 1 + 2 + 6


def test_a_two_layer_network_has_no_bp2():
    net, trace = make([3, 2])
    all_steps = steps(net, trace)
    assert [s.kind for s in all_steps] == ["input", "z", "a", "cost", "BP1", "BP3", "BP4"]


def test_known_at_the_first_steps():
    net, trace = make([2, 3, 2])
    all_steps = steps(net, trace)
    assert known(all_steps, 0) == {("a", 1)}
    assert known(all_steps, 1) == {("a", 1), ("z", 2)}
    assert known(all_steps, 2) == {("a", 1), ("z", 2), ("a", 2)}
    assert ("delta", 3) not in known(all_steps, 5) and ("delta", 3) in known(all_steps, 6)


# --- the numbers shown --------------------------------------------------------------------

def test_the_z_step_shows_w_a_b_and_z_with_their_numbers():
    net, trace = make([3, 4, 2], seed=4)
    for s in steps(net, trace):
        if s.kind != "z":
            continue
        l = s.l
        w, a_prev, b, z = blocks(s.numbers)
        # the operands with 4 significant digits or more (as many as z needs), z with 4
        np.testing.assert_allclose(numbers_of(w), net.w[l], rtol=5e-4, atol=0)
        np.testing.assert_allclose(numbers_of(a_prev)[:, 0], trace.a[l - 1], rtol=5e-4, atol=0)
        np.testing.assert_allclose(numbers_of(b)[:, 0], net.b[l], rtol=5e-4, atol=0)
        assert z == formatted(trace.z[l])
        # and the numbers read back satisfy z = w a + b to the 4 digits shown
        np.testing.assert_allclose(numbers_of(z)[:, 0],
                                   np.asarray(net.w[l]) @ trace.a[l - 1] + net.b[l],
                                   rtol=5e-4, atol=1e-12)


def test_the_hand_worked_z_step():
    net = Network([[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
                  [[0.35, 0.35], [0.60, 0.60]], "sigmoid", "quadratic")
    trace = net.backprop([0.05, 0.10], [0.01, 0.99])
    s = steps(net, trace)[1]
    # z² = w² a¹ + b² = (0.15·0.05 + 0.2·0.1 + 0.35, 0.25·0.05 + 0.3·0.1 + 0.35)
    #    = (0.3775, 0.3925)
    assert blocks(s.numbers) == [[["0.15", "0.2"], ["0.25", "0.3"]], [["0.05"], ["0.1"]],
                                 [["0.35"], ["0.35"]], [["0.3775"], ["0.3925"]]]
    bp1 = next(x for x in steps(net, trace) if x.kind == "BP1")
    # ∇_a C = a³ − y = (0.7514 − 0.01, 0.7729 − 0.99) = (0.7414, −0.2171);
    # σ'(z³) = (0.1868, 0.1755); δ³ = (0.7414 · 0.1868, −0.2171 · 0.1755) = (0.1385, −0.0381)
    assert blocks(bp1.numbers) == [[["0.7514"], ["0.7729"]], [["0.01"], ["0.99"]],
                                   [["0.1868"], ["0.1755"]], [["0.1385"], ["-0.0381"]]]
    assert r"\left(\begin{bmatrix}0.7514" in bp1.numbers and r"\right) \odot" in bp1.numbers


def test_bp2_and_bp4_numbers_read_back_to_the_products():
    net, trace = make([2, 3, 4, 2], seed=9)
    for s in steps(net, trace):
        l = s.l
        if s.kind == "BP2":
            wT, d_next, sp, d = (numbers_of(b) for b in blocks(s.numbers))
            np.testing.assert_allclose(wT, np.asarray(net.w[l + 1]).T, rtol=5e-4, atol=1e-12)
            np.testing.assert_allclose(d_next[:, 0], trace.delta[l + 1], rtol=5e-4, atol=1e-12)
            a = trace.a[l]
            np.testing.assert_allclose(sp[:, 0], a * (1 - a), rtol=5e-4, atol=1e-12)
            np.testing.assert_allclose(d[:, 0], (np.asarray(net.w[l + 1]).T @ trace.delta[l + 1])
                                       * a * (1 - a), rtol=5e-4, atol=1e-12)
        if s.kind == "BP4":
            d, a_row, g = (numbers_of(b) for b in blocks(s.numbers))
            assert a_row.shape == (1, net.sizes[l - 2]) and d.shape == (net.sizes[l - 1], 1)
            np.testing.assert_allclose(g, np.outer(trace.delta[l], trace.a[l - 1]),
                                       rtol=5e-4, atol=1e-12)
        if s.kind == "cost":
            assert s.numbers.endswith(f" {num(trace.cost)}")


def test_big_layers_are_elided_in_the_numbers():
    net, trace = make([9, 8, 2])
    z2 = steps(net, trace)[1]
    w, a1, b, z = blocks(z2.numbers)
    assert len(w) == 6 and len(w[0]) == 6 and len(a1) == 6
    assert w[4] == [r"\vdots"] * 6 and w[0][4] == r"\cdots"
    assert a1[4] == [r"\vdots"] and a1[5] == [num(trace.a[1][8])]


# --- BP1 for the different outputs --------------------------------------------------------

@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_softmax_bp1_mentions_the_jacobian(cost):
    net, trace = make([2, 3, 3], ["sigmoid", "softmax"], cost)
    bp1 = next(s for s in steps(net, trace) if s.kind == "BP1")
    assert "J(z^{3})" in bp1.rule


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy", "log_likelihood"])
def test_softmax_bp1_never_writes_the_elementwise_form(cost):
    net, trace = make([2, 3, 3], ["sigmoid", "softmax"], cost)
    bp1 = next(s for s in steps(net, trace) if s.kind == "BP1")
    for latex in (bp1.rule, bp1.shapes):
        assert r"\odot \sigma'" not in latex, latex
        assert "J(" in latex, latex


def test_softmax_with_log_likelihood_reduces_to_a_minus_y():
    net, trace = make([2, 3, 3], ["sigmoid", "softmax"], "log_likelihood")
    bp1 = next(s for s in steps(net, trace) if s.kind == "BP1")
    # the targets sum to 1 here, so the rule goes on to a³ − y, as the preset's blurb says
    assert bp1.rule.endswith(r"= a^{3} \textstyle\sum_k y_k - y = a^{3} - y"
                             r"\quad(\text{since }\textstyle\sum_k y_k = 1)"), bp1.rule
    a, y, d = blocks(bp1.numbers)
    assert d == formatted(trace.a[3] - trace.y)


def test_softmax_with_log_likelihood_and_targets_not_summing_to_1():
    # Issue 12: y = (1, 1, 0) printed "the error is the output minus the target" beside
    # 0.3413·2 − 1. The rule stops at a³ Σ y_k − y, the numbers show the sum, and so do
    # the texts.
    net = Network.random([2, 3, 3], ["sigmoid", "softmax"], "log_likelihood", seed=0)
    trace = net.backprop([0.5, -0.3], [1.0, 1.0, 0.0])
    bp1 = next(s for s in steps(net, trace) if s.kind == "BP1")
    assert bp1.rule.endswith(r"= a^{3} \textstyle\sum_k y_k - y"), bp1.rule
    assert r"\end{bmatrix}\cdot2 - \begin{bmatrix}1" in bp1.numbers
    assert "not the output minus the target" in bp1.text and "sum to 2" in bp1.text
    d = explain(net, trace, "delta", 3, 1)
    assert "minus the target only when the targets sum to 1" in d.text
    assert r"\cdot2-1 " in d.lines[-1], d.lines[-1]
    np.testing.assert_allclose(d.value, trace.a[3][0] * 2 - 1, rtol=1e-15)


def test_sigmoid_with_cross_entropy_shows_a_minus_y():
    net, trace = make([2, 3, 2], "sigmoid", "cross_entropy")
    bp1 = next(s for s in steps(net, trace) if s.kind == "BP1")
    assert bp1.rule.replace(" ", "").endswith("=a^{3}-y")
    assert blocks(bp1.numbers)[-1] == formatted(trace.a[3] - trace.y)


def test_elementwise_bp1_shows_grad_times_sigma_prime():
    net, trace = make([2, 2], "tanh", "quadratic")
    bp1 = next(s for s in steps(net, trace) if s.kind == "BP1")
    assert r"\odot" in bp1.rule and "J" not in bp1.rule
    # ∇_a C = a² − y is shown with its numbers in the rule and the numbers
    assert bp1.rule.endswith(r"\nabla_a C = a^{2} - y"), bp1.rule
    a, y, sp, d = blocks(bp1.numbers)
    np.testing.assert_allclose(numbers_of(a)[:, 0], trace.a[2], rtol=5e-4)
    np.testing.assert_allclose(numbers_of(sp)[:, 0], 1 - np.tanh(trace.z[2]) ** 2, rtol=5e-4)
    assert d == formatted(trace.delta[2])


def test_titles_use_unicode_superscripts():
    net, trace = make([2, 3, 2])
    titles = [s.title for s in steps(net, trace)]
    assert "Input: a¹ = x" in titles
    assert any("δ³" in t and t.startswith("BP1") for t in titles)
    assert any("δ²" in t and t.startswith("BP2") for t in titles)
    assert any("∂C/∂w³" in t and "(a²)" in t for t in titles)
    assert not any("^" in t for t in titles)


# --- notation ------------------------------------------------------------------------------

@pytest.mark.parametrize("v,text", [
    (0.0, "0"), (-0.0, "0"), (1.0, "1"), (2.5, "2.5"), (-3, "-3"),
    (0.138498562, "0.1385"), (-0.0380982, "-0.0381"), (0.00877135, "0.008771"),
    (123.456, "123.5"), (9999.4, "9999"), (0.0001, "0.0001"),
    (12346.0, r"1.235\times10^{4}"), (1234567.0, r"1.235\times10^{6}"),
    (0.00001234, r"1.234\times10^{-5}"), (-1.5e-7, r"-1.5\times10^{-7}"),
    (1e300, r"1\times10^{300}"), (np.float64(0.5), "0.5"), (np.int64(7), "7"),
])
def test_num_writes_four_significant_digits(v, text):
    assert num(v) == text


def test_num_digits_and_paren():
    assert num(np.pi, 6) == "3.14159"
    assert num(np.pi, 2) == "3.1"
    assert paren(-2.0) == "(-2)"
    assert paren(2.0) == "2"
    assert paren(0.0) == "0"
    assert paren(-1e-9) == r"(-1\times10^{-9})"


def test_bmatrix_small_matrix_and_vector():
    assert bmatrix([[1, 2], [3, 4.5]]) == r"\begin{bmatrix}1 & 2 \\ 3 & 4.5\end{bmatrix}"
    assert bmatrix([1, -2]) == r"\begin{bmatrix}1 \\ -2\end{bmatrix}"    # a column
    assert bmatrix([[1, -2]]) == r"\begin{bmatrix}1 & -2\end{bmatrix}"   # a row


@pytest.mark.parametrize("n,m", [(6, 6), (7, 6), (6, 7), (8, 9), (16, 16), (1, 16)])
def test_bmatrix_elides_beyond_six(n, m):
    arr = np.arange(1.0, n * m + 1).reshape(n, m)
    (rows,) = blocks(bmatrix(arr))
    shown_rows = list(range(n)) if n <= 6 else [0, 1, 2, 3, None, n - 1]
    shown_cols = list(range(m)) if m <= 6 else [0, 1, 2, 3, None, m - 1]
    assert len(rows) == len(shown_rows)
    for row, i in zip(rows, shown_rows):
        assert len(row) == len(shown_cols)
        for cell, k in zip(row, shown_cols):
            if i is None:
                assert cell == r"\vdots"
            elif k is None:
                assert cell == r"\cdots"
            else:
                assert cell == num(arr[i, k])


@pytest.mark.parametrize("args,latex,text", [
    (("w", 2, 1, 2), "w^{2}_{12}", "w^2_12"),
    (("w", 3, 10, 2), "w^{3}_{10,2}", "w^3_10,2"),
    (("w", 2), "w^{2}", "w^2"),
    (("b", 3, 2), "b^{3}_{2}", "b^3_2"),
    (("z", 2, 1), "z^{2}_{1}", "z^2_1"),
    (("a", 1, 3), "a^{1}_{3}", "a^1_3"),
    (("delta", 3, 2), r"\delta^{3}_{2}", "δ^3_2"),
    (("delta", 3, "k"), r"\delta^{3}_{k}", "δ^3_k"),
    (("nabla_w", 3, 1, 2), r"\frac{\partial C}{\partial w^{3}_{12}}", "∂C/∂w^3_12"),
    (("nabla_b", 2, 1), r"\frac{\partial C}{\partial b^{2}_{1}}", "∂C/∂b^2_1"),
    (("cost",), "C_x", "C_x"),
    (("x", None, 2), "x_{2}", "x_2"),
    (("y", None, 1), "y_{1}", "y_1"),
])
def test_sym_and_plain(args, latex, text):
    assert sym(*args) == latex
    assert plain(*args) == text


def test_sym_and_plain_cover_every_quantity_and_refuse_others():
    for q in QUANTITIES:
        assert sym(q, 2, 1, 1) and plain(q, 2, 1, 1)
    with pytest.raises(ValueError, match="unknown quantity"):
        sym("sigma", 2)


@pytest.mark.parametrize("text,out", [
    ("δ^3_j", "δ³ⱼ"), ("a^{12}", "a¹²"), ("w^2_{jk}", "w²ⱼₖ"),
    ("∂C/∂w^3", "∂C/∂w³"), ("x_1", "x₁"), ("no indices", "no indices"),
    # the raw notation of page texts and labels (issue 12): n_l, n_{l−1}, a^L, C_x
    ("z^{l-1}", "zˡ⁻¹"), ("C_x", "Cₓ"), ("n_l × n_{l−1}", "nₗ × nₗ₋₁"), ("a^L", "aᴸ"),
    ("(w^{l+1})^T", "(wˡ⁺¹)ᵀ"), ("log_likelihood", "log_likelihood"),
])
def test_pretty(text, out):
    assert pretty(text) == out
