"""The training scenario of the load benchmark: students on the Train page.

Each student opens the Train page (a new session: the default network "2-2-2 by hand" on
xor), then in turn steps one mini-batch, runs one epoch, and presses Play for
``PLAY_SECONDS``, sending the fragment reruns the browser's ``run_every`` timer sends
(one every interval the server announces, coalesced when an answer is late, as the
server coalesces them), then Pause. Every run's decision boundary is checked: its meta
says how far training is (epoch, mini-batch), and its heatmap must be a^L of the network
``backprop.train`` reaches after exactly that many mini-batches (all students train the
same network on the same data, so the replay is shared). After Pause the timer must be
gone and a rerun must show the same network: Pause stops at once.
"""

import asyncio
import random
import time

import numpy as np

from benchmarks.loadclient import AppSession, SessionResult, decode

PAGE = "Train"                     # pages/4_Train.py
ACTIONS = ("step", "epoch", "play")
PLAY_SECONDS = 5.0
RTOL, ATOL = 1e-9, 1e-12


class ExpectedTraining:
    """A new session's training, replayed with backprop alone and remembered by the
    number of mini-batches done."""

    def __init__(self):
        from backprop.learn.train import Progress, batches_per_epoch
        from explorer.presets import default_network
        from explorer.train import datasets, trainer

        self.settings = {k: trainer.DEFAULTS[k] for k in ("train_eta", "train_m",
                                                          "train_lmbda")}
        self.data = datasets.generate(**trainer.DEFAULT_GEN)
        self.seed = trainer.DEFAULT_GEN["seed"]
        net0 = default_network()[0]
        self.trn, self.tst = self.data.split_for(net0)
        self.per_epoch = batches_per_epoch(len(self.trn[0]), self.settings["train_m"])
        self.done = {0: Progress(net0)}

    def net(self, epoch, batch):
        """The network after ``epoch`` epochs and ``batch`` more mini-batches."""
        from backprop.learn.train import run
        from explorer import limits

        count = epoch * self.per_epoch + batch
        start = max(c for c in self.done if c <= count)
        if start < count:
            s = self.settings
            self.done[count] = run(self.done[start], self.trn, s["train_m"], s["train_eta"],
                                   self.tst, s["train_lmbda"], self.seed, count - start,
                                   limits.MAX_ABS)
        return self.done[count].net

    def check(self, run):
        """((epoch, batch) the page shows, problems with its boundary figure)."""
        from explorer.train.training import class_score

        figs = [f for f in run.charts() if (f["layout"].get("meta") or {}).get("kind")
                == "boundary"]
        if len(figs) != 1:
            return None, [f"{len(figs)} decision boundary figures on the page"]
        meta = figs[0]["layout"]["meta"]
        at = (int(meta["epoch"]), int(meta["batch"]))
        heat = [t for t in figs[0]["data"] if (t.get("meta") or {}).get("kind") == "aL"]
        if not heat:
            return at, ["the boundary figure has no heatmap"]
        z, xs, ys = (decode(heat[0][k]).astype(np.float64) for k in ("z", "x", "y"))
        gx, gy = np.meshgrid(xs, ys)
        a = self.net(*at).feedforward(np.column_stack([gx.ravel(), gy.ravel()]))
        want = class_score(a).reshape(gx.shape)
        if z.shape != want.shape or not np.allclose(z, want, rtol=RTOL, atol=ATOL):
            return at, [f"the boundary at epoch {at[0]} + {at[1]} is not the network's a^L"]
        return at, []


async def train_session(base_url, index, reruns, think=(0.0, 0.0), expected=None):
    """One student on the Train page: ``reruns`` actions (step, epoch, Play for
    PLAY_SECONDS then Pause), every figure checked."""
    rng = random.Random(index)
    res = SessionResult()
    exp = expected or ExpectedTraining()

    def note(what, problems):
        res.errors.extend(f"session {index}, {what}: {p}" for p in problems)

    def check(what, run, want=None):
        at, problems = exp.check(run)
        res.checked += 1
        note(what, run.problems + problems)
        if want is not None and at is not None and not want(at):
            note(what, [f"training is at epoch {at[0]} + {at[1]}, not where expected"])
        return at

    try:
        async with AppSession(base_url) as s:
            run = await s.open(PAGE)
            res.open_latency = run.latency
            at = check("open", run, lambda a: a == (0, 0))
            for i in range(reruns):
                if think[1] > 0:
                    await asyncio.sleep(rng.uniform(*think))
                action = ACTIONS[i % len(ACTIONS)]
                before = exp.per_epoch * at[0] + at[1]
                if action == "step":
                    run = await s.click("train_step")
                    res.latencies.append(run.latency)
                    at = check(action, run, lambda a: exp.per_epoch * a[0] + a[1] == before + 1)
                elif action == "epoch":
                    run = await s.click("train_epoch")
                    res.latencies.append(run.latency)
                    at = check(action, run, lambda a: a == (at[0] + 1, 0) or
                               (at[1] == 0 and a == (at[0] + 1, 0)))
                else:
                    at = await play(s, res, check, at)
    except Exception as e:                  # a dropped socket, a missing widget, a timeout
        note("protocol", [f"{type(e).__name__}: {e}"])
    return res


