"""Each activation against its derivative, each cost against its gradient and its reduced
output error δ^L, and what happens when z is huge."""

import math
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backprop import ACTIVATIONS, COSTS, Network
from backprop.costs import bp1

ELEMENTWISE = [n for n, act in ACTIVATIONS.items() if act.elementwise]
zs = arrays(np.float64, st.integers(1, 6), elements=st.floats(-8, 8))


@contextmanager
def no_warnings():
    """Fail on any warning and on overflow, division by zero or invalid operations.
    Underflow is allowed: e^{−1000} rounding to 0 is the intended behaviour."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            yield


def central_difference(f, z, eps=1e-6):
    """∂f_j/∂z_k by central differences, an n_out × n matrix."""
    cols = []
    for k in range(z.shape[0]):
        e = np.zeros_like(z)
        e[k] = eps
        cols.append((f(z + e) - f(z - e)) / (2 * eps))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=40, deadline=None)
@given(z=zs)
def test_elementwise_derivative_matches_finite_differences(name, z):
    act = ACTIVATIONS[name]
    if name == "relu":
        z = np.where(np.abs(z) < 1e-3, 0.5, z)     # stay off the kink at 0
    a = act.fn(z)
    np.testing.assert_allclose(act.prime(z, a), np.diag(central_difference(act.fn, z)),
                               rtol=1e-6, atol=1e-9)
    assert act.prime(z, a).shape == z.shape


@settings(max_examples=40, deadline=None)
@given(z=zs)
def test_softmax_jacobian_matches_finite_differences(z):
    act = ACTIVATIONS["softmax"]
    a = act.fn(z)
    np.testing.assert_allclose(act.prime(z, a), central_difference(act.fn, z),
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(np.sum(a), 1.0, rtol=1e-14)


def test_activation_values():
    z = np.array([-2.0, 0.0, 3.0])
    f = {n: ACTIVATIONS[n].fn for n in ACTIVATIONS}
    np.testing.assert_allclose(f["sigmoid"](z), [1 / (1 + math.e**2), 0.5, 1 / (1 + math.e**-3)],
                               rtol=1e-15)
    np.testing.assert_allclose(f["tanh"](z), [math.tanh(-2), 0.0, math.tanh(3)], rtol=1e-15)
    np.testing.assert_allclose(f["relu"](z), [0, 0, 3], rtol=0, atol=0)
    np.testing.assert_allclose(f["linear"](z), z, rtol=0, atol=0)
    e = [math.exp(-2), 1.0, math.exp(3)]
    np.testing.assert_allclose(f["softmax"](z), np.array(e) / sum(e), rtol=1e-15)
    # relu'(0) is taken as 0: the notes' σ' is 1 only for z > 0
    np.testing.assert_allclose(ACTIVATIONS["relu"].prime(z, f["relu"](z)), [0, 0, 1])


def test_linear_activation_returns_a_copy():
    z = np.array([1.0, 2.0])
    a = ACTIVATIONS["linear"].fn(z)
    a[0] = 5.0
    np.testing.assert_allclose(z, [1.0, 2.0])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_work_on_a_batch_row_by_row(name):
    act = ACTIVATIONS[name]
    Z = np.random.default_rng(0).normal(size=(4, 3))
    A = act.fn(Z)
    for z, a, sp in zip(Z, A, act.prime(Z, A)):
        np.testing.assert_allclose(a, act.fn(z), rtol=1e-15)
        np.testing.assert_allclose(sp, act.prime(z, act.fn(z)), rtol=1e-15)


@pytest.mark.parametrize("name", [n for n, act in ACTIVATIONS.items() if act.log_fn])
@settings(max_examples=40, deadline=None)
@given(z=zs)
def test_log_fn_is_the_log_of_fn(name, z):
    act = ACTIVATIONS[name]
    np.testing.assert_allclose(act.log_fn(z), np.log(act.fn(z)), rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------- costs


def _y_for(cost, n, rng):
    return rng.dirichlet(np.ones(n)) if cost == "log_likelihood" else rng.uniform(0, 1, n)


@pytest.mark.parametrize("cost", list(COSTS))
@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_grad_a_is_the_gradient_of_the_cost(cost, n, seed):
    rng = np.random.default_rng(seed)
    act, c = ACTIVATIONS["linear"], COSTS[cost]
    a = rng.uniform(0.05, 0.95, n)
    y = _y_for(cost, n, rng)
    # With an activation that has no log_fn, C_x takes ln a from a itself: a function of a
    # alone, as ∇_a C assumes (z is passed but not used).
    C = lambda a: c.fn(a, a, y, act)                                         # noqa: E731
    np.testing.assert_allclose(c.grad_a(a, y), central_difference(C, a), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("cost,out", [(c, o) for c in COSTS for o in COSTS[c].reduced or {}])
@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_reduced_delta_equals_bp1_written_out(cost, out, n, seed):
    # Where σ' cancels, δ^L = a − y (or −y(1 − a)); it must equal ∇_a C ∘ σ' or Jᵀ ∇_a C.
    rng = np.random.default_rng(seed)
    act, c = ACTIVATIONS[out], COSTS[cost]
    z = rng.normal(size=n)
    a = act.fn(z)
    y = _y_for(cost, n, rng)
    sp = act.prime(z, a)
    general = c.grad_a(a, y) * sp if act.elementwise else sp.T @ c.grad_a(a, y)
    np.testing.assert_allclose(bp1(c, z, a, y, act, sp), general, rtol=1e-10, atol=1e-12)


def test_cost_values_by_hand():
    # a = (1/2, 3/4) from z = (0, ln 3); y = (1, 0)
    z = np.array([0.0, math.log(3)])
    a = np.array([0.5, 0.75])
    y = np.array([1.0, 0.0])
    sig = ACTIVATIONS["sigmoid"]
    # ½((1 − 1/2)² + (0 − 3/4)²) = ½(1/4 + 9/16) = 13/32
    np.testing.assert_allclose(COSTS["quadratic"].fn(z, a, y, sig), 13 / 32, rtol=1e-15)
    # −[1·ln ½ + 0] − [0 + 1·ln(1 − 3/4)] = ln 2 + ln 4 = 3 ln 2
    np.testing.assert_allclose(COSTS["cross_entropy"].fn(z, a, y, sig), 3 * math.log(2),
                               rtol=1e-15)
    # −(1·ln ½ + 0·ln ¾) = ln 2
    np.testing.assert_allclose(COSTS["log_likelihood"].fn(z, a, y, sig), math.log(2),
                               rtol=1e-15)


# ------------------------------------------------------------------- huge z


def test_sigmoid_of_plus_minus_1000_is_finite_and_silent():
    with no_warnings():
        z = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
        a = ACTIVATIONS["sigmoid"].fn(z)
        sp = ACTIVATIONS["sigmoid"].prime(z, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(sp))
    np.testing.assert_allclose(a, [0, 1 / (1 + math.exp(40)), 0.5, 1 / (1 + math.exp(-40)), 1],
                               rtol=1e-15, atol=0)


def test_softmax_of_huge_z_is_finite_and_silent():
    sm = ACTIVATIONS["softmax"]
    with no_warnings():
        z = np.array([1000.0, 0.0, -1000.0])
        a = sm.fn(z)
        b = sm.fn(np.array([1e5, 1e5]))
        batch = sm.fn(np.array([[1000.0, 999.0], [-1000.0, -1000.0]]))
        log_a = sm.log_fn(z)
        jac = sm.prime(z, a)
    np.testing.assert_allclose(a, [1, 0, 0], rtol=0, atol=1e-300)
    np.testing.assert_allclose(b, [0.5, 0.5], rtol=1e-15)
    e = 1 / (1 + math.e)
    np.testing.assert_allclose(batch, [[1 - e, e], [0.5, 0.5]], rtol=1e-14)
    np.testing.assert_allclose(log_a, [0, -1000, -2000], rtol=1e-15, atol=1e-300)
    assert np.all(np.isfinite(jac))


def _one_layer(w, act, cost):
    # A 1-n network: z^2 = w·x with x = (1), so z^2 is w's column.
    return Network([np.array(w, dtype=float)[:, None]], [np.zeros(len(w))], act, cost)


# (log-likelihood on sigmoid outputs is refused: Nielsen defines it for softmax)
@pytest.mark.parametrize("out,cost", [("sigmoid", "cross_entropy"), ("softmax", "log_likelihood")])
def test_log_costs_stay_finite_when_a_rounds_to_0_or_1(out, cost):
    # z^2 = (1000, −1000): a^2 is exactly (1, 0) for either activation.
    net = _one_layer([1000.0, -1000.0], out, cost)
    with no_warnings():
        right = net.backprop([1.0], [1.0, 0.0])
        wrong = net.backprop([1.0], [0.0, 1.0])
        grad = net.gradient([[1.0], [1.0]], [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(right.a[2], [1, 0], rtol=0, atol=0)
    if cost == "cross_entropy":
        # −[0·ln 1 + 1·ln(1 − σ(1000))] − [1·ln σ(−1000) + 0] = 1000 + 1000 (ln σ(−1000) =
        # −1000 − ln(1 + e^{−1000}) = −1000 to double precision)
        expected_wrong, delta_right = 2000.0, [0.0, 0.0]
    else:
        # −ln a_2 = −(z_2 − ln(e^{z_1} + e^{z_2})) = 1000 + 1000 + ln(1 + e^{−2000}) = 2000
        expected_wrong, delta_right = 2000.0, [0.0, 0.0]
    np.testing.assert_allclose(right.cost, 0.0, rtol=0, atol=1e-300)
    np.testing.assert_allclose(wrong.cost, expected_wrong, rtol=1e-14)
    np.testing.assert_allclose(right.delta[2], delta_right, rtol=0, atol=1e-300)
    np.testing.assert_allclose(wrong.delta[2], [1.0, -1.0], rtol=0, atol=1e-300)
    np.testing.assert_allclose(grad.cost, expected_wrong / 2, rtol=1e-14)
    for t in (right, wrong):
        for g in (*t.nabla_w.values(), *t.nabla_b.values()):
            assert np.all(np.isfinite(g))


@pytest.mark.parametrize("out,cost", [("sigmoid", "cross_entropy"),
                                      ("softmax", "log_likelihood")])
def test_delta_L_is_a_minus_y_when_saturated(out, cost):
    # BP1 reduces to δ^L = a^L − y for these pairs; it must stay so when σ'(z^L) rounds to 0.
    net = _one_layer([1000.0, -1000.0, 0.0], out, cost)
    y = np.array([0.2, 0.3, 0.5])
    with no_warnings():
        t = net.backprop([1.0], y)
    assert np.all(np.isfinite(t.cost))
    np.testing.assert_allclose(t.delta[2], t.a[2] - y, rtol=1e-15, atol=1e-300)


def test_quadratic_cost_with_saturated_sigmoid_gives_zero_delta():
    # The learning slowdown: σ'(±1000) = 0, so δ^L = (a − y) σ' = 0 however wrong a is.
    net = _one_layer([1000.0, -1000.0], "sigmoid", "quadratic")
    with no_warnings():
        t = net.backprop([1.0], [0.0, 1.0])
    np.testing.assert_allclose(t.cost, 1.0, rtol=1e-15)       # ½(1² + 1²)
    np.testing.assert_allclose(t.delta[2], [0, 0], rtol=0, atol=1e-300)


def test_deep_sigmoid_network_with_huge_weights_is_silent():
    base = Network.random([3, 4, 4, 2], seed=1)
    net = base.replace(weights=[1000 * w for w in base.w.values()])
    with no_warnings():
        t = net.backprop([1.0, -2.0, 0.5], [1.0, 0.0])
        num = net.gradient(np.ones((3, 3)), np.zeros((3, 2)))
    for g in (*t.nabla_w.values(), *num.nabla_w.values()):
        assert np.all(np.isfinite(g))


def test_cross_entropy_with_softmax_output_stays_right_when_saturated():
    # The package accepts cross-entropy on a softmax output. With z^2 = (40, 0), y = (½, ½):
    #   a_1 = 1/(1 + e^{−40}), a_2 = e^{−40}/(1 + e^{−40}), and 1 − a_1 = a_2, 1 − a_2 = a_1, so
    #   C = −Σ_j [½ ln a_j + ½ ln(1 − a_j)] = −(ln a_1 + ln a_2) = 40 + 2 ln(1 + e^{−40}).
    #   ∂C/∂z = ∂(−ln a_1)/∂z + ∂(−ln a_2)/∂z = (a − e_1) + (a − e_2) = 2a − (1, 1)
    #         = (1 − 2a_2, 2a_2 − 1) ≈ (1, −1).
    # a_1 rounds to exactly 1 (e^{−40} ≈ 4e−18 is below the spacing of doubles near 1), so
    # ln(1 − a_1) and the Jacobian a_1(1 − a_1) must not be computed from the rounded a_1.
    net = _one_layer([40.0, 0.0], "softmax", "cross_entropy")
    t = net.backprop([1.0], [0.5, 0.5])
    a2 = math.exp(-40) / (1 + math.exp(-40))
    np.testing.assert_allclose(t.cost, 40 + 2 * math.log1p(math.exp(-40)), rtol=1e-12)
    np.testing.assert_allclose(t.delta[2], [1 - 2 * a2, 2 * a2 - 1], rtol=1e-10, atol=1e-12)


def test_cross_entropy_with_softmax_output_at_plus_minus_1000():
    # Two outputs, so 1 − a_1 = a_2 and 1 − a_2 = a_1: C = −[y_1 ln a_1 + (1 − y_1) ln a_2
    # + y_2 ln a_2 + (1 − y_2) ln a_1]. With z = (1000, −1000), ln a_1 = −ln(1 + e^{−2000}) = 0
    # and ln a_2 = −2000 to double precision.
    #   y = (0, 1): C = −(ln a_2 + ln a_2) = 4000,  δ = ∂(−2 ln a_2)/∂z = 2(a − e_2) = (2, −2)
    #   y = (1, 0): C = −(ln a_1 + ln a_1) = 0,     δ = 2(a − e_1) = (0, 0)
    net = _one_layer([1000.0, -1000.0], "softmax", "cross_entropy")
    with no_warnings():
        wrong = net.backprop([1.0], [0.0, 1.0])
        right = net.backprop([1.0], [1.0, 0.0])
    np.testing.assert_allclose(wrong.cost, 4000.0, rtol=1e-14)
    np.testing.assert_allclose(wrong.delta[2], [2.0, -2.0], rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(right.cost, 0.0, rtol=0, atol=1e-300)
    np.testing.assert_allclose(right.delta[2], [0.0, 0.0], rtol=0, atol=1e-300)


def test_sigmoid_is_within_1e13_of_exact_for_one_example_and_for_a_batch():
    # σ has two code paths (few entries / many entries); both must match the exact
    # e^z / (1 + e^z), written for each sign so it never overflows, over the whole range.
    z = np.linspace(-800.0, 800.0, 20001)
    e = np.exp(-np.abs(z))
    exact = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    sigmoid = ACTIVATIONS["sigmoid"].fn
    batch = sigmoid(z)
    single = np.concatenate([sigmoid(chunk) for chunk in np.array_split(z, 200)])  # ≤ 101 each
    for got in (batch, single):
        np.testing.assert_allclose(got, exact, rtol=2e-13, atol=0)


def test_sigmoid_and_its_derivative_at_once_are_within_1e13_of_exact():
    # The batch gradient's hidden layers take σ and σ' from one exp (Activation.both),
    # σ' written over z. Both must match the exact forms over the whole range, ±∞ included,
    # without a warning, in the memory order the gradient passes (a transposed view).
    z = np.concatenate([np.linspace(-800.0, 800.0, 20001), [-np.inf, np.inf]])
    e = np.exp(-np.abs(z))
    exact_a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    exact_prime = e / ((1.0 + e) * (1.0 + e))          # σ(z) σ(−z), even in z
    zt = z.reshape(1, -1).repeat(2, axis=0)            # (2, n): its .T is what the gradient has
    given = zt.T
    with no_warnings():
        a, prime = ACTIVATIONS["sigmoid"].both(given)
    for row in range(2):
        np.testing.assert_allclose(a[:, row], exact_a, rtol=2e-13, atol=0)
        np.testing.assert_allclose(prime[:, row], exact_prime, rtol=2e-13, atol=0)
    assert np.shares_memory(prime, zt)                   # σ' took z's memory
    sigmoid = ACTIVATIONS["sigmoid"]
    np.testing.assert_allclose(sigmoid.prime(z, sigmoid.fn(z)), exact_prime, rtol=2e-13, atol=0)


# Backpropagation of one example takes σ, σ' and 1 − |a| at once (Activation.fn_prime), and
# C_x, ∇_a C and δ^L at once (Cost.output), each quantity computed once. They must give the
# very numbers of fn, prime, one_minus_a, and of Cost.fn, grad_a and bp1, saturation included.
RANGE = np.concatenate([np.linspace(-800.0, 800.0, 20001), [-np.inf, np.inf]])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_fn_prime_gives_what_fn_prime_and_one_minus_a_give(name):
    from backprop.costs import one_minus_a
    act = ACTIVATIONS[name]
    for z in (RANGE, RANGE[::1000], RANGE[:-3].reshape(-1, 4)):   # many, few, a batch
        with no_warnings():
            a, sp, c = act.fn_prime(z)
            want_a = act.fn(z)
            want_sp = act.prime(z, want_a)
        np.testing.assert_array_equal(a, want_a)
        # tanh' is c (2 − c) there, 4e/(1 + e)² in prime: 4.3e-16 apart at most, seen
        np.testing.assert_allclose(sp, want_sp, rtol=1e-15, atol=0)
        if name in ("sigmoid", "tanh"):           # the costs take 1 − |a| from these
            np.testing.assert_array_equal(c, one_minus_a(z, a, act))
        else:
            assert c is None


def test_fn_prime_of_softmax_is_fn_and_its_jacobian():
    act = ACTIVATIONS["softmax"]
    for z in (np.array([1000.0, 999.0, -1000.0]), np.array([[0.5, -0.25], [-800.0, 800.0]])):
        with no_warnings():
            a, sp, c = act.fn_prime(z)
            np.testing.assert_array_equal(a, act.fn(z))
            np.testing.assert_array_equal(sp, act.prime(z, act.fn(z)))
        assert c is None


ACCEPTED = [("quadratic", out) for out in ACTIVATIONS] + [
    ("cross_entropy", "sigmoid"), ("cross_entropy", "softmax"), ("log_likelihood", "softmax")]


@pytest.mark.parametrize("cost,out", ACCEPTED)
@pytest.mark.parametrize("scale", [1.0, 40.0, 800.0])       # up to saturated outputs
def test_cost_output_is_fn_grad_a_and_bp1_at_once(cost, out, scale):
    rng = np.random.default_rng(int(scale))
    act, c = ACTIVATIONS[out], COSTS[cost]
    for shape in ((4,), (5, 3)):                               # one example, a batch
        z = scale * rng.normal(size=shape)
        y = (np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]
             if cost == "log_likelihood" else rng.uniform(0, 1, shape))
        with no_warnings():
            a, sp, one_minus = act.fn_prime(z)
            want = (c.fn(z, a, y, act), c.grad_a(a, y, z, act), bp1(c, z, a, y, act, sp))
            for given_c in (one_minus, None):                 # 1 − |a| given, or not
                got = c.output(z, a, y, act, sp, given_c)
                for g, w, what in zip(got, want, ("C_x", "∇_a C", "δ^L")):
                    assert np.shape(g) == np.shape(w), what
                    # ½ Σ d² is ½ (d · d) in output: a rounding apart
                    np.testing.assert_allclose(g, w, rtol=4e-16 * shape[-1], atol=0,
                                               err_msg=what)
