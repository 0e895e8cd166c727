"""Every sentence a student reads says what the numbers do (issue 12, items 2 to 5): the relu
kink on Gradient check, softmax as a whole-vector function, log-likelihood with softmax only,
signs, linear layers, raw notation and wording. Pages are run by AppTest."""

import re
from pathlib import Path

import numpy as np
from helpers.apptest import text_of
from streamlit.testing.v1 import AppTest

from backprop import Network, numerical_gradient
from backprop.explain import explain
from backprop.explain.steps import steps
from explorer import files, tables
from explorer.presets import PRESETS
from tests.backprop.explain.test_plugged import ACCEPTED, HIDDEN, cells, check

ROOT = Path(__file__).resolve().parents[2]


def every_text(net, x, y):
    """(where, LaTeX lines, plain texts) of every step and every cell's derivation."""
    trace = net.backprop(x, y)
    for s in steps(net, trace):
        yield (s.kind, s.l), (s.rule, s.shapes, s.numbers), (s.title, s.text)
    for cell in cells(net):
        d = explain(net, trace, *cell)
        yield cell, d.lines, (d.text,)


def some_networks():
    for i, (out, cost) in enumerate(ACCEPTED):
        for hidden in HIDDEN:
            net = Network.random([2, 3, 3], [hidden, out], cost, seed=i)
            y = np.eye(3)[i % 3] if cost != "quadratic" or out != "tanh" else [0.5, -0.5, 0.2]
            yield net, [0.4, -0.7], y


# --- 2. the relu kink ----------------------------------------------------------------------

def kink_network():
    # z²₁ = 1·2 + (−2)·1 + 0 = 0: relu sits at its kink
    net = Network([[[1, -2], [.5, 1]], [[1, 2]]], [[0, 0], [.1]], ["relu", "sigmoid"],
                  "quadratic")
    return net, np.array([2.0, 1.0]), np.array([1.0])


def test_the_kink_rows_are_flagged_and_the_difference_is_half_the_one_sided_slope():
    net, x, y = kink_network()
    trace, numeric = net.backprop(x, y), numerical_gradient(net, x, y)
    table = tables.gradcheck_table(trace, numeric, net)
    assert table.loc["∂C/∂b²", "note"] == "relu kink: z²₁ at 0"
    assert table.loc["∂C/∂w²", "note"] == "relu kink: z²₁ at 0"
    assert table.loc["∂C/∂w³", "note"] == table.loc["∂C/∂b³", "note"] == ""
    # backprop takes σ'(0) = 0; the one-sided slope (z just above 0) is s; the central
    # difference across the kink gives s/2
    assert trace.nabla_b[2][0] == 0.0
    above = net.replace(biases=[[1e-9, 0.0], [0.1]]).backprop(x, y)
    np.testing.assert_allclose(numeric.nabla_b[2][0], above.nabla_b[2][0] / 2, rtol=1e-5)
    np.testing.assert_allclose(numeric.nabla_b[2][0], -1.307e-4, rtol=1e-3)


def test_no_kink_no_flag_even_for_relu():
    net = Network.random([3, 4, 2], ["relu", "sigmoid"], "quadratic", seed=3)
    x, y = np.array([0.3, -0.2, 0.7]), np.array([0.1, 0.9])
    trace = net.backprop(x, y)
    assert np.min(np.abs(trace.z[2])) > 1e-3
    table = tables.gradcheck_table(trace, numerical_gradient(net, x, y), net)
    assert (table["note"] == "").all(), table


def test_a_gradient_below_the_noise_is_flagged_tiny():
    # saturated hidden sigmoids: σ'(z²) ≈ e^{−40}, so ∂C/∂w² ≈ 1e-18, far below the
    # finite differences' rounding noise (about 1e-10 · C)
    net = Network([[[40.0], [-40.0]], [[0.5, 0.5]]], [[0.0, 0.0], [0.0]], "sigmoid",
                  "quadratic")
    trace = net.backprop([1.0], [0.2])
    table = tables.gradcheck_table(trace, numerical_gradient(net, [1.0], [0.2]), net)
    assert table.loc["∂C/∂w²", "note"].startswith("tiny")
    assert table.loc["∂C/∂w³", "note"] == ""


def test_the_derivation_at_the_kink_says_so():
    net, x, y = kink_network()
    d = explain(net, net.backprop(x, y), "delta", 2, 1)
    assert (r"\sigma'(z^{2}_{1}) = 0 \text{ by convention: relu has no derivative at } "
            r"z^{2}_{1} = 0") in d.lines
    assert "no derivative at z = 0" in d.text and "by convention" in d.text
    assert "half the one-sided slope" in d.text


