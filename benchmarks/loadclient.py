"""A Streamlit client that speaks the app's websocket protocol directly, for load and
isolation tests: no browser, so a hundred of them fit on a laptop.

The browser and the server talk protobuf over ``ws://HOST:PORT/_stcore/stream``
(subprotocol "streamlit"). The browser sends ``BackMsg.rerun_script`` (a ClientState: the
page, and the value of every widget it shows); the server answers with a stream of
``ForwardMsg``: ``new_session``, one ``delta`` per element, and ``script_finished``.
This client does what the browser does with them:

- it keeps the value of every widget it has been shown (the proto's ``value`` when the
  script set it, else the ``default``) and sends them all with every rerun, plus
  ``trigger_value`` for a clicked button;
- it caches the large elements the server marks ``cacheable``, reports their hashes in
  ``cached_message_hashes``, and resolves the ``ref_hash`` messages that then come back.

Widgets are found by their user key, which Streamlit embeds in the widget id.

Like a browser, a session first loads the page over HTTP and keeps its cookies (a proxy's
affinity cookie, Streamlit's XSRF cookie), then opens the websocket with them and with an
Origin header, which Streamlit checks against the Host header. Streamlit 1.67 needs no
XSRF token to open a websocket (it reads one only to trust a login cookie); the token goes
in the subprotocol list, with the session id, only when reconnecting to a session.
"""

import asyncio
import base64
import concurrent.futures
import json
import time
from dataclasses import dataclass, field

import numpy as np
import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.runtime.state.common import user_key_from_element_id

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
RUN_TIMEOUT = 60.0       # seconds one script run may take before the client gives up
CACHE_AGE = 2            # runs a cached message may go unused before it is dropped


def stream_url(base):
    """``ws://host:port/_stcore/stream`` for a base URL such as ``http://127.0.0.1:8501``."""
    base = base.rstrip("/")
    if base.startswith("http"):
        base = "ws" + base[4:]
    return base + "/_stcore/stream"


def decode(v):
    """A Plotly JSON array as numpy: plotly >= 6 sends {"dtype", "bdata", "shape"}."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape([int(n) for n in str(v["shape"]).split(",")]) if "shape" in v else a
    return np.asarray(v, dtype=np.float64)


@dataclass
class Run:
    """What one script run sent back."""

    latency: float                  # seconds from the request to script_finished
    elements: list                  # (delta_path, Element), in page order
    page_script_hash: str
    problems: list = field(default_factory=list)   # exceptions, st.error, not-found

    def of_type(self, kind):
        return [e for _, e in self.elements if e.WhichOneof("type") == kind]

    def charts(self):
        """The figures of this run's st.plotly_chart elements, as dicts."""
        return [json.loads(e.plotly_chart.spec) for e in self.of_type("plotly_chart")]


@dataclass
class Widget:
    id: str
    kind: str        # the Element field: "button", "slider", "number_input", ...
    proto: object
    fragment: str = ""   # the st.fragment it is drawn in, if any


class Disconnected(Exception):
    pass


