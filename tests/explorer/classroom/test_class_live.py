"""What the class pages show, from the store's records: the question's right value, the
tally, the histogram's bins and bars. Expected numbers worked out here by hand."""

import numpy as np
import plotly.graph_objects as go
import pytest

from backprop.practice.mistakes import MISTAKES
from explorer import files
from explorer.classroom import live
from explorer.classroom.store import Store
from explorer.presets import PRESETS

NET, X, Y = PRESETS["2-2-2 by hand"].make()
Z2_1 = 0.15 * 0.05 + 0.20 * 0.10 + 0.35          # 0.3775


def test_a_question_carries_its_network_and_right_value():
    network, right = live.question_of(NET, X, Y, 1, ("z", 2, 1, None))
    assert right == pytest.approx(Z2_1, rel=1e-15)
    net, x, y = files.loads(network)
    np.testing.assert_array_equal(net.w[2], NET.w[2])
    np.testing.assert_array_equal(x, X)


@pytest.mark.parametrize("step, cell", [(0, ("a", 1, 1, None)),      # the input is given
                                        (1, ("z", 3, 1, None)),      # not this step's cell
                                        (1, ("z", 2, 3, None)),      # no such neuron
                                        (99, ("z", 2, 1, None))])
def test_a_question_must_ask_a_cell_its_step_computes(step, cell):
    with pytest.raises(ValueError):
        live.question_of(NET, X, Y, step, cell)


def test_the_asked_question_and_a_judged_answer(tmp_path):
    s = Store(str(tmp_path / "c.db"))
    opened = s.open_class()
    network, right = live.question_of(NET, X, Y, 1, ("z", 2, 1, None))
    a = live.asked(s.ask(opened.cls.id, network, 1, ("z", 2, 1, None), right))
    assert a.step.kind == "z" and a.step.l == 2 and a.cell == ("z", 2, 1, None)
    value, d = live.judge(a, " 0.3775 ")
    assert value == 0.3775 and d.correct and live.mistake_id(d) is None
    value, d = live.judge(a, f"{Z2_1 - 0.35:.4f}")          # the bias left out
    assert not d.correct and live.mistake_id(d) == "bias_forgotten"
    for bad in ("abc", "nan", "1e999", "x" * 41, ""):
        with pytest.raises(ValueError):
            live.judge(a, bad)


ROWS = [("a", 1.0, True, None, "1"), ("b", 1.0004, True, None, "1.0004"),
        ("c", 2.0, False, "no_sigma_prime", "2.0"), ("d", 2.0, False, "no_sigma_prime", "2"),
        ("e", -1.0, False, "sign_flipped", "−1"), ("f", 7.0, False, None, "7e0")]


def test_the_tally_counts_answers_right_and_mistakes():
    t = live.tally(10, 8, ROWS)
    assert (t.joined, t.seen, t.answered, t.right) == (10, 8, 6, 2)
    assert t.share_right == pytest.approx(2 / 6)
    assert t.groups == ("right", "right", "mistake", "mistake", "mistake", "other")
    assert t.mistakes == ((MISTAKES["no_sigma_prime"], 2), (MISTAKES["sign_flipped"], 1))
    assert live.tally(3, 0, []).share_right is None


def test_bin_edges_hold_every_answer_and_the_right_value():
    edges = live.bin_edges([1.0, 2.0, -1.0, 7.0], 1.0)
    assert len(edges) == live.BINS + 1
    assert edges[0] < -1.0 and edges[-1] > 7.0
    # all answers right: still 20 tolerances wide (0.1 % of 1.0 → 0.02), centred on them
    edges = live.bin_edges([1.0, 1.0], 1.0)
    np.testing.assert_allclose(edges[-1] - edges[0], 0.02 * (1 + 1 / live.BINS), rtol=1e-12)
    # 2.5 % at either end are left out from 40 answers on: one far answer of 40
    edges = live.bin_edges([0.0] * 39 + [1e6], 0.0)
    assert edges[-1] < 1.0