def test_the_gradient_check_page_explains_the_kink_and_the_noise():
    net, x, y = kink_network()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params[files.LINK_KEY] = files.to_link(net, x, y)
    at.run()
    at.switch_page(str(ROOT / "pages/3_Gradient_check.py")).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["note"]) == ["relu kink: z²₁ at 0"] * 2 + [""] * 2
    warning = " ".join(w.value for w in at.warning)
    assert "no derivative" in warning and "uses 0 there by convention" in warning
    assert "half the one-sided slope" in warning
    assert any("10⁻¹⁰" in c.value and "means nothing" in c.value for c in at.caption)


# --- 3. softmax is a whole-vector function -----------------------------------------------

def softmax_case(cost="log_likelihood", y=(0.0, 1.0, 0.0)):
    net = Network.random([2, 3, 3], ["sigmoid", "softmax"], cost, seed=2)
    return net, net.backprop([0.5, -0.3], list(y))


def test_the_softmax_a_step_and_cell_name_the_whole_vector():
    net, trace = softmax_case()
    a3 = next(s for s in steps(net, trace) if s.kind == "a" and s.l == 3)
    assert "applied to every entry" not in a3.text and "each entry" not in a3.text
    assert "turns all of layer 3's weighted inputs" in a3.text and "sum to 1" in a3.text
    assert a3.rule == r"a^{3}_j = \frac{e^{z^{3}_j}}{\sum_k e^{z^{3}_k}}"
    d = explain(net, trace, "a", 3, 1)
    assert d.lines[0] == r"a^{3}_{1} = \frac{e^{z^{3}_{1}}}{\sum_k e^{z^{3}_{k}}}"
    assert d.text == ("Softmax turns all of layer 3's weighted inputs into this output; the "
                      "outputs are positive and sum to 1.")


def test_softmax_with_cross_entropy_shows_the_jacobian_with_numbers():
    net, trace = softmax_case("cross_entropy")
    d = explain(net, trace, "delta", 3, 2)
    assert r"J_{k2}" in d.lines[0] and check(d.lines[-1]) is True
    assert d.lines[-1].count(r"\cdot") == 3           # J_k2 · ∂C/∂a_k for k = 1, 2, 3
    assert "Nielsen pairs softmax with the log-likelihood" in d.text
    bp1 = next(s for s in steps(net, trace) if s.kind == "BP1")
    assert check(bp1.numbers) is True and bp1.numbers.count(r"\begin{bmatrix}") == 3
    assert "Nielsen pairs softmax with the log-likelihood" in bp1.text


def test_the_softmax_preset_continues_to_a_minus_y():
    net, x, y = PRESETS["Softmax classifier"].make()
    trace = net.backprop(x, y)
    bp1 = next(s for s in steps(net, trace) if s.kind == "BP1")
    assert bp1.rule.endswith(r"= a^{3} - y\quad(\text{since }\textstyle\sum_k y_k = 1)")
    d = explain(net, trace, "delta", 3, 2)
    assert d.lines[0].endswith(r"= a^{3}_{2} - y_{2}\quad(\text{since }\textstyle\sum_k y_k = 1)")
    assert re.fullmatch(r"= 0\.\d+-1 (=|\\approx) -0\.\d+", d.lines[-1]), d.lines[-1]


def test_the_jacobian_writes_an_indicator_not_a_kronecker_delta():
    for net, x, y in some_networks():
        for where, lines, _ in every_text(net, x, y):
            for line in lines:
                assert r"\delta_{k" not in line and r"\delta_{j" not in line, (where, line)
    net, trace = softmax_case("quadratic")
    d = explain(net, trace, "delta", 3, 1)
    assert r"a^{3}_{k}\big([k=1]-a^{3}_{1}\big)" in d.lines[0]
    assert r"[k=1] = 1 \text{ if } k=1\text{, else } 0" in d.lines[1]


# --- 4. log-likelihood belongs with softmax ----------------------------------------------

def test_no_text_claims_that_sigma_prime_cancels_for_the_log_likelihood():
    for net, x, y in some_networks():
        for where, _, texts in every_text(net, x, y):
            for t in texts:
                if "cancel" in t:
                    assert (net.activations[net.L], net.cost) in (
                        ("sigmoid", "cross_entropy"), ("softmax", "log_likelihood")), (where, t)
                    assert "σ' cancels" not in t or net.cost == "cross_entropy", (where, t)


def test_the_sidebar_refuses_log_likelihood_on_sigmoid_with_a_message():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    before = at.session_state["net"]      # the 2-2-2 sigmoid preset, quadratic
    at.selectbox(key="_cost").select("log_likelihood").run()
    assert not at.exception
    errors = [text_of(e) for e in at.sidebar.error]
    assert len(errors) == 1 and "use softmax on the output layer" in errors[0], errors
    assert "cross_entropy cost for sigmoid outputs" in errors[0]
    assert at.session_state["net"].cost == before.cost == "quadratic"