class AppSession:
    """One browser tab: a websocket session with its widget values and message cache.

    ``async with AppSession(base_url) as s: run = await s.open("Step_through")``.
    """

    def __init__(self, base_url, browser=True, cookies=None):
        self.base = base_url.rstrip("/")
        self.url = stream_url(self.base)
        self.browser = browser
        self.cookies = dict(cookies or {})     # e.g. a proxy's affinity cookie, preset
        self.auto_reruns = {}    # fragment id -> seconds: the fragments that rerun by themselves
        self.ws = None
        self.session_id = ""
        self.page_script_hash = ""
        self.widgets = {}        # user key -> Widget, from the last run
        self.values = {}         # widget id -> WidgetState the browser would send
        self.page = {}           # delta path -> (Element, fragment id): what is shown
        self._cache = {}         # message hash -> [ForwardMsg, last run it was used]
        self._runs = 0
        self.query = ""          # the address's query string, as the page last set it
        self.auto_reruns = {}    # fragment id -> seconds: st.fragment(run_every=...) timers

    async def __aenter__(self):
        if self.browser:
            self.cookies.update(await asyncio.to_thread(_get_cookies, self.base + "/",
                                                        self.cookies))
        await self._connect()
        return self

    async def _connect(self, resume=False):
        # The browser's subprotocol list: "streamlit", its XSRF token, and the id of the
        # session it wants back after a reconnect.
        protocols = ["streamlit"]
        if resume:
            protocols += [self.cookies.get("_streamlit_xsrf", "none"), self.session_id]
        headers = {}
        if self.browser:     # what a browser sends: the page's origin and its cookies
            headers["Origin"] = self.base
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.ws = await websockets.connect(
            self.url, subprotocols=protocols, max_size=None, compression=None,
            additional_headers=headers, open_timeout=30, ping_interval=None)

    async def reconnect(self):
        """Drop the websocket and open a new one asking for the same session, as the
        browser does after a network blip; then rerun, as it does."""
        await self.close()
        await self._connect(resume=True)
        return await self._rerun()

    async def __aexit__(self, *exc):
        await self.close()

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def open(self, page_name="", query=""):
        """Load a page by its URL path (``"Step_through"``; "" is the main page), with the
        query string of its address (``"code=ABCDEF"``), sent again with every rerun."""
        self.query = query
        return await self._rerun(page_name=page_name)

    async def tick(self, fragment):
        """What the browser sends every ``run_every`` seconds: rerun that fragment."""
        return await self._rerun(fragment=fragment, auto=True)

    async def rerun(self):
        return await self._rerun()

    async def click(self, key):
        """Click the button with this key (a widget in an ``st.fragment`` reruns only
        that fragment, as in the browser)."""
        w = self.widget(key, "button")
        return await self._rerun(trigger=w.id, fragment=w.fragment)

    async def auto_rerun(self):
        """Rerun the page's first ``run_every`` fragment, as the browser's timer does."""
        if not self.auto_reruns:
            raise KeyError("no fragment on the page reruns by itself")
        return await self._rerun(fragment=next(iter(self.auto_reruns)), auto=True)

    async def set(self, key, value):
        """Set a slider, number_input, selectbox, checkbox or text_input to ``value`` and
        rerun."""
        w = self.widget(key)
        self.values[w.id] = _state(w, value)
        return await self._rerun(fragment=w.fragment)

    async def set_raw(self, key, **value):
        """Send any value for the widget with this key, as a client (not only a browser)
        can: ``set_raw("x_1", string_value='{"added_rows": [...]}')``; then rerun."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        w = self.widget(key)
        self.values[w.id] = WidgetState(id=w.id, **value)
        return await self._rerun(fragment=w.fragment)

    async def send_event(self, key, event, value=None, raw=None):
        """Send an event of the component with this key, as its JavaScript's
        ``setTriggerValue(event, value)`` does; ``raw`` is any text sent in place of the
        JSON the browser would send, as a client (not only a browser) can. Then rerun."""
        from streamlit.components.v2.bidi_component.main import _make_trigger_id
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        w = self.widget(key, "bidi_component")
        payload = json.dumps([{"event": event, "value": value}]) if raw is None else raw
        event_state = WidgetState(id=_make_trigger_id(w.id, "events"),
                                  json_trigger_value=payload)
        return await self._rerun(fragment=w.fragment, extra=event_state)

    def table(self, key):
        """The table (an st.dataframe or st.data_editor with this key) as the page shows
        it: a pandas DataFrame read from the Arrow data the server sent."""
        import pyarrow as pa

        proto = self.widget(key, "dataframe").proto
        with pa.ipc.open_stream(proto.arrow_data.data) as reader:
            return reader.read_pandas()

    def fill(self, key, value):
        """Type ``value`` into a widget without a rerun, as in a form before its submit."""
        w = self.widget(key)
        self.values[w.id] = _state(w, value)

    def widget(self, key, kind=None):
        w = self.widgets.get(key)
        if w is None or (kind and w.kind != kind):
            raise KeyError(f"no {kind or 'widget'} with key {key!r} on the page; keys: "
                           f"{sorted(self.widgets)}")
        return w

    def value(self, key):
        """The widget's value as the browser holds it now."""
        st = self.values.get(self.widget(key).id)
        if st is None:
            return None
        which = st.WhichOneof("value")
        v = getattr(st, which)
        return list(v.data) if which.endswith("array_value") else v

    def rerun_message(self, page_name="", trigger=None, fragment="", auto=False, extra=None):
        """The serialized BackMsg of a rerun, as the browser sends it: every widget's state,
        a button's trigger, another widget state ``extra``, the cached messages' hashes."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.page_script_hash = self.page_script_hash
        cs.page_name = page_name if not self.page_script_hash else ""
        cs.fragment_id = fragment
        cs.query_string = self.query
        cs.is_auto_rerun = auto
        for st in self.values.values():
            cs.widget_states.widgets.add().CopyFrom(st)
        if trigger:
            cs.widget_states.widgets.add(id=trigger, trigger_value=True)
        if extra is not None:
            cs.widget_states.widgets.add().CopyFrom(extra)
        cs.cached_message_hashes.extend(self._cache)
        return msg.SerializeToString()

    async def _rerun(self, page_name="", trigger=None, fragment="", auto=False, extra=None):
        t0 = time.perf_counter()
        await self.ws.send(self.rerun_message(page_name, trigger, fragment, auto, extra))
        run = await asyncio.wait_for(self._read_run(), RUN_TIMEOUT)
        run.latency = time.perf_counter() - t0
        return run

    async def _read_run(self):
        elements, problems, page_hash = self.page, [], ""
        self._runs += 1
        while True:
            try:
                data = await self.ws.recv()
            except websockets.ConnectionClosed as e:
                raise Disconnected(f"the server closed the websocket: {e}") from None
            fm = ForwardMsg()
            fm.ParseFromString(data)
            if fm.HasField("ref_hash"):
                cached = self._cache.get(fm.ref_hash)
                if cached is None:
                    problems.append(f"server referred to uncached message {fm.ref_hash}")
                    continue
                cached[1] = self._runs
                full = ForwardMsg()
                full.CopyFrom(cached[0])
                full.metadata.CopyFrom(fm.metadata)
                fm = full
            elif fm.metadata.cacheable and fm.hash:
                self._cache[fm.hash] = [fm, self._runs]
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                # A full run redraws the page; a fragment run redraws its fragments only.
                fragments = set(fm.metadata.run.fragment_ids)
                if not fragments:        # the browser drops its timers; the run re-adds them
                    self.auto_reruns = {}
                for path in [p for p, (_, f) in elements.items()
                             if not fragments or f in fragments]:
                    del elements[path]
                self.session_id = fm.new_session.initialize.session_id or self.session_id
                page_hash = page_hash or fm.new_session.page_script_hash
            elif kind == "auto_rerun":
                self.auto_reruns[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                for fid in fm.stop_auto_rerun.fragment_ids:
                    self.auto_reruns.pop(fid, None)
            elif kind == "navigation":
                # With a pages/ folder new_session names the main script; navigation
                # names the page that runs, which the browser then sends back.
                page_hash = fm.navigation.page_script_hash
            elif kind == "auto_rerun":
                self.auto_reruns[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "page_not_found":
                problems.append(f"page not found: {fm.page_not_found.page_name!r}")
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                elements[tuple(fm.metadata.delta_path)] = (el, fm.delta.fragment_id)
                etype = el.WhichOneof("type")
                if etype == "exception":
                    problems.append(f"exception shown: {el.exception.type}: "
                                    f"{el.exception.message[:200]}")
                elif etype == "alert" and el.alert.format == Alert.ERROR:
                    problems.append(f"error shown: {el.alert.body[:200]}")
            elif kind == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue    # st.rerun(): the same request goes on with a new run
                if status not in FINISHED:
                    problems.append(f"script finished with status {status}")
                break
        self.page_script_hash = page_hash or self.page_script_hash
        ordered = [(p, e) for p, (e, _) in sorted(elements.items())]
        self._remember_widgets(ordered, {p: f for p, (_, f) in elements.items()})
        self._cache = {h: v for h, v in self._cache.items() if self._runs - v[1] < CACHE_AGE}
        return Run(0.0, ordered, self.page_script_hash, problems)

    def _remember_widgets(self, elements, fragments):
        """Mirror the browser: new widgets start at their default, the script's own
        assignments (``set_value``) win, and widgets no longer shown are forgotten."""
        widgets, values = {}, {}
        for path, el in elements:
            kind = el.WhichOneof("type")
            proto = getattr(el, kind)
            wid = getattr(proto, "id", "")
            if not wid:
                continue
            key = user_key_from_element_id(wid)
            if key is not None:
                widgets[key] = Widget(wid, kind, proto, fragments[path])
            old = self.values.get(wid)
            if getattr(proto, "set_value", False) or old is None:
                st = _state(Widget(wid, kind, proto), _proto_value(kind, proto))
                if st is not None:
                    values[wid] = st
            else:
                values[wid] = old
        self.widgets, self.values = widgets, values


def _get_cookies(url, cookies=None):
    """The cookies a browser keeps from loading ``url`` (nginx's affinity cookie, the
    XSRF cookie), sending ``cookies`` it already has."""
    from http.cookies import SimpleCookie
    from urllib.request import Request, urlopen

    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    with urlopen(Request(url, headers=headers), timeout=30) as r:
        r.read()
        jar = SimpleCookie()
        for header in r.headers.get_all("Set-Cookie") or ():
            jar.load(header)
    return {k: m.value for k, m in jar.items()}


def _proto_value(kind, p):
    """The value a widget shows: what the script set, else its default."""
    set_ = getattr(p, "set_value", False)
    if kind == "slider":
        return list(p.value if set_ else p.default)
    if kind == "number_input":
        if set_:
            return p.value if p.HasField("value") else None
        return p.default if p.HasField("default") else None
    if kind == "selectbox":
        if set_:
            return p.raw_value
        return p.options[p.default] if p.HasField("default") and p.options else None
    if kind == "checkbox":
        return p.value if set_ else p.default
    if kind == "text_input":
        if set_:
            return p.value if p.HasField("value") else None
        return p.default if p.HasField("default") else None
    return None


def _state(w, value):
    """The WidgetState the browser sends for widget ``w`` holding ``value``."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    st = WidgetState(id=w.id)
    if value is None:
        return None
    if w.kind == "slider":
        st.double_array_value.data.extend(
            float(v) for v in (value if isinstance(value, (list, tuple)) else [value]))
    elif w.kind == "number_input":
        if w.proto.data_type == NumberInput.INT:
            st.int_value = int(value)
        else:
            st.double_value = float(value)
    elif w.kind == "selectbox":
        st.string_value = str(value)
    elif w.kind == "checkbox":
        st.bool_value = bool(value)
    elif w.kind == "text_input":
        st.string_value = str(value)
    else:
        return None
    return st


