"""Two people on one server at once, each with their own network, each seeing only their
own numbers: two websocket sessions (as two browsers) against one running server."""

import asyncio
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.loadclient import AppSession, Expected, run_sync, step_index  # noqa: E402

PAGE = ROOT / "pages" / "2_Step_through.py"
pytestmark = pytest.mark.skipif(not PAGE.exists(), reason=f"{PAGE.name} is not written yet")


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
            assert ea.check(ra) == [] and eb.check(rb) == []
            # Both step on at once, A further than B: z^2 = w^2 a^1 + b^2 is computed at
            # step 1, so from there the figures depend on the seed.
            for _ in range(3):
                ra, rb = await asyncio.gather(a.click("next"), b.rerun())
            rb = await b.click("next")
            assert step_index(a) == 3 and step_index(b) == 1
            assert a.value("_seed") == 11 and b.value("_seed") == 22
            assert ea.check(ra, 3) == [] and eb.check(rb, 1) == []
            # ... and each one's figures would be wrong for the other's network.
            assert eb.check(ra, 3) and ea.check(rb, 1)

    run_sync(main())


def test_a_preset_in_one_session_leaves_the_other_alone(server):
    from explorer.presets import DEFAULT, PRESETS

    other = next(name for name in PRESETS if name != DEFAULT)

    async def main():
        async with AppSession(server) as a, AppSession(server) as b:
            await asyncio.gather(a.open("Step_through"), b.open("Step_through"))
            ra = await a.set("_preset", other)
            rb = await b.click("next")
            ea, eb = Expected(), Expected()
            ea.load_preset(other)
            assert ra.problems == [] and rb.problems == []
            assert ea.check(ra, 0) == []
            assert eb.check(rb, 1) == []
            assert b.value("_preset") == DEFAULT

    run_sync(main())
