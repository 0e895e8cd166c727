"""What the AppTest page tests share: the app's page files, a fresh session opened on a page,
the page guard's apology checked for, the figures a page sent, decoded, and what the Step
page's component (explorer/figures/chart.py, "explorer.stepper") shows at its step.

The Step page sends every step of the example at once; the browser steps through them.
These helpers read the component's data and work out what the browser shows at the step it
is on (``shown_step``), as chart.js does: the heading, the equations, the derivation, the
outlines and the network figure with what is not yet computed greyed out."""

import base64
import copy
import json
import re
from pathlib import Path

import numpy as np
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest

from backprop.explain.notation import QUANTITIES
from explorer.figures import heatmap
from explorer.figures.heatmap import GREY

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
NETWORK = str(ROOT / "pages/1_Network.py")
STEP = str(ROOT / "pages/2_Step_through.py")
GRADIENT = str(ROOT / "pages/3_Gradient_check.py")
PAGES = {"app": None, "network": NETWORK, "step": STEP, "gradient": GRADIENT}
APOLOGY = "Sorry, something went wrong"


def open_page(page="app", query=None):
    """A fresh session, run on app.py with the address's ``query`` and then switched to
    ``page`` (a key of PAGES, or a page file's path)."""
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    target = PAGES.get(page, page)
    if target:
        at.switch_page(target).run()
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
    """The page's figures as dicts, by the chart's key: those of st.plotly_chart, and on the
    Step page the figures its component shows at its step: "chart_network", the network
    figure as the browser draws it (``shown_network``), and "chart_focus", the figure beside
    the equation, if the step has one."""
    figs = {user_key_from_element_id(c.proto.id): json.loads(c.proto.spec)
            for c in at.get("plotly_chart")}
    data = stepper(at, required=False)
    if data is not None:
        k = data["step"]
        figs["chart_network"] = shown_network(data, k)
        if data["steps"][k]["figure"] is not None:
            figs["chart_focus"] = data["figures"][data["steps"][k]["figure"]]
    return figs


# --- the Step page's component --------------------------------------------------------------

STEPPER = "explorer.stepper"
NOT_YET = "not yet computed"


STEPPER_STATE = "explorer.stepper_state"


def stepper(at, required=True):
    """The data the Step page sent its component (explorer/step/payload.py and "id") with
    what changes from rerun to rerun ("step", "seq", "local", "picked"), which may come in
    a second component (explorer.stepper_state) of the same "id"; None if the page drew no
    stepper and not ``required``."""
    def sent(name):
        return [json.loads(c.proto.json) for c in at.get("bidi_component")
                if c.proto.component_name == name]
    found, state = sent(STEPPER), sent(STEPPER_STATE)
    assert len(found) <= 1 and len(state) <= 1, (len(found), len(state))
    assert found or not required, "the page drew no stepper"
    if not found:
        return None
    if state:
        assert state[0]["id"] == found[0]["id"], "the state of another payload"
        return {**found[0], **state[0]}
    return found[0]


def shown_step(at):
    """The step (0-based) the browser shows: the one the server sends as "step"."""
    data = stepper(at)
    assert 0 <= data["step"] <= data["upto"] < data["n"], (data["step"], data["upto"])
    return data["step"]