# --- 5. smaller things ------------------------------------------------------------------

def test_cost_shapes_annotate_vectors_only():
    for cost in ("cross_entropy", "log_likelihood"):
        net, trace = softmax_case(cost)
        s = next(s for s in steps(net, trace) if s.kind == "cost")
        assert not re.search(r"\}\{a\^\{3\}\}_j", s.shapes), s.shapes
        assert r"\underset{(n_{3}\times 1)=(3\times 1)}{a^{3}}" in s.shapes
        assert r"\underset{(n_{3}\times 1)=(3\times 1)}{y}" in s.shapes


def test_negative_operands_are_bracketed_and_brackets_subtracted():
    net = Network([[[1.0]], [[-3.0], [2.0]]], [[0.0], [0.0, 0.0]], ["tanh", "tanh"],
                  "quadratic")
    trace = net.backprop([1.0], [1.0, -0.5])
    c = explain(net, trace, "cost", 3).lines[-1]
    assert r"\tfrac12(1-(-0.9" in c, c                     # not 1−−0.98
    for net, x, y in some_networks():
        for where, lines, _ in every_text(net, x, y):
            for line in lines:
                assert not re.search(r"[-+]\s*-|\+\s*-\[", line), (where, line)
    net, trace = softmax_case("log_likelihood")
    assert explain(net, trace, "cost", 3).lines[-1].startswith(r"= -[0\cdot\ln ")
    net, trace = softmax_case("cross_entropy")
    assert "] - [" in explain(net, trace, "cost", 3).lines[-1]


def test_linear_layers_print_no_empty_equalities():
    net = Network.random([2, 3, 2], ["linear", "linear"], "quadratic", seed=1)
    for where, lines, _ in every_text(net, [0.3, 0.9], [0.1, 0.2]):
        for line in lines:
            assert not re.search(r"= 1 = 1", line), (where, line)
            parts = [p.strip() for p in re.split(r"=|\\approx", line)]
            assert all(a != b for a, b in zip(parts, parts[1:]) if a), (where, line)


def test_plain_texts_use_the_pretty_notation():
    for net, x, y in some_networks():
        for where, _, texts in every_text(net, x, y):
            for t in texts:
                assert not re.search(r"[\^_]", t), (where, t)
                assert "reaches 0 or 1" not in t, (where, t)


def test_wording_of_the_review():
    net = Network.random([2, 3, 2], ["relu", "sigmoid"], "cross_entropy", seed=0)
    trace = net.backprop([0.5, -0.5], [1.0, 0.0])
    d = explain(net, trace, "delta", 3, 1)
    assert "learning does not slow down when an output saturates" in d.text
    bp1 = next(s for s in steps(net, trace) if s.kind == "BP1")
    assert "learning does not slow down when an output saturates" in bp1.text
    bp2 = next(s for s in steps(net, trace) if s.kind == "BP2")
    assert "1 if z > 0, else 0" in bp2.text and "dead neuron" in bp2.text
    j = int(np.argmin(trace.z[2])) + 1
    assert trace.z[2][j - 1] < 0
    d = explain(net, trace, "delta", 2, j)
    assert r"1 \text{ if } z^{2}" in d.lines[2] and "dead neuron" in d.text
    net = Network.random([2, 2], "sigmoid", "quadratic", seed=0)
    bp1 = next(s for s in steps(net, net.backprop([1, 2], [0, 1])) if s.kind == "BP1")
    assert bp1.rule.endswith(r"\nabla_a C = a^{2} - y")


def test_the_deep_chain_blurb_is_true_of_its_network():
    preset = PRESETS["Deep sigmoid chain"]
    assert "|w · σ′|" in preset.blurb and "every one is below 1" in preset.blurb
    net, x, y = preset.make()
    trace = net.backprop(x, y)
    for l in range(2, net.L):
        assert np.all(np.abs(net.w[l + 1] * trace.sp[l][None, :]) < 1)
        assert np.max(np.abs(trace.delta[l])) < np.max(np.abs(trace.delta[l + 1])) or l == 4


def test_pages_and_sidebar_show_no_raw_notation():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    shown = [m.value for m in at.markdown] + [e.label for e in at.sidebar.expander] + \
        [n.label for n in at.sidebar.number_input] + [s.help or "" for s in at.sidebar.selectbox]
    text = "\n".join(shown)
    for raw in ("n_l", "n_{l", "a^L", "C_x", "n_1", "n_2"):
        assert raw not in text, raw
    assert "nₗ × nₗ₋₁" in text and "n₁" in text
    assert "symmetry problem" in text
