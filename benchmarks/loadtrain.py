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
        from backprop.train import Progress, batches_per_epoch
        from explorer import datasets, trainer
        from explorer.presets import default_network

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
        from backprop.train import run
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
        from explorer.training import class_score

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
