"""The Network and its Trace: layer numbering, what the trace records, immutability, updates,
seeds and initialisations."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backprop import ACTIVATIONS, INITS, Layers, Network

HIDDEN = ("sigmoid", "tanh", "relu", "linear")


def sample(sizes, seed=0):
    rng = np.random.default_rng(seed + 100)
    return rng.uniform(-1, 1, sizes[0]), rng.uniform(0, 1, sizes[-1])


# ------------------------------------------------------------------- the trace


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5),
       hidden=st.sampled_from(HIDDEN), out=st.sampled_from(list(ACTIVATIONS)),
       seed=st.integers(0, 2**32 - 1))
# a network whose a − y differed by 1.03 × the 2 eps · (|a| + |y|) allowed before
@example(sizes=[1, 1, 4, 3, 5], hidden="sigmoid", out="softmax", seed=29426435)
def test_trace_holds_the_forward_and_backward_pass(sizes, hidden, out, seed):
    if out == "softmax":
        sizes[-1] = max(sizes[-1], 2)           # softmax needs two outputs or more
    net = Network.random(sizes, activations=[hidden] * (len(sizes) - 2) + [out], seed=seed)
    x, y = sample(sizes, seed)
    t = net.backprop(x, y)
    L = len(sizes)
    assert net.L == t.L == L
    assert net.sizes == tuple(sizes)
    assert list(t.a) == list(range(1, L + 1))
    for name in ("z", "sp", "delta", "nabla_w", "nabla_b"):
        assert list(getattr(t, name)) == list(range(2, L + 1)), name
    assert list(net.w) == list(net.b) == list(net.activations) == list(range(2, L + 1))

    np.testing.assert_array_equal(t.a[1], x)                  # a^1 = x, exactly
    np.testing.assert_array_equal(t.x, x)
    np.testing.assert_array_equal(t.y, y)
    for l in range(2, L + 1):
        act = ACTIVATIONS[net.activations[l]]
        assert net.w[l].shape == (sizes[l - 1], sizes[l - 2])  # n_l × n_{l−1}
        assert net.b[l].shape == (sizes[l - 1],)
        np.testing.assert_allclose(t.z[l], net.w[l] @ t.a[l - 1] + net.b[l],
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(t.a[l], act.fn(t.z[l]), rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(t.sp[l], act.prime(t.z[l], t.a[l]), rtol=1e-14, atol=1e-300)
        np.testing.assert_array_equal(t.nabla_b[l], t.delta[l])                     # BP3
        np.testing.assert_allclose(t.nabla_w[l], np.outer(t.delta[l], t.a[l - 1]),  # BP4
                                   rtol=1e-14, atol=1e-300)
    for l in range(2, L):                                                           # BP2
        np.testing.assert_allclose(t.delta[l], (net.w[l + 1].T @ t.delta[l + 1]) * t.sp[l],
                                   rtol=1e-12, atol=1e-14)
    # BP1 for the quadratic cost: ∇_a C = a^L − y, then ∘ σ' (or Jᵀ· for softmax)
    # the reference rounds a − y to within eps · (|a| + |y|); the package keeps those digits
    # (a − y taken from z where |a| is near 1), and a itself carries a few roundings (a
    # softmax sums its outputs), so the two may differ by a few eps · (|a| + |y|): at most
    # 2.08 of them over 20,000 random networks (1.77 without softmax), and 4 are allowed
    ulp = 4 * np.finfo(float).eps * (np.abs(t.a[L]) + np.abs(y))
    np.testing.assert_array_less(np.abs(t.grad_a - (t.a[L] - y)), ulp + 1e-300)
    bp1 = t.sp[L].T @ t.grad_a if out == "softmax" else t.grad_a * t.sp[L]
    np.testing.assert_allclose(t.delta[L], bp1, rtol=1e-12, atol=1e-14)
    slack = 2 * np.sum(ulp * np.abs(y - t.a[L]))      # the same rounding, in ½ d²
    np.testing.assert_allclose(t.cost, 0.5 * np.sum((y - t.a[L]) ** 2), rtol=1e-14, atol=slack)
    np.testing.assert_allclose(net.feedforward(x), t.a[L], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net.cost_of(x, y), t.cost, rtol=1e-12, atol=1e-300)


def test_softmax_sp_is_the_jacobian():
    net = Network.random([2, 3, 4], activations=["tanh", "softmax"], seed=3)
    t = net.backprop(*sample([2, 3, 4]))
    assert t.sp[3].shape == (4, 4)
    a = t.a[3]
    np.testing.assert_allclose(t.sp[3], np.diag(a) - np.outer(a, a), rtol=1e-14, atol=1e-300)


# The output pairs the package accepts (test_gradients.ACCEPTED), with a log cost only
# where a^L lies in (0, 1)
OUT_COSTS = [(out, "quadratic") for out in ACTIVATIONS] + [
    ("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"), ("softmax", "log_likelihood")]


@pytest.mark.parametrize("out,cost", OUT_COSTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_backprop_and_gradient_compute_sigma_and_a_minus_y_once(monkeypatch, hidden, out, cost):
    # Every way an activation offers to compute σ, σ' or ln σ is counted, through the
    # lookup table the network reads, with the argument it was given; so is a − y.
    # One example needs σ(z^l) and σ'(z^l) of each layer once, 1 − a^L and a^L − y once
    # (C_x, ∇_a C and δ^L all use them), ln a^L at most once: nothing twice, and σ of
    # nothing but the z^l (1 − σ(z) taken as σ(−z) is σ computed again).
    import dataclasses

    import backprop.costs as costs

    calls = []

    def counted(what, f):
        def wrapper(z, *rest, **kw):
            calls.append((what, np.asarray(z).tobytes()))
            return f(z, *rest, **kw)
        return wrapper

    for name, act in list(ACTIVATIONS.items()):
        kept = {f.name: getattr(act, f.name) for f in dataclasses.fields(act)}
        wrapped = {key: counted(key, f) for key, f in kept.items()
                   if key not in ("name", "latex", "prime_latex") and callable(f)}
        monkeypatch.setitem(ACTIVATIONS, name, dataclasses.replace(act, **wrapped))
    for name in ("a_minus_y", "one_minus_a"):
        monkeypatch.setattr(costs, name, counted(name, getattr(costs, name)))

    sizes = [3, 4, 2, 3]
    net = Network.random(sizes, activations=[hidden, hidden, out], cost=cost, seed=1)
    x, y = sample(sizes, seed=1)
    if cost == "log_likelihood":
        y = y / y.sum()
    t = net.backprop(x, y)
    zs = [t.z[l].tobytes() for l in range(2, net.L + 1)]

    sigma = [z for what, z in calls if what in ("fn", "with_prime", "both")]
    prime = [z for what, z in calls if what in ("prime", "with_prime", "both")]
    assert sorted(sigma) == sorted(zs), \
        f"σ computed {len(sigma)} times for {len(zs)} layers, or of something else than z^l"
    assert sorted(prime) == sorted(zs), f"σ' computed {len(prime)} times for {len(zs)} layers"
    logs = [z for what, z in calls if what == "log_fn"]
    assert len(logs) == len(set(logs)), "ln σ computed twice of the same z"
    assert [what for what, _ in calls].count("a_minus_y") == 1
    assert [what for what, _ in calls].count("one_minus_a") <= 1
    # and the numbers are those of the network without counting
    monkeypatch.undo()
    want = Network(net.w.values(), net.b.values(), net.activations.values(), cost).backprop(x, y)
    np.testing.assert_allclose(t.cost, want.cost, rtol=1e-15, atol=0)
    for l in range(2, net.L + 1):
        np.testing.assert_allclose(t.delta[l], want.delta[l], rtol=1e-15, atol=0)
        np.testing.assert_allclose(t.nabla_w[l], want.nabla_w[l], rtol=1e-15, atol=0)
    np.testing.assert_allclose(t.grad_a, want.grad_a, rtol=1e-15, atol=0)

    # the batch gradient, likewise: σ and σ' of each layer's Z once, a − y once
    monkeypatch.setattr(costs, "a_minus_y", counted("a_minus_y", costs.a_minus_y))
    for name, act in list(ACTIVATIONS.items()):
        kept = {f.name: getattr(act, f.name) for f in dataclasses.fields(act)}
        monkeypatch.setitem(ACTIVATIONS, name, dataclasses.replace(act, **{
            key: counted(key, f) for key, f in kept.items()
            if key not in ("name", "latex", "prime_latex") and callable(f)}))
    net = Network(net.w.values(), net.b.values(), net.activations.values(), cost)
    X = np.stack([x, -x, 2 * x])
    Y = np.stack([y, y[::-1], y])
    calls.clear()
    g = net.gradient(X, Y)
    sigma = [what for what, _ in calls if what in ("fn", "with_prime", "both")]
    prime = [what for what, _ in calls if what in ("prime", "with_prime", "both")]
    assert len(sigma) == len(prime) == net.L - 1, calls
    assert [what for what, _ in calls].count("a_minus_y") == 1
    monkeypatch.undo()
    want = [Network(net.w.values(), net.b.values(), net.activations.values(), cost)
            .backprop(xi, yi) for xi, yi in zip(X, Y)]
    np.testing.assert_allclose(g.cost, np.mean([w.cost for w in want]), rtol=1e-14, atol=0)
    for l in range(2, net.L + 1):
        np.testing.assert_allclose(g.nabla_w[l], np.mean([w.nabla_w[l] for w in want], axis=0),
                                   rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy", "log_likelihood"])
def test_one_softmax_output_is_refused_with_advice_that_works(cost):
    w, b = [[[0.5, -0.5]], [[2.0]]], [[0.1], [0.2]]
    with pytest.raises(ValueError, match="single output neuron") as refused:
        Network(w, b, ["sigmoid", "softmax"], cost)
    advice = str(refused.value)
    assert "at least two neurons" in advice
    Network([w[0], [[2.0], [1.0]]], [b[0], [0.2, 0.3]], ["sigmoid", "softmax"], cost)
    if "use sigmoid" in advice:              # then sigmoid must be taken with this cost
        Network(w, b, ["sigmoid", "sigmoid"], cost)
    else:
        assert cost == "log_likelihood"      # which belongs with softmax alone


def test_layers_that_do_not_exist_raise_key_error():
    net = Network.random([2, 3, 2], seed=0)
    t = net.backprop([0.5, -1.0], [1.0, 0.0])
    for layers, bad in [(t.z, 1), (t.delta, 1), (t.nabla_w, 1), (t.a, 0), (t.a, 4),
                        (net.w, 1), (net.w, net.L + 1), (net.b, 4), (t.z, -1), (t.z, "2")]:
        with pytest.raises(KeyError, match="layers are"):
            layers[bad]
    assert 1 not in net.w and 2 in net.w and 3 in net.w and 4 not in net.w
    assert 1 in t.a and 0 not in t.a
    assert (t.a.first, t.a.last, t.z.first, t.z.last) == (1, 3, 2, 3)


def test_layers_accept_numpy_integers():
    # for l in np.arange(2, L + 1) is a natural loop in a page or a figure
    net = Network.random([2, 3, 2], seed=0)
    np.testing.assert_array_equal(net.w[np.int64(2)], net.w[2])
    assert np.int64(3) in net.b


def test_layers_replace():
    layers = Layers(2, ["w2", "w3"])
    new = layers.replace(3, "new")
    assert list(new.items()) == [(2, "w2"), (3, "new")]
    assert list(layers.items()) == [(2, "w2"), (3, "w3")]


def test_layers_replace_refuses_a_layer_that_does_not_exist():
    # replace(1, ...) on layers 2..3 must not quietly replace layer 3 (items[-1])
    layers = Layers(2, ["w2", "w3"])
    for bad in (1, 0, 4):
        with pytest.raises(KeyError):
            layers.replace(bad, "new")


def test_repr_names_sizes_activations_and_cost():
    net = Network.random([2, 3, 2], activations=["relu", "softmax"], cost="log_likelihood")
    assert repr(net) == "Network(sizes=[2, 3, 2], activations=[relu, softmax], " \
                        "cost='log_likelihood')"


def test_feedforward_of_a_batch_is_row_by_row():
    net = Network.random([3, 4, 2], activations=["tanh", "softmax"], seed=2)
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(net.feedforward(X), [net.feedforward(x) for x in X],
                               rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------- immutability


def test_network_is_immutable():
    net = Network.random([2, 3, 2], seed=0)
    for name in ("w", "b", "cost", "sizes", "activations", "anything"):
        with pytest.raises(AttributeError, match="never changes"):
            setattr(net, name, None)
    for arr in (*net.w.values(), *net.b.values()):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 1.0
    with pytest.raises(TypeError):
        net.w[2] = np.zeros((3, 2))        # Layers is a read-only mapping


def test_network_attributes_cannot_be_deleted():
    net = Network.random([2, 3, 2], seed=0)
    with pytest.raises(AttributeError):
        del net.cost
    assert net.cost == "quadratic"


def test_network_copies_the_arrays_it_is_given():
    w = np.ones((2, 2))
    b = np.zeros(2)
    net = Network([w], [b])
    w[0, 0] = 5.0                          # the caller's array stays writable and separate
    np.testing.assert_array_equal(net.w[2], np.ones((2, 2)))
    assert w.flags.writeable and b.flags.writeable


# ------------------------------------------------------------------- updates


def _copies(net):
    return [w.copy() for w in net.w.values()], [b.copy() for b in net.b.values()]


def _assert_unchanged(net, before):
    # "Unchanged" means bit-for-bit the same, so exact equality is the right check here.
    for got, kept in zip((*net.w.values(), *net.b.values()), (*before[0], *before[1])):
        np.testing.assert_array_equal(got, kept)


def test_sgd_step_returns_a_new_network_and_leaves_the_old_one_alone():
    net = Network.random([3, 4, 2], activations=["tanh", "sigmoid"], seed=5)
    before = _copies(net)
    x, y = sample([3, 4, 2])
    t = net.backprop(x, y)
    new = net.sgd_step(x, y, eta=0.5)
    assert new is not net and isinstance(new, Network)
    _assert_unchanged(net, before)
    for l in net.w:
        np.testing.assert_allclose(new.w[l], before[0][l - 2] - 0.5 * t.nabla_w[l],
                                   rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(new.b[l], before[1][l - 2] - 0.5 * t.nabla_b[l],
                                   rtol=1e-15, atol=1e-15)
        with pytest.raises(ValueError, match="read-only"):
            new.w[l][0, 0] = 1.0
        with pytest.raises(ValueError, match="read-only"):
            new.b[l][0] = 1.0
    assert new.activations.values() == net.activations.values() and new.cost == net.cost
    # a small step downhill lowers the cost of that example
    assert net.sgd_step(x, y, eta=1e-3).cost_of(x, y) < t.cost


def test_batch_sgd_step_uses_the_mean_gradient():
    net = Network.random([3, 4, 2], activations=["relu", "softmax"], cost="log_likelihood",
                         seed=6)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(7, 3))
    Y = np.eye(2)[rng.integers(0, 2, 7)]
    before = _copies(net)
    g = net.gradient(X, Y)
    new = net.batch_sgd_step(X, Y, eta=3.0)
    _assert_unchanged(net, before)
    for l in net.w:
        np.testing.assert_allclose(new.w[l], before[0][l - 2] - 3.0 * g.nabla_w[l],
                                   rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(new.b[l], before[1][l - 2] - 3.0 * g.nabla_b[l],
                                   rtol=1e-15, atol=1e-15)
        with pytest.raises(ValueError, match="read-only"):
            new.w[l][0, 0] = 1.0
    assert new.cost == "log_likelihood"
    assert net.batch_sgd_step(X, Y, eta=1e-3).cost_of(X, Y) < g.cost


def test_replace_keeps_what_is_not_replaced():
    net = Network.random([2, 3, 2], activations=["tanh", "sigmoid"], seed=1)
    new = net.replace(cost="cross_entropy")
    assert new.cost == "cross_entropy" and net.cost == "quadratic"
    assert new.activations.values() == ("tanh", "sigmoid")
    for l in net.w:
        np.testing.assert_array_equal(new.w[l], net.w[l])
        np.testing.assert_array_equal(new.b[l], net.b[l])


# ------------------------------------------------------------------- seeds and inits


@pytest.mark.parametrize("init", INITS)
def test_same_seed_same_network(init):
    a = Network.random([3, 5, 2], seed=42, init=init)
    b = Network.random([3, 5, 2], seed=42, init=init)
    for l in a.w:
        np.testing.assert_array_equal(a.w[l], b.w[l])
        np.testing.assert_array_equal(a.b[l], b.b[l])


@pytest.mark.parametrize("init", ["standard", "scaled"])
def test_different_seeds_differ(init):
    a = Network.random([3, 5, 2], seed=1, init=init)
    b = Network.random([3, 5, 2], seed=2, init=init)
    for l in a.w:
        assert not np.allclose(a.w[l], b.w[l])
        assert not np.allclose(a.b[l], b.b[l])


def test_default_seed_is_fixed():
    np.testing.assert_array_equal(Network.random([2, 3]).w[2], Network.random([2, 3]).w[2])


def test_inits():
    assert INITS == ("standard", "scaled", "zeros")
    sizes = [800, 400, 1]
    # 320,000 draws: the sample std is within about 0.2 % of the true one; allow 3 %.
    std = Network.random(sizes, seed=0, init="standard")
    np.testing.assert_allclose(np.std(std.w[2]), 1.0, rtol=0.03)
    np.testing.assert_allclose(np.mean(std.w[2]), 0.0, atol=0.01)
    np.testing.assert_allclose(np.std(std.b[2]), 1.0, rtol=0.1)

    scaled = Network.random(sizes, seed=0, init="scaled")
    np.testing.assert_allclose(np.std(scaled.w[2]), 1 / np.sqrt(800), rtol=0.03)
    np.testing.assert_allclose(np.mean(scaled.w[2]), 0.0, atol=0.01 / np.sqrt(800))
    np.testing.assert_allclose(np.std(scaled.w[3]), 1 / np.sqrt(400), rtol=0.15)
    np.testing.assert_allclose(np.std(scaled.b[2]), 1.0, rtol=0.1)   # biases stay N(0, 1)

    zeros = Network.random([3, 4, 2], init="zeros")
    for arr in (*zeros.w.values(), *zeros.b.values()):
        np.testing.assert_array_equal(arr, 0.0)


def test_zero_init_hidden_neurons_stay_identical():
    # With every weight 0 the hidden neurons are interchangeable: their gradients are equal,
    # so gradient descent never tells them apart (why networks start from random weights).
    net = Network.random([2, 3, 2], init="zeros")
    t = net.backprop([0.3, -0.7], [1.0, 0.0])
    np.testing.assert_allclose(t.nabla_w[2], np.broadcast_to(t.nabla_w[2][0], (3, 2)),
                               rtol=1e-15, atol=0)
    np.testing.assert_allclose(t.a[2], [0.5, 0.5, 0.5], rtol=1e-15)


def test_activation_given_once_applies_to_every_layer():
    net = Network.random([2, 3, 3, 1], activations="tanh")
    assert net.activations.values() == ("tanh", "tanh", "tanh")
    assert dict(net.activations) == {2: "tanh", 3: "tanh", 4: "tanh"}
