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
    _heatmaps: list = field(default=None, repr=False)

    def of_type(self, kind):
        return [e for _, e in self.elements if e.WhichOneof("type") == kind]

    def charts(self):
        """The figures of this run, as dicts: those of st.plotly_chart, and those of the
        Step page's own chart (explorer/figures/chart.py)."""
        return [json.loads(e.plotly_chart.spec) for e in self.of_type("plotly_chart")] + [
            json.loads(e.bidi_component.json)["fig"] for e in self.of_type("bidi_component")
            if e.bidi_component.component_name == "explorer.plot"]

    def heatmaps(self):
        """(meta, z) of every heatmap trace whose ``meta`` names a quantity and layer."""
        if self._heatmaps is not None:
            return self._heatmaps
        out = self._heatmaps = []
        for fig in self.charts():
            for tr in fig.get("data", ()):
                meta = tr.get("meta")
                if tr.get("type") == "heatmap" and isinstance(meta, dict) and "quantity" in meta:
                    out.append((meta, np.atleast_2d(decode(tr["z"]).astype(np.float64))))
        return out


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


# The Step-through scenario ---------------------------------------------------------------

PAGE = "Step_through"                   # pages/2_Step_through.py
ACTIONS = ("next", "next", "next", "seed", "next", "prev", "step", "next")
RTOL, ATOL = 1e-9, 1e-12                # the page sends float64: only rounding may differ


class Expected:
    """What the Step-through page should show, worked out with ``backprop`` alone.

    A new session starts with ``explorer.presets.default_network()``; a new seed draws new
    weights for the same sizes, activations and cost (the sidebar's "Seed", with the
    default "standard" initialisation), keeping the example (x, y).
    """

    def __init__(self):
        from explorer.presets import default_network

        self.net, self.x, self.y = default_network()

    def load_preset(self, name):
        from explorer.presets import PRESETS

        self.net, self.x, self.y = PRESETS[name].make()

    def reseed(self, seed):
        from backprop import Network

        net = self.net
        self.net = Network.random(list(net.sizes), list(net.activations.values()), net.cost,
                                  seed=int(seed), init="standard")

    def values(self, trace, q, l):
        v = getattr(self.net, q)[l] if q in ("w", "b") else getattr(trace, q)[l]
        return v.reshape(-1, 1) if v.ndim == 1 else v

    def check(self, run, step=None):
        """Problems with the figures of ``run``: every heatmap must hold the numbers of
        the quantity its meta names, and be grey (NaN) exactly when that quantity is not
        yet computed at ``step``."""
        from backprop.explain.steps import known, steps

        maps = run.heatmaps()
        if not maps:
            return ["no heatmap with a quantity in its meta"]
        trace = self.net.backprop(self.x, self.y)
        done = known(steps(self.net, trace), step) if step is not None else None
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
                problems.append(f"{q}^{l} shows {np.round(z.ravel()[:4], 4)}..., expected "
                                f"{np.round(v.ravel()[:4], 4)}...")
            elif not shown and not np.isnan(z).all():
                problems.append(f"{q}^{l} is marked not yet computed but shows numbers")
            if done is not None and q not in ("w", "b") and shown != ((q, l) in done):
                problems.append(f"{q}^{l} is {'' if shown else 'not '}shown as computed at "
                                f"step {step}")
        return problems


@dataclass
class SessionResult:
    open_latency: float = float("nan")
    latencies: list = field(default_factory=list)   # one per rerun after the page opened
    errors: list = field(default_factory=list)
    checked: int = 0                                 # heatmaps whose numbers were checked
    ticks: list = field(default_factory=list)        # Play: one per timer rerun
    rates: list = field(default_factory=list)        # Play: timer reruns answered per second
    presses: int = 0                                 # browse: Next presses, sent nowhere