def shown_network(data, k):
    """The network figure as the browser draws it at step k: figures["network"] with the
    z/a/δ panels not in steps[k].known made unknown as explorer.figures.heatmap.Canvas.panel
    makes them (z all NaN, no printed numbers, meta.known False, a grey frame, hover texts
    "<symbol> = not yet computed"). w and b are always known; a panel the server sent as
    unknown stays so."""
    fig = copy.deepcopy(data["figures"]["network"])
    known = set(data["steps"][k]["known"])
    (cells,) = [t for t in fig["data"] if t["type"] == "scatter" and "customdata" in t]
    cd = decode(cells["customdata"]).reshape(-1, 4).astype(int)
    for t in fig["data"]:
        if t["type"] != "heatmap":
            continue
        q, l = t["meta"]["quantity"], t["meta"]["l"]
        if q in ("w", "b") or f"{q}:{l}" in known:
            continue
        t["z"] = heatmap.typed_array(np.full_like(decode(t["z"]), np.nan, dtype=float))
        for key in ("text", "texttemplate", "textfont"):
            t.pop(key, None)
        if t["meta"]["known"]:
            x, y = decode(t["x"]), decode(t["y"])
            fig["layout"]["shapes"].append({
                "type": "rect", "xref": "x", "yref": "y", "x0": float(x[0]),
                "x1": float(x[-1]), "y0": float(y[0]), "y1": float(y[-1]),
                "fillcolor": GREY, "line": {"width": 0}, "layer": "below"})
        t["meta"] = {**t["meta"], "known": False}
        on = (cd[:, 0] == QUANTITIES.index(q)) & (cd[:, 1] == l)
        cells["text"] = [f"{text.split(' = ')[0]} = {NOT_YET}" if o else text
                         for text, o in zip(cells["text"], on)]
    return fig


def subheader(at):
    """The step's heading, as chart.js writes it: "Step i of n · title"."""
    data = stepper(at)
    k = shown_step(at)
    return f"Step {k + 1} of {data['n']} · {data['steps'][k]['title']}"


def derivation(at):
    """The derivation the browser shows: that of a cell just picked at this step (the
    server's answer, "picked"), else the step's own. Either {"cell", "equation", "text",
    "lines", "uses"} or {"cell", "message", "tone"}."""
    data = stepper(at)
    k, picked = shown_step(at), data["picked"]
    return picked if picked and picked["step"] == k else data["steps"][k]["derivation"]


def latex(at):
    """Every LaTeX the page shows: the rule, shapes and numbers of the shown step and the
    lines of the derivation shown (typeset by the component), then the page's st.latex."""
    shown = [e.value for e in at.latex]
    data = stepper(at, required=False)
    if data is not None:
        step = data["steps"][shown_step(at)]
        tex = [step["rule"], step["shapes"]] + ([step["numbers"]] if step["numbers"] else [])
        shown = tex + list(derivation(at).get("lines", ())) + shown
    return "\n".join(shown)


def outlines(at):
    """{cell: "pick" | "use"} of the cells the browser outlines at its step, each cell as a
    (q, l, j, k) tuple: the picked cell and its uses after a pick, else the step's marks."""
    data = stepper(at)
    k, picked = shown_step(at), data["picked"]
    if picked and picked["step"] == k:
        marks = [[u, "use"] for u in picked.get("uses", ())] + [[picked["cell"], "pick"]]
    else:
        marks = data["steps"][k]["marks"]
    return {tuple(cell): style for cell, style in marks}


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


def _on_step(at, k, moved):
    """What the page's on_step(k, moved) does, the callback of the component's triggers
    "at" and "pick" (moved False: the browser is there already) and "step" (moved True,
    practice mode: the server moves the browser, ``seq``)."""
    ss = at.session_state
    if k != ss["step"]:
        ss["step"], ss["pick"] = k, None
    ss["_moved"] = True
    if moved:
        ss["_step_seq"] = (ss["_step_seq"] if "_step_seq" in ss else 0) + 1


def go_to(at, k):
    """Step to step index k (0-based) and rerun. With the steps in the browser (``local``)
    the browser steps alone and reports the step on screen (trigger "at") before the
    student works another widget; in practice mode a step is the trigger "step". AppTest
    cannot send a component's trigger: its callback's work (on_step) is done here."""
    _on_step(at, k, moved=not stepper(at)["local"])
    return at.run()


def pick(at, cell):
    """What a click on a cell of the component at the step it shows does (the trigger
    "pick" = {cell, step} → on_step, then on_pick): the cell, (q, l, j, k), in
    session_state.pick, marked new; then the rerun."""
    _on_step(at, shown_step(at), moved=False)
    at.session_state["pick"] = cell
    at.session_state["_pick_new"] = True
    return at.run()