# The Step-through scenario: the Step page that steps in the browser (issue 21) ----------

PAGE = "Step_through"                   # pages/2_Step_through.py
STEPPER = "stepper"                     # the key of the Step page's component of steps
STEPPER_NAME = "explorer.stepper"       # its name: the steps, the same at every rerun
STATE_NAME = "explorer.stepper_state"   # the invisible one: the step, the picked cell
# What a student does that reaches the server: "at", the browser reports the step it shows
# after a few Next presses (sent once, before the student works another widget); "pick",
# a click on a cell of the step shown; "seed", the sidebar's seed; "jump", the slider
# dragged to any step, then reported with "at". Next, Prev and the slider send nothing.
ACTIONS = ("at", "pick", "seed", "at", "pick", "jump", "pick", "at")
NEXT_PRESSES = 2                        # Next presses before an "at"
RTOL, ATOL = 1e-9, 1e-12                # the page sends float64: only rounding may differ


def components(session):
    """{name: data as JSON text} of the v2 components the session's page shows now."""
    return {e.bidi_component.component_name: e.bidi_component.json
            for e, _ in session.page.values() if e.WhichOneof("type") == "bidi_component"}


def heatmaps_of(fig):
    """(meta, z) of every heatmap of a figure dict whose ``meta`` names a quantity and l."""
    out = []
    for tr in fig.get("data", ()):
        meta = tr.get("meta")
        if tr.get("type") == "heatmap" and isinstance(meta, dict) and "quantity" in meta:
            out.append((meta, np.atleast_2d(decode(tr["z"]).astype(np.float64))))
    return out