async def step_through_session(base_url, index, reruns, think=(0.0, 0.0)):
    """One student: open the Step-through page, then ``reruns`` interactions (Next, Prev,
    a new seed, a dragged step slider), checking every figure after every run."""
    import random

    rng = random.Random(index)
    res = SessionResult()
    exp = Expected()

    def note(what, problems):
        res.errors.extend(f"session {index}, {what}: {p}" for p in problems)

    def check(what, run, step):
        res.checked += len(run.heatmaps())
        note(what, exp.check(run, step))

    try:
        async with AppSession(base_url) as s:
            run = await s.open(PAGE)
            res.open_latency = run.latency
            note("open", run.problems)
            step = step_index(s)
            check("open", run, step)
            for i in range(reruns):
                if think[1] > 0:
                    await asyncio.sleep(rng.uniform(*think))
                action = ACTIONS[i % len(ACTIONS)]
                slider = s.widget("_step", "slider").proto
                last = int(slider.max - slider.min)       # step indices run 0..last
                if action in ("next", "prev") and s.widget(action, "button").proto.disabled:
                    action = "prev" if action == "next" else "next"   # at the first/last step
                if action == "next":
                    run, want = await s.click("next"), min(step + 1, last)
                elif action == "prev":
                    run, want = await s.click("prev"), max(step - 1, 0)
                elif action == "step":
                    want = rng.randint(0, last)
                    run = await s.set("_step", want + slider.min)
                else:
                    seed_input = s.widget("_seed", "number_input").proto
                    seed = min(1 + 1000 * index + i, int(seed_input.max))
                    run, want = await s.set("_seed", seed), None
                    exp.reseed(seed)
                res.latencies.append(run.latency)
                note(action, run.problems)
                step = step_index(s)
                if want is not None and step != want:
                    note(action, [f"the step is {step}, expected {want}"])
                check(action, run, step)
    except Exception as e:                  # a dropped socket, a missing widget, a timeout
        note("protocol", [f"{type(e).__name__}: {e}"])
    return res


# The browse scenario: the Step page that steps in the browser (issue 21) ------------------

STEPPER = "stepper"        # the key of the Step page's stepping component
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


def picked_of(run):
    """The derivation the server sent back after a pick: the "picked" entry of a
    component's data (the stepper's state), or None."""
    for e in run.of_type("bidi_component"):
        try:
            data = json.loads(e.bidi_component.json)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("picked"), dict):
            return data["picked"]
    return None


def check_picked(run, cell, step):
    """Problems with the server's answer to a pick of ``cell`` at ``step``."""
    from backprop.explain.notation import QUANTITIES

    got = picked_of(run)
    if got is None:
        return ["no derivation came back (no 'picked' in the component's data)"]
    want = [QUANTITIES[cell[0]], cell[1], cell[2]]
    shown = list(got.get("cell") or [])[:3]
    problems = []
    if shown != want:
        problems.append(f"the derivation is of {shown}, expected {want}")
    if got.get("step") != step:
        problems.append(f"the derivation is of step {got.get('step')}, expected {step}")
    return problems


async def browse_session(base_url, index, presses, think=(0.0, 0.0)):
    """One student on the Step page that steps in the browser: open it (one script run),
    then press Next ``presses`` times, which sends nothing; every 10th press also clicks a
    cell of that step, which sends the component's trigger value "pick" ({"cell": [index
    in QUANTITIES, l, j, k], "step": the step shown, from 0}, as chart.js sends it) and
    reruns; the derivation that comes back is checked. From the last step the student goes
    back to the first (Prev and the slider send nothing either)."""
    import random

    from backprop.explain.steps import steps

    rng = random.Random(index)
    res = SessionResult()
    exp = Expected()
    all_steps = steps(exp.net, exp.net.backprop(exp.x, exp.y))

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
                run = await s.send_event(STEPPER, "pick", {"cell": cell, "step": step})
                res.latencies.append(run.latency)
                note("pick", run.problems + check_picked(run, cell, step))
                stepper_of(s)
    except Exception as e:                  # a dropped socket, a missing widget, a timeout
        note("protocol", [f"{type(e).__name__}: {e}"])
    return res


def step_index(session):
    """The step the page is on, counted from 0: the slider may count from 1."""
    v = session.value("_step")
    v = v[0] if isinstance(v, list) else v
    return int(v - session.widget("_step", "slider").proto.min)


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
