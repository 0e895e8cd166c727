"""The Gradient check page's "Why backpropagation is fast": the passes each way takes,
counted for the sidebar's network, and both ways timed on request (tables.speed_rows,
figures.network.speed_figure); backprop.passes and time_gradients underneath."""

import plotly.graph_objects as go
import pytest
from helpers.apptest import assert_clean, charts, open_page

from backprop import Network, passes, time_gradients
from explorer import tables
from explorer.figures import network


@pytest.mark.parametrize("sizes, p", [([2, 2, 2], 2 * 2 + 2 + 2 * 2 + 2),
                                      ([2, 3, 2], 2 * 3 + 3 + 3 * 2 + 2),
                                      ([784, 30, 10], 784 * 30 + 30 + 30 * 10 + 10)])
def test_the_passes_each_way_takes(sizes, p):
    """P weights and biases: backpropagation 1 forward + 1 backward pass, central
    differences 2 forward passes each (784-30-10: 23,860 and 47,720)."""
    assert passes(Network.random(sizes, seed=0)) == (p, 2, 2 * p)


def test_both_ways_are_timed_and_the_repeats_bounded():
    net = Network.random([2, 4, 2], seed=0)
    t_bp, t_fd = time_gradients(net, [0.1, 0.2], [0.3, 0.4], repeat=2)
    assert 0 < t_bp and 0 < t_fd
    for bad in (0, 21, 1.5, "3"):
        with pytest.raises(ValueError, match="repeat"):
            time_gradients(net, [0.1, 0.2], [0.3, 0.4], repeat=bad)


def test_rows_and_figure():
    nets = [(f"2-{n}-{n}-2", (Network.random([2, n, n, 2], seed=0), [0.1, 0.2], [0.3, 0.4]))
            for n in (1, 3)]
    rows = tables.speed_rows(nets, repeat=1)
    assert [r["P"] for r in rows] == [9, 29]
    assert [r["differences passes"] for r in rows] == [18, 58]
    assert all(r["backprop passes"] == 2 and r["backprop ms"] > 0 for r in rows)
    assert all(r["times faster"] == pytest.approx(r["differences ms"] / r["backprop ms"])
               for r in rows)
    fig = network.speed_figure(rows)
    go.Figure(fig)
    assert [t["x"] for t in fig["data"]] == [[9, 29], [9, 29]]
    assert fig["data"][1]["y"] == [r["differences ms"] for r in rows]


def test_the_page_counts_and_measures_on_request():
    at = open_page("gradient")
    text = "\n".join(m.value for m in at.markdown)
    p, _, fd = passes(at.session_state["net"])
    assert f"This network has **{p}** weights and biases" in text
    assert f"two forward passes per parameter: {fd}**" in text
    tables_before = len(at.dataframe)
    assert "chart_speed" not in charts(at)          # nothing timed yet
    at.button(key="speed_go").click().run()
    assert_clean(at)
    assert len(at.dataframe) == tables_before + 1
    rows = at.dataframe[-1].value
    assert list(rows["network"]) == ["this network", "2-1-1-2", "2-2-2-2", "2-4-4-2",
                                     "2-8-8-2", "2-12-12-2", "2-16-16-2"]
    assert list(rows["P"]) == [p] + [2 * n + n + n * n + n + 2 * n + 2
                                     for n in (1, 2, 4, 8, 12, 16)]
    assert (rows["backprop ms"] > 0).all() and (rows["differences ms"] > 0).all()
    assert "chart_speed" in charts(at)