def random_cell(net, rng):
    """A cell a student clicks, as the component sends it: [index in QUANTITIES, l, j, k],
    k = 0 for a vector; any quantity a figure shows (the cost has no cell)."""
    from backprop.explain.notation import QUANTITIES

    q = rng.choice([q for q in QUANTITIES if q != "cost"])
    l = rng.randint(1 if q == "a" else 2, net.L)
    k = rng.randint(1, net.sizes[l - 2]) if q in ("w", "nabla_w") else 0
    return [QUANTITIES.index(q), l, rng.randint(1, net.sizes[l - 1]), k]


class Expected:
    """What the Step-through page should show, worked out with ``backprop`` alone.

    A new session starts with ``explorer.presets.default_network()``; a new seed draws new
    weights for the same sizes, activations and cost (the sidebar's "Seed", with the
    default "standard" initialisation), keeping the example (x, y).
    """

    def __init__(self):
        from explorer.presets import default_network

        self.net, self.x, self.y = default_network()
        self._example = None

    def load_preset(self, name):
        from explorer.presets import PRESETS

        self.net, self.x, self.y = PRESETS[name].make()

    def reseed(self, seed):
        from backprop import Network

        net = self.net
        self.net = Network.random(list(net.sizes), list(net.activations.values()), net.cost,
                                  seed=int(seed), init="standard")

    def example(self):
        """(trace, steps) of the network and example, worked out once for each network."""
        from backprop.explain.steps import steps

        if self._example is None or self._example[0] is not self.net:
            trace = self.net.backprop(self.x, self.y)
            self._example = (self.net, trace, steps(self.net, trace))
        return self._example[1:]

    def values(self, trace, q, l):
        v = getattr(self.net, q)[l] if q in ("w", "b") else getattr(trace, q)[l]
        return v.reshape(-1, 1) if v.ndim == 1 else v

    def check(self, shown, step=None):
        """Problems with the figures of ``shown`` (anything with ``heatmaps()``, a list of
        (meta, z)): every heatmap must hold the numbers of the quantity its meta names, and
        be grey (NaN) exactly when that quantity is not yet computed at ``step``."""
        from backprop.explain.steps import known

        maps = shown.heatmaps()
        if not maps:
            return ["no heatmap with a quantity in its meta"]
        trace, all_steps = self.example()
        done = known(all_steps, step) if step is not None else None
        return self._check_maps(maps, trace, done)

    def _check_maps(self, maps, trace, done):
        problems = []
        for meta, z in maps:
            q, l = meta["quantity"], int(meta["l"])
            try:
                v = self.values(trace, q, l)
            except (AttributeError, KeyError):
                problems.append(f"a heatmap of {q}^{l}, which this network does not have")
                continue
            if z.shape != v.shape and z.shape == v.T.shape:
                v = v.T                       # (a^{l−1})ᵀ drawn as a row
            shown = meta.get("known", True)
            if z.shape != v.shape:
                problems.append(f"{q}^{l} is {z.shape[0]}×{z.shape[1]}, expected "
                                f"{v.shape[0]}×{v.shape[1]}")
            elif shown and not np.allclose(z, v, rtol=RTOL, atol=ATOL):
                problems.append(f"{q}^{l} differs by up to {np.nanmax(np.abs(z - v)):.3g}: "
                                f"shows {np.round(z.ravel()[:4], 4)}..., expected "
                                f"{np.round(v.ravel()[:4], 4)}...")
            elif not shown and not np.isnan(z).all():
                problems.append(f"{q}^{l} is marked not yet computed but shows numbers")
            if done is not None and q not in ("w", "b") and shown != ((q, l) in done):
                problems.append(f"{q}^{l} is {'' if shown else 'not '}shown as computed")
        return problems

    def check_steps(self, data):
        """Problems with the steps' component data (outside practice mode, all steps):
        the steps' titles in order, the panels each step knows, and every heatmap of every
        figure sent (the network figure with all its z, a and δ panels, the focus figures)
        holding this network's numbers. Returns (problems, heatmaps checked)."""
        from backprop.explain.steps import known

        trace, all_steps = self.example()
        n, problems = len(all_steps), []
        if (data.get("n"), data.get("upto")) != (n, n - 1):
            problems.append(f"n, upto = {data.get('n')}, {data.get('upto')}; expected "
                            f"{n}, {n - 1}")
        titles = [s.get("title") for s in data.get("steps", ())]
        if titles != [s.title for s in all_steps]:
            problems.append(f"the steps' titles are {titles}, expected "
                            f"{[s.title for s in all_steps]}")
        for i, s in enumerate(data.get("steps", ())[:n]):
            want = sorted(f"{q}:{l}" for q, l in known(all_steps, i) if q in ("z", "a", "delta"))
            if s.get("known") != want:
                problems.append(f"step {i} knows {s.get('known')}, expected {want}")
        figures = data.get("figures", {})
        net = self.net
        panels = {(m["quantity"], int(m["l"])) for m, _ in heatmaps_of(figures.get("network", {}))}
        want = {(q, l) for q in ("z", "a", "delta") for l in range(1 if q == "a" else 2, net.L + 1)}
        if panels != want:
            problems.append(f"the network figure has the panels {sorted(panels)}, expected "
                            f"{sorted(want)}")
        maps = [hm for fig in figures.values() for hm in heatmaps_of(fig)]
        problems += self._check_maps(maps, trace, known(all_steps, n - 1))
        return problems, len(maps)

    def derivation(self, cell, step):
        """The derivation the server should send for ``cell`` ([q index, l, j, k] as the
        component sends it) picked at ``step``: explain's, once the cell is computed."""
        from backprop.explain import explain
        from backprop.explain.notation import QUANTITIES
        from backprop.explain.steps import known

        trace, all_steps = self.example()
        q, l, j, k = QUANTITIES[cell[0]], cell[1], cell[2], cell[3] or None
        if q in ("w", "b") or (q, l) in known(all_steps, step):
            d = explain(self.net, trace, q, l, j, k)
            return {"cell": [q, l, j, k], "equation": d.equation, "text": d.text,
                    "lines": list(d.lines), "uses": [list(u) for u in d.uses]}
        first = next(s.index for s in all_steps if (s.quantity, s.l) == (q, l))
        return {"cell": [q, l, j, k], "computed at": first}

    def check_picked(self, picked, cell, step, after=0):
        """Problems with the state's "picked" after a pick of ``cell`` at ``step``: a new
        one (seq above ``after``), for that cell and step, with explain's lines (or, for a
        cell not yet computed, the step that computes it)."""
        if not isinstance(picked, dict):
            return ["no derivation came back (no 'picked' in the state)"]
        want = self.derivation(cell, step)
        problems = []
        if not isinstance(picked.get("seq"), int) or picked["seq"] <= after:
            problems.append(f"the derivation's seq is {picked.get('seq')}, not above {after}")
        if picked.get("step") != step:
            problems.append(f"the derivation is of step {picked.get('step')}, expected {step}")
        for name in ("cell", "equation", "text", "lines", "uses"):
            if name in want and picked.get(name) != want[name]:
                problems.append(f"the derivation's {name} is {picked.get(name)!r}, expected "
                                f"{want[name]!r}")
        if "computed at" in want:
            at = f"computed at step {want['computed at'] + 1} "
            if "lines" in picked or at not in str(picked.get("message")):
                problems.append(f"a cell not yet computed at step {step} shows "
                                f"{picked.get('lines') or picked.get('message')!r}, not "
                                f"that it is {at}")
        return problems


