"""What the AppTest page tests share: the app's page files, a fresh session opened on a page,
the page guard's apology checked for, and the figures a page sent, decoded."""

import base64
import json
import re
from pathlib import Path

import numpy as np
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest

from backprop.explain.notation import QUANTITIES

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
NETWORK = str(ROOT / "pages/1_Network.py")
STEP = str(ROOT / "pages/2_Step_through.py")
GRADIENT = str(ROOT / "pages/3_Gradient_check.py")
PAGES = {"app": None, "network": NETWORK, "step": STEP, "gradient": GRADIENT}
APOLOGY = "Sorry, something went wrong"


def open_page(page="app"):
    """A fresh session, run on app.py and then switched to ``page``."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    if PAGES[page]:
        at.switch_page(PAGES[page]).run()
    assert_clean(at)
    return at


def text_of(alert):
    """What an st.error shows: its Markdown source with the escapes of explorer.messages.plain
    taken out."""
    return re.sub(r"\\(.)", r"\1", alert.value)


def assert_clean(at):
    """No exception, and no apology from the page guard (frame.page turns errors into one)."""
    assert not at.exception, [e.value for e in at.exception]
    apologies = [e.value for e in at.error if APOLOGY in e.value]
    assert not apologies, apologies


def decode(v):
    """A Plotly array: plotly >= 6 sends numeric arrays as base64 {"dtype","bdata","shape"}."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape([int(n) for n in v["shape"].split(",")]) if "shape" in v else a
    return np.asarray(v)


def charts(at):
    """The page's figures as dicts, by the chart's key: those of st.plotly_chart, and those
    of the Step page's own chart (explorer/figures/chart.py, a component AppTest does not know)."""
    figs = {user_key_from_element_id(c.proto.id): json.loads(c.proto.spec)
            for c in at.get("plotly_chart")}
    figs.update({user_key_from_element_id(c.proto.id): json.loads(c.proto.json)["fig"]
                 for c in at.get("bidi_component") if c.proto.component_name == "explorer.plot"})
    return figs


def heatmaps(fig):
    """{(quantity, l): (heatmap trace, its cells' click targets {"customdata", "text"})}:
    a figure's cells share one scatter of click targets, each carrying (quantity index,
    l, j, k) and its hover label."""
    (layer,) = [t for t in fig["data"] if t["type"] == "scatter" and "customdata" in t]
    cd = decode(layer["customdata"]).reshape(-1, 4).astype(int)
    out = {}
    for t in fig["data"]:
        if t["type"] == "heatmap":
            q, l = t["meta"]["quantity"], t["meta"]["l"]
            on = (cd[:, 0] == QUANTITIES.index(q)) & (cd[:, 1] == l)
            out[(q, l)] = (t, {"customdata": cd[on],
                               "text": [x for x, o in zip(layer["text"], on) if o]})
    return out


def column_with(at, key):
    """The innermost st.columns column that holds the table ``key``."""
    found = [c for c in at.columns if any(d.key == key for d in c.get("dataframe"))]
    assert found, key
    return min(found, key=lambda c: len(c.get("dataframe")))



def same_network(a, b):
    assert a.sizes == b.sizes
    assert dict(a.activations) == dict(b.activations) and a.cost == b.cost
    for l in a.w:
        np.testing.assert_array_equal(a.w[l], b.w[l])
        np.testing.assert_array_equal(a.b[l], b.b[l])
