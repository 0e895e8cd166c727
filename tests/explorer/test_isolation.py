"""Two people on one server at once, each with their own network, each seeing only their
own numbers: two websocket sessions (as two browsers) against one running server.

The Step page steps in the browser: the server learns the step a browser shows from the
component's trigger "at" (sent before the student works another widget) and shows it in
the component's data; the figures a session is sent are checked as the browser draws them
at that step (helpers.apptest.shown_network)."""

import asyncio
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers.apptest import STEPPER, STEPPER_STATE, shown_network

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.loadclient import AppSession, Expected, decode, run_sync  # noqa: E402

PAGE = ROOT / "pages" / "2_Step_through.py"
pytestmark = pytest.mark.skipif(not PAGE.exists(), reason=f"{PAGE.name} is not written yet")


def stepper_of(session):
    """The Step page's component data as the session last received it (and its state)."""
    sent = {e.bidi_component.component_name: json.loads(e.bidi_component.json)
            for e, _ in session.page.values() if e.WhichOneof("type") == "bidi_component"}
    return {**sent[STEPPER], **sent.get(STEPPER_STATE, {})}


class Shown:
    """The heatmaps the session's browser draws at its step, for Expected.check."""

    def __init__(self, session):
        data = stepper_of(session)
        self.step = data["step"]
        figs = [shown_network(data, self.step)]
        if data["steps"][self.step]["figure"] is not None:
            figs.append(data["figures"][data["steps"][self.step]["figure"]])
        self.maps = [(t["meta"], np.atleast_2d(decode(t["z"]).astype(np.float64)))
                     for fig in figs for t in fig["data"] if t["type"] == "heatmap"]

    def heatmaps(self):
        return self.maps


def step_index(session):
    return stepper_of(session)["step"]


async def step_to(session, k):
    """The browser stepped to k by itself and reports it (the trigger "at")."""
    return await session.send_event("stepper", "at", k)


def test_two_sessions_two_seeds(server):
    async def main():
        async with AppSession(server) as a, AppSession(server) as b:
            ea, eb = Expected(), Expected()
            await asyncio.gather(a.open("Step_through"), b.open("Step_through"))
            # Both change their network at the same moment, to different seeds.
            ra, rb = await asyncio.gather(a.set("_seed", 11), b.set("_seed", 22))
            ea.reseed(11)
            eb.reseed(22)
            assert not np.allclose(ea.net.w[2], eb.net.w[2])   # the test can tell them apart
            assert ra.problems == [] and rb.problems == []
            assert ea.check(Shown(a), 0) == [] and eb.check(Shown(b), 0) == []
            # Both step on at once, A further than B: z^2 = w^2 a^1 + b^2 is computed at
            # step 1, so from there the figures depend on the seed.
            for k in range(1, 4):
                ra, rb = await asyncio.gather(step_to(a, k), b.rerun())
            rb = await step_to(b, 1)
            assert ra.problems == [] and rb.problems == []
            assert step_index(a) == 3 and step_index(b) == 1
            assert a.value("_seed") == 11 and b.value("_seed") == 22
            assert ea.check(Shown(a), 3) == [] and eb.check(Shown(b), 1) == []
            # ... and each one's figures would be wrong for the other's network.
            assert eb.check(Shown(a), 3) and ea.check(Shown(b), 1)

    run_sync(main())


def test_a_preset_in_one_session_leaves_the_other_alone(server):
    from explorer.presets import DEFAULT, PRESETS

    other = next(name for name in PRESETS if name != DEFAULT)

    async def main():
        async with AppSession(server) as a, AppSession(server) as b:
            await asyncio.gather(a.open("Step_through"), b.open("Step_through"))
            ra = await a.set("_preset", other)
            rb = await step_to(b, 1)
            ea, eb = Expected(), Expected()
            ea.load_preset(other)
            assert ra.problems == [] and rb.problems == []
            assert step_index(a) == 0 and step_index(b) == 1
            assert ea.check(Shown(a), 0) == []
            assert eb.check(Shown(b), 1) == []
            assert b.value("_preset") == DEFAULT

    run_sync(main())