class PageCheck:
    """Checks of what one session's Step page holds after each run, against ``Expected``.
    The steps' data are checked number by number when they are new; at a rerun that sends
    the same data again (same text) they are the data already checked."""

    def __init__(self, expected):
        self.exp = expected
        self.verified = None     # (JSON text, Expected's network) of the data checked
        self.maps = 0            # heatmaps in that data

    def __call__(self, session, step=None):
        """(problems, heatmaps checked) of the page now; ``step`` the step the state must
        hold (None: any in range)."""
        sent = components(session)
        if STEPPER_NAME not in sent or STATE_NAME not in sent:
            return [f"no {STEPPER_NAME} and {STATE_NAME} components on the page (the Step "
                    "page of issue 21 is not in)"], 0
        text, problems = sent[STEPPER_NAME], []
        data, state = json.loads(text), json.loads(sent[STATE_NAME])
        if self.verified != (text, self.exp.net):
            problems, self.maps = self.exp.check_steps(data)
            self.verified = None if problems else (text, self.exp.net)
        if state.get("id") != data.get("id"):
            problems.append(f"the state is of data {state.get('id')}, the steps are of "
                            f"{data.get('id')}")
        if state.get("local") is not True:
            problems.append("the state says the browser may not step on its own (practice?)")
        got, n = state.get("step"), data.get("n")
        if step is not None and got != step:
            problems.append(f"the state's step is {got}, expected {step}")
        elif not isinstance(got, int) or not 0 <= got < (n or 0):
            problems.append(f"the state's step {got!r} is not a step of {n}")
        return problems, self.maps

    @staticmethod
    def state(session):
        return json.loads(components(session).get(STATE_NAME, "{}"))