async def play(s, res, check, at):
    """Press Play, let the timer tick for PLAY_SECONDS, press Pause; the training position
    after Pause."""
    run = await s.click("train_play")
    res.latencies.append(run.latency)
    at = check("play", run)
    if not s.auto_reruns:
        check("play", run, lambda a: False)
        return at
    t0, ticks, due = time.perf_counter(), 0, time.perf_counter()
    while time.perf_counter() - t0 < PLAY_SECONDS and s.auto_reruns:
        interval = next(iter(s.auto_reruns.values()))    # a busy server slows it down
        due += interval
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        else:                                            # missed: coalesced, as the server
            due = time.perf_counter()                    # does with the browser's
        run = await s.auto_rerun()
        res.ticks.append(run.latency)
        ticks += 1
        last = at
        at = check("tick", run, lambda a: a >= last)
    res.rates.append(ticks / (time.perf_counter() - t0))
    run = await s.click("train_play")                                     # Pause
    res.latencies.append(run.latency)
    paused = check("pause", run)
    if s.auto_reruns:
        check("pause", run, lambda a: False)
    run = await s.rerun()
    check("after pause", run, lambda a: a == paused)
    return paused


# Pause under load (benchmarks/bench_train_page.py --class-size) --------------------------

def _send(s, fragment="", trigger=None, auto=False, extra=None):
    """Send a rerun request without waiting for its answer, as the browser does: its
    ``run_every`` timer fires whether or not the last tick has been answered, and a person
    clicks Pause while a tick is on its way."""
    return s.ws.send(s.rerun_message(trigger=trigger, fragment=fragment, auto=auto,
                                     extra=extra))


def press_pause(s, at):
    """Press Pause as the browser does: one message, a rerun of the button's fragment with
    its click and the trigger of the page's own component (explorer/train/shown.js), which says
    which network is on screen, ``at``."""
    import json

    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    pause = s.widget("train_play", "button")
    if "train_shown" not in s.widgets:          # a page without it: the click alone
        return _send(s, pause.fragment, trigger=pause.id)
    w = s.widget("train_shown", "bidi_component")
    said = WidgetState(id=_make_trigger_id(w.id, "events"), json_trigger_value=json.dumps(
        [{"event": "paused_at", "value": list(at)}]))

    return _send(s, pause.fragment, trigger=pause.id, extra=said)


async def _timer(s, stop):
    """The browser's ``run_every`` timer: a tick every interval the server announced,
    until the server stops it (or ``stop`` is set)."""
    while s.auto_reruns and not stop.is_set():
        fragment, interval = next(iter(s.auto_reruns.items()))
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except asyncio.TimeoutError:
            if s.auto_reruns and fragment in s.auto_reruns:
                await _send(s, fragment, auto=True)


def shown_position(run):
    """(epoch, batch) the boundary figure of ``run`` names, or None."""
    for f in run.charts():
        meta = f["layout"].get("meta") or {}
        if meta.get("kind") == "boundary":
            return int(meta["epoch"]), int(meta["batch"])
    return None


async def keep_playing(base_url, stop, ready):
    """A student who presses Play and lets it run (pressing it again whenever Play pauses
    itself) until ``stop`` is set: the class around the one being measured."""
    from benchmarks.loadclient import AppSession

    async with AppSession(base_url) as s:
        await s.open(PAGE)
        ready.release()
        while not stop.is_set():
            if s.widget("train_play", "button").proto.label == "Play":
                await s.click("train_play")
                continue
            interval = next(iter(s.auto_reruns.values()), 0.15)
            await asyncio.sleep(interval)
            await s.auto_rerun() if s.auto_reruns else await s.rerun()
        if s.widget("train_play", "button").proto.label == "Pause":
            await s.click("train_play")


async def pause_probe(base_url, presses, play_seconds=2.0, seed=0, ticks=None):
    """One student who presses Play, watches for ``play_seconds``, and presses Pause while
    a tick is on its way, ``presses`` times. Returns one (seconds from the Pause to the page
    that shows it paused, the (epoch, batch) it shows then, the (epoch, batch) shown when
    Pause was pressed, whether a later run still shows the same position) a press; the
    latency of each Play tick meanwhile is appended to ``ticks``."""
    from benchmarks.loadclient import AppSession

    rng = random.Random(seed)
    out = []
    async with AppSession(base_url) as s:
        await s.open(PAGE)
        for _ in range(presses):
            run = await s.click("train_play")                              # Play
            at = shown_position(run)
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < play_seconds and s.auto_reruns:
                await asyncio.sleep(next(iter(s.auto_reruns.values())))
                run = await s.auto_rerun()
                at = shown_position(run) or at
                if ticks is not None:
                    ticks.append(run.latency)
            if not s.auto_reruns:
                continue                                    # Play paused itself
            fragment, interval = next(iter(s.auto_reruns.items()))
            await _send(s, fragment, auto=True)            # a tick on its way ...
            await asyncio.sleep(rng.uniform(0.0, interval))
            stop = asyncio.Event()
            t1 = time.perf_counter()
            await press_pause(s, at)                        # ... and Pause
            timer = asyncio.create_task(_timer(s, stop))
            while True:                                     # the tick's answer, then Pause's
                run = await s._read_run()
                if s.widget("train_play", "button").proto.label == "Play":
                    break
            latency = time.perf_counter() - t1
            paused = shown_position(run)
            stop.set()
            await timer
            await asyncio.sleep(0.5)
            while True:                                     # answers to the timer's last ticks
                try:
                    await asyncio.wait_for(s._read_run(), 0.5)
                except asyncio.TimeoutError:
                    break
            still = shown_position(await s.rerun()) == paused
            out.append((latency, paused, at, still))
    return out
