"""The Step page's own chart (explorer/figures/chart.py): what a click may send back, what the
page sends for each chart, and a click sent over a raw websocket as any client can."""

import json
import sys
from pathlib import Path

import pytest
from helpers.apptest import assert_clean, open_page
from streamlit.runtime.state.common import user_key_from_element_id

from backprop.explain.notation import QUANTITIES
from explorer.figures import chart
from explorer.presets import default_network
from explorer.step.picking import LABELS

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from benchmarks.loadclient import AppSession, run_sync  # noqa: E402

W, B, DELTA, NABLA_W, COST = (QUANTITIES.index(q) for q in ("w", "b", "delta", "nabla_w",
                                                              "cost"))


@pytest.mark.parametrize("value, want", [
    ([DELTA, 2, 1, 0], ("delta", 2, 1, None)),
    ([DELTA, 3, 2, 0], ("delta", 3, 2, None)),
    ([QUANTITIES.index("a"), 1, 2, 0], ("a", 1, 2, None)),     # the input layer has a
    ([W, 3, 2, 1], ("w", 3, 2, 1)),
    ([NABLA_W, 2, 1, 2], ("nabla_w", 2, 1, 2)),
    ([B, 2, 2, 0], ("b", 2, 2, None)),
    ([4.0, 2.0, 1.0, 0.0], ("delta", 2, 1, None)),    # JSON may carry 2 as 2.0
])
def test_pick_of_a_cell(value, want):
    net, _, _ = default_network()       # 2-2-2
    assert chart.pick_of(value, net) == want


@pytest.mark.parametrize("value", [
    None, "4,2,1,0", {"0": 4, "1": 2, "2": 1, "3": 0}, [DELTA, 2, 1], [DELTA, 2, 1, 0, 0],
    [DELTA, 2, "1", 0], [DELTA, 2, True, 0], [DELTA, 2, None, 0], [DELTA, 2, [1], 0],
    [DELTA, 2, 1.5, 0], [DELTA, 2, float("nan"), 0], [DELTA, 2, float("inf"), 0],
    [DELTA, 2, 10 ** 400, 0], [DELTA, 2, 1e300, 0],
    [-1, 2, 1, 0], [len(QUANTITIES), 2, 1, 0],          # no such quantity
    [DELTA, 1, 1, 0], [DELTA, 4, 1, 0], [W, 1, 1, 1],   # no such layer for it
    [DELTA, 2, 0, 0], [DELTA, 2, 3, 0], [W, 2, 1, 0], [W, 2, 1, 3],   # no such row/column
    [DELTA, 2, 1, 1],                                   # a vector has no column
    [COST, 3, 0, 0],                                    # the cost is no cell of a figure
])
def test_pick_of_refuses_what_is_no_cell(value):
    net, _, _ = default_network()
    assert chart.pick_of(value, net) is None


def step_charts(at):
    """{key: (element id, data)} of the Step page's charts."""
    return {user_key_from_element_id(c.proto.id): (c.proto.id, json.loads(c.proto.json))
            for c in at.get("bidi_component") if c.proto.component_name == "explorer.plot"}


def test_the_step_charts_are_one_element_each_for_every_step():
    """A chart keeps its element (its id does not depend on the figure) while its figure
    changes: that is what lets the browser keep the chart's div and draw it once."""
    at = open_page("step")
    before = step_charts(at)
    assert set(before) == {"chart_network"}        # step 1 has no figure beside it
    at.button(key="next").click().run()
    assert_clean(at)
    after = step_charts(at)
    assert set(after) == {"chart_network", "chart_focus"}
    assert after["chart_network"][0] == before["chart_network"][0]
    assert after["chart_network"][1]["fig"] != before["chart_network"][1]["fig"]
    assert not at.get("plotly_chart")


def test_the_chart_loads_plotly_js_from_the_plotly_package(server):
    """The address the chart loads plotly.js from is the file of the installed plotly
    package, served by Streamlit once the page has run."""
    from urllib.request import urlopen

    at = open_page("step")
    (_, data), = step_charts(at).values()
    assert data["src"] == chart.SRC

    async def visit():
        async with AppSession(server) as s:
            return await s.open("Step_through")
    assert run_sync(visit()).problems == []
    with urlopen(f"{server}/{data['src'].removeprefix('./')}", timeout=30) as r:
        body = r.read()
    assert body == (chart._PLOTLY_DIR / "plotly.min.js").read_bytes()


def test_a_click_sent_over_a_raw_websocket_picks_only_a_cell(server):
    """Whatever a client sends as the chart's click, the page answers without an error and
    keeps the cell it explains; a real cell's click changes it."""
    hostile = ["not json", json.dumps([{"event": "pick"}]),
               json.dumps([{"event": "pick", "value": [DELTA, 2, 99, 0]}]),
               json.dumps([{"event": "pick", "value": "x" * 100_000}]),
               json.dumps([{"event": "pick", "value": list(range(100_000))}]),
               json.dumps([{"event": "other", "value": [DELTA, 2, 1, 0]}]),
               json.dumps({"event": "pick", "value": [W, 9, 1, 1]})]

    async def main():
        async with AppSession(server) as s:
            run = await s.open("Step_through")
            assert run.problems == []
            start = s.value("_pq")
            for raw in hostile:
                run = await s.send_event("chart_network", "pick", raw=raw)
                assert run.problems == [], raw[:80]
                assert s.value("_pq") == start, raw[:80]
            # Nested deeper than Python's recursion limit, the text makes Streamlit's own
            # json.loads fail before any code of the app runs (as it would for any JSON
            # widget with a callback, st.plotly_chart's selection included). The page
            # shows Streamlit's redacted notice, never Python's text, and the next run
            # is as before.
            run = await s.send_event("chart_network", "pick", raw="[" * 5000 + "]" * 5000)
            assert not any("Recursion" in p or "Traceback" in p for p in run.problems)
            run = await s.rerun()
            assert run.problems == [] and s.value("_pq") == start
            run = await s.send_event("chart_network", "pick", [DELTA, 2, 1, 0])
            assert run.problems == []
            return start, s.value("_pq"), s.value("_pl"), s.value("_pj")

    start, q, l, j = run_sync(main())       # the selectboxes show their labels
    assert start != LABELS["delta"]
    assert (q, l, j) == (LABELS["delta"], "2", 1)