@dataclass
class SessionResult:
    open_latency: float = float("nan")
    latencies: list = field(default_factory=list)   # one per rerun after the page opened
    errors: list = field(default_factory=list)
    checked: int = 0         # heatmaps (and derivations) whose numbers were checked
    ticks: list = field(default_factory=list)        # Play: one per timer rerun
    rates: list = field(default_factory=list)        # Play: timer reruns answered per second
    presses: int = 0                                 # browse: Next presses, sent nowhere


async def step_through_session(base_url, index, reruns, think=(0.0, 0.0)):
    """One student on the Step page: open it, then ``reruns`` actions that reach the
    server (ACTIONS: the step reported after Next presses, a picked cell, a new seed, a
    jump to any step), checking after every run the steps' data (number by number when
    new), the state's step and a picked cell's derivation."""
    import random

    rng = random.Random(index)
    res = SessionResult()
    exp = Expected()
    page = PageCheck(exp)

    def note(what, problems):
        res.errors.extend(f"session {index}, {what}: {p}" for p in problems)

    def check(what, step):
        problems, checked = page(s, step)
        res.checked += checked
        note(what, problems)

    try:
        async with AppSession(base_url) as s:
            run = await s.open(PAGE)
            res.open_latency = run.latency
            note("open", run.problems)
            check("open", 0)
            step, n = 0, len(exp.example()[1])
            for i in range(reruns):
                if think[1] > 0:
                    await asyncio.sleep(rng.uniform(*think))
                action = ACTIONS[i % len(ACTIONS)]
                if action in ("at", "jump"):
                    step = ((step + NEXT_PRESSES) % n if action == "at"
                            else rng.randrange(n))
                    run = await s.send_event(STEPPER, "at", step)
                elif action == "pick":
                    cell = random_cell(exp.net, rng)
                    before = (PageCheck.state(s).get("picked") or {}).get("seq", 0)
                    run = await s.send_event(STEPPER, "pick", {"cell": cell, "step": step})
                    picked = PageCheck.state(s).get("picked")
                    note(action, exp.check_picked(picked, cell, step, before))
                    res.checked += 1
                else:                               # the same sizes: the same steps
                    seed_input = s.widget("_seed", "number_input").proto
                    seed = min(1 + 1000 * index + i, int(seed_input.max))
                    run = await s.set("_seed", seed)
                    exp.reseed(seed)
                res.latencies.append(run.latency)
                note(action, run.problems)
                check(action, step)
    except Exception as e:                  # a dropped socket, a missing widget, a timeout
        note("protocol", [f"{type(e).__name__}: {e}"])
    return res