def test_the_histogram_stacks_the_groups_and_marks_the_right_value():
    t = live.tally(6, 6, ROWS)
    fig = live.histogram(t, 1.0)
    go.Figure(fig)                                           # a valid plotly figure
    bars = {tr["name"]: np.asarray(tr["y"]) for tr in fig["data"]}
    assert bars["right"].sum() == 2 and bars["a classic mistake"].sum() == 3
    assert bars["another number"].sum() == 1
    shape = fig["layout"]["shapes"][0]
    assert shape["x0"] == shape["x1"] == 1.0
    assert "right: 1" in fig["layout"]["annotations"][0]["text"]
    # the bar of the right answers sits where 1.0 is
    centres = np.asarray(fig["data"][0]["x"])
    assert abs(centres[bars["right"].argmax()] - 1.0) <= fig["data"][0]["width"] / 2


def test_the_groups_differ_by_pattern_and_name_not_by_colour_alone():
    """Issue 23: right, a classic mistake and another number each have their own pattern
    and legend name, and keep their colour under the pattern."""
    fig = live.histogram(live.tally(6, 6, ROWS), 1.0)
    assert fig["layout"]["showlegend"] is True
    bars = fig["data"]
    assert [b["name"] for b in bars] == ["right", "a classic mistake", "another number"]
    shapes = [b["marker"]["pattern"]["shape"] for b in bars]
    assert len(set(shapes)) == len(bars)
    assert all(b["marker"]["pattern"]["fillmode"] == "overlay" for b in bars)
    assert [b["marker"]["color"] for b in bars] == [live.COLOURS[g] for g in live.COLOURS]
    # the hover names the group too
    assert all(b["hovertemplate"].endswith(f"<extra>{b['name']}</extra>") for b in bars)


def test_answers_far_out_are_counted_in_the_title():
    rows = [("s%d" % i, 0.0, True, None, "0") for i in range(39)] + [
        ("far", 1e6, False, None, "1e6")]
    fig = live.histogram(live.tally(40, 40, rows), 0.0)
    assert "1 beyond the range shown" in fig["layout"]["title"]["text"]
    assert sum(np.asarray(tr["y"]).sum() for tr in fig["data"]) == 39


def test_the_teachers_list_keeps_nicknames_and_answers_as_they_are():
    nick = "<b>x</b> **y**"
    assert live.who([(nick, 2.0, False, "no_sigma_prime", "2.000e0")]) == [
        {"nickname": nick, "answer": "2.000e0", "right": False,
         "mistake": MISTAKES["no_sigma_prime"]}]


@pytest.mark.parametrize("values, right, anchor", [([-0.3, 0.3, 0.3], 0.3, "right"),
                                                   ([-0.3, 0.3, 0.3], -0.3, "left"),
                                                   ([-0.3, 0.3], 0.0, "center")])
def test_the_right_values_label_stays_inside_the_plot(values, right, anchor):
    """A label centred on a line at the edge of the range would be cut in half."""
    rows = [(f"s{i}", v, v == right, None, str(v)) for i, v in enumerate(values)]
    fig = live.histogram(live.tally(3, 3, rows), right)
    assert fig["layout"]["annotations"][0]["xanchor"] == anchor


def test_the_cost_and_bp1_show_the_output_and_the_target(tmp_path):
    """The student needs aᴸ and y for Cₓ and δᴸ: y is in no figure."""
    s = Store(str(tmp_path / "c.db"))
    opened = s.open_class()
    network, right = live.question_of(NET, X, Y, 6, ("delta", 3, 1, None))
    latex = live.output_and_target(live.asked(s.ask(opened.cls.id, network, 6,
                                                    ("delta", 3, 1, None), right)))
    # a³ of the 2-2-2 by hand network, to 4 digits: σ(1.1059) = 0.7514, σ(1.2249) = 0.7729
    assert latex == (r"a^{3} = \begin{bmatrix}0.7514 \\ 0.7729\end{bmatrix}, \qquad "
                     r"y = \begin{bmatrix}0.01 \\ 0.99\end{bmatrix}")
