"""The cost history of gradient descent (Gradient check page) belongs to one network, one
cost and one example: a change that is not a descent step starts it afresh, a failed step
leaves it as it was, and the change shown is always the last step's (issue 7, item 1)."""

import numpy as np
import pytest
from helpers.apptest import GRADIENT, NETWORK, assert_clean, charts, decode, open_page, same_network
from numpy.testing import assert_allclose

from backprop import Network
from explorer import files
from explorer.history import History


def metric(at):
    m = at.metric[0]
    return float(m.value), (None if not m.proto.delta else float(m.proto.delta))


def history_points(at):
    chart = charts(at).get("chart_history")
    return None if chart is None else decode(chart["data"][0]["y"]).astype(float)


def test_repro_a_a_new_cost_starts_the_history_afresh():
    at = open_page("gradient")
    net0, x, y = at.session_state["net"], at.session_state["x"], at.session_state["y"]
    at.button(key="sgd1").click().run()
    net1 = net0.sgd_step(x, y, 0.5)
    cost, change = metric(at)
    assert_allclose(cost, 0.280471, atol=5e-7)          # the figures of the review
    assert_allclose(change, -0.0179, atol=5e-5)
    assert_allclose(change, net1.cost_of(x, y) - net0.cost_of(x, y), rtol=1e-2)

    at.selectbox(key="_cost").select("cross_entropy").run()
    assert_clean(at)
    cost, change = metric(at)
    assert_allclose(cost, 1.55682, atol=5e-6)
    assert change is None, "no step was taken with this cost"
    assert history_points(at) is None, "the chart showed the quadratic costs"

    at.button(key="sgd1").click().run()
    assert_clean(at)
    ce = net1.replace(cost="cross_entropy")
    ce2 = ce.sgd_step(x, y, 0.5)
    cost, change = metric(at)
    assert_allclose(cost, 1.12155, atol=5e-6)
    assert_allclose(change, -0.435, atol=5e-4)
    assert_allclose(history_points(at), [ce.cost_of(x, y), ce2.cost_of(x, y)], rtol=1e-12)


def test_repro_b_an_edited_weight_starts_the_history_afresh():
    at = open_page("gradient")
    at.button(key="sgd1").click().run()
    at.switch_page(NETWORK).run()
    v = at.session_state["version"]
    at.session_state[f"w2_{v}"] = {"edited_rows": {"0": {"k=1": "2.5"}}, "added_rows": [],
                                   "deleted_rows": []}
    at.run()
    assert_clean(at)
    assert at.session_state["net"].w[2][0, 0] == 2.5
    at.switch_page(GRADIENT).run()
    assert_clean(at)
    cost, change = metric(at)
    assert_allclose(cost, 0.281382, atol=5e-7)
    assert change is None
    assert history_points(at) is None
    # the next step starts a history of its own
    net, x, y = at.session_state["net"], at.session_state["x"], at.session_state["y"]
    at.button(key="sgd1").click().run()
    assert_allclose(history_points(at), [net.cost_of(x, y),
                                         net.sgd_step(x, y, 0.5).cost_of(x, y)], rtol=1e-12)


def linear_221():
    net = Network([[[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], "linear",
                  "quadratic")
    return files.dumps(net, [1.0, 1.0], [0.0]).encode()


def test_repro_c_a_failed_step_leaves_the_history_and_the_change_alone():
    at = open_page("network")
    at.file_uploader(key="_upload").upload("lin.json", linear_221(), "application/json").run()
    at.switch_page(GRADIENT).run()
    at.number_input(key="_eta").set_value(0.01).run()
    at.button(key="sgd1").click().run()
    assert_clean(at)
    net1 = at.session_state["net"]
    first = history_points(at)
    cost1, change1 = metric(at)
    assert len(first) == 2 and change1 < 0
    at.number_input(key="_eta").set_value(100.0).run()
    for _ in range(3):
        at.button(key="sgd10").click().run()
        assert_clean(at)
        assert any("No step taken" in e.value for e in at.error)
        same_network(at.session_state["net"], net1)
        assert_allclose(history_points(at), first, rtol=0, atol=0)
        assert metric(at) == (cost1, change1)


def test_a_new_example_starts_the_history_afresh():
    at = open_page("gradient")
    at.button(key="sgd1").click().run()
    at.switch_page(NETWORK).run()
    v = at.session_state["version"]
    at.session_state[f"x_{v}"] = {"edited_rows": {"0": {"x": "0.5"}}, "added_rows": [],
                                  "deleted_rows": []}
    at.run()
    at.switch_page(GRADIENT).run()
    assert metric(at)[1] is None and history_points(at) is None


def test_a_change_and_its_undo_still_start_afresh():
    """Once the network was another, the old steps are gone even if the edit is undone."""
    at = open_page("gradient")
    at.button(key="sgd1").click().run()
    at.selectbox(key="_cost").select("cross_entropy").run()
    at.selectbox(key="_cost").select("quadratic").run()
    assert metric(at)[1] is None and history_points(at) is None


# --- the record itself -------------------------------------------------------------------

def hand():
    net = Network([[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
                  [[0.35, 0.35], [0.60, 0.60]], "sigmoid", "quadratic")
    return net, np.array([0.05, 0.10]), np.array([0.01, 0.99])


def test_descend_appends_one_cost_per_step_and_belongs_to_the_result():
    net, x, y = hand()
    net3, h = History.start(net, x, y).descend(3, 0.5)
    expected, n = [net.cost_of(x, y)], net
    for _ in range(3):
        n = n.sgd_step(x, y, 0.5)
        expected.append(n.cost_of(x, y))
    assert_allclose(h.costs, expected, rtol=1e-15)
    same_network(net3, n)
    assert h.belongs_to(net3, x, y) and not h.belongs_to(net, x, y)
    assert not h.belongs_to(net3, x, y + 0.1)
    assert not h.belongs_to(net3.replace(cost="cross_entropy"), x, y)
    assert_allclose(h.change, expected[-1] - expected[-2], rtol=1e-15)
    assert History.start(net, x, y).change is None


@pytest.mark.parametrize("eta", [1e3, 1e5])
def test_a_step_that_overflows_raises_and_changes_nothing(eta):
    net = Network([[[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], "linear")
    x, y = np.ones(2), np.zeros(1)
    h = History.start(net, x, y)
    with pytest.raises(ValueError, match="No step taken"):
        h.descend(10, eta)
    assert h.costs == (net.cost_of(x, y),)


def test_the_history_keeps_its_last_points():
    net, x, y = hand()
    h = History.start(net, x, y)
    for _ in range(3):
        net, h = h.descend(100, 0.01)
    assert len(h.costs) == History.MAX_POINTS
    assert_allclose(h.costs[-1], net.cost_of(x, y), rtol=1e-15)