# The browse scenario: Next presses, which send nothing, and a picked cell now and then ----

PICK_EVERY = 10            # a student clicks a cell every 10th Next press


def stepper_of(session):
    """The stepping component's widget on the page, or a KeyError that says the page
    is still the one that reruns on every Next."""
    try:
        return session.widget(STEPPER, "bidi_component")
    except KeyError:
        raise KeyError(f"no component keyed {STEPPER!r} on the Step page: this server runs "
                       "the Step page that reruns on every Next (issue 21 not in yet)") from None


def browse_cell(net, step):
    """The cell a student clicks at ``step``: [index in QUANTITIES, l, j, k], k = 0 for a
    vector, as the component sends a cell (its customdata). A cell of what the step
    computes; the cost has no cell, so its step picks one of the output activation."""
    from backprop.explain.notation import QUANTITIES

    q, l = (step.quantity, step.l) if step.quantity != "cost" else ("a", net.L)
    return [QUANTITIES.index(q), l, 1, 1 if q in ("w", "nabla_w") else 0]


async def browse_session(base_url, index, presses, think=(0.0, 0.0)):
    """One student on the Step page that steps in the browser: open it (one script run),
    then press Next ``presses`` times, which sends nothing; every 10th press also clicks a
    cell of that step, which sends the component's trigger value "pick" ({"cell": [index
    in QUANTITIES, l, j, k], "step": the step shown, from 0}, as chart.js sends it) and
    reruns; the derivation that comes back is checked against ``backprop.explain``. From
    the last step the student goes back to the first (Prev and the slider send nothing
    either)."""
    import random

    rng = random.Random(index)
    res = SessionResult()
    exp = Expected()
    _, all_steps = exp.example()

    def note(what, problems):
        res.errors.extend(f"session {index}, {what}: {p}" for p in problems)

    try:
        async with AppSession(base_url) as s:
            run = await s.open(PAGE)
            res.open_latency = run.latency
            note("open", run.problems)
            stepper_of(s)
            step = 0
            for i in range(presses):
                if think[1] > 0:
                    await asyncio.sleep(rng.uniform(*think))
                step = step + 1 if step + 1 < len(all_steps) else 0
                res.presses += 1
                if (i + 1) % PICK_EVERY:
                    continue
                cell = browse_cell(exp.net, all_steps[step])
                before = (PageCheck.state(s).get("picked") or {}).get("seq", 0)
                run = await s.send_event(STEPPER, "pick", {"cell": cell, "step": step})
                res.latencies.append(run.latency)
                note("pick", run.problems + exp.check_picked(
                    PageCheck.state(s).get("picked"), cell, step, before))
                res.checked += 1
                stepper_of(s)
    except Exception as e:                  # a dropped socket, a missing widget, a timeout
        note("protocol", [f"{type(e).__name__}: {e}"])
    return res


async def run_sessions(base_url, sessions, reruns, think=(0.0, 0.0), ramp=0.0,
                       scenario="step"):
    """Run ``sessions`` students at once (their starts spread over ``ramp`` seconds) and
    return their SessionResults. ``scenario``: "step" (Step through, above) or "train"
    (the Train page: benchmarks/loadtrain.py)."""
    if scenario == "train":
        from benchmarks.loadtrain import ExpectedTraining, train_session

        expected = ExpectedTraining()       # one replay of the training for all of them

        async def session(i):
            return await train_session(base_url, i, reruns, think, expected)
    elif scenario == "browse":
        async def session(i):
            return await browse_session(base_url, i, reruns, think)
    else:
        async def session(i):
            return await step_through_session(base_url, i, reruns, think)

    async def one(i):
        if ramp:
            await asyncio.sleep(ramp * i / sessions)
        return await session(i)

    return await asyncio.gather(*(one(i) for i in range(sessions)))


def run_sync(coro):
    """``asyncio.run(coro)`` in a thread of its own, so that it works even where this thread
    already runs an event loop (pytest-playwright's sync API leaves one running)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
