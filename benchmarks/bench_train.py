"""How fast backprop.train is: a script run by hand (``make bench``), not a test.

One epoch of mini-batch SGD on 500 points of two moons (one-hot, 2 classes) through a
2-8-8-2 sigmoid network with the quadratic cost, m = 10 (50 mini-batches), η = 3: the
median and the fastest time of ``SGD(net, data, 1, 10, 3.0)``, which includes the end of
the epoch (cost and accuracy on the 500 training points). Goal: ≤ 5 ms.

For comparison it also times the parts: one ``net.gradient`` of 10 examples and one
``net.step``. The machine has 2 cores shared with other work: the load average is printed,
and the fastest run is the figure least disturbed by it.

    python benchmarks/bench_train.py
    python benchmarks/bench_train.py --repeat 50
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run from anywhere

from backprop import Network  # noqa: E402
from backprop.learn import data  # noqa: E402
from backprop.learn.train import SGD  # noqa: E402

GOAL = 0.005   # seconds for one epoch


def per_call(fn, number):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=30, help="timed runs of each (default 30)")
    args = ap.parse_args(argv)

    X, Y = data.moons(500, 0.1, 0, one_hot=True)
    net = Network.random([2, 8, 8, 2], "sigmoid", "quadratic", seed=0)
    grad = net.gradient(X[:10], Y[:10])
    rows = [
        ("one epoch, 500 points, 2-8-8-2, m = 10", lambda: SGD(net, (X, Y), 1, 10, 3.0), 3,
         GOAL),
        ("  net.gradient of 10 examples", lambda: net.gradient(X[:10], Y[:10]), 500, None),
        ("  net.step", lambda: net.step(grad, 3.0), 500, None),
    ]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'what':42s} {'median':>10s} {'fastest':>10s}   goal")
    missed = False
    for name, fn, number, goal in rows:
        fn()   # warm up
        runs = [per_call(fn, number) for _ in range(args.repeat)]
        med, best = statistics.median(runs), min(runs)
        verdict = ""
        if goal is not None:
            ok = med <= goal
            missed |= not ok
            verdict = f"≤ {goal * 1e3:g} ms  {'PASS' if ok else 'MISS'}"
        print(f"{name:42s} {med * 1e3:8.3f} ms {best * 1e3:8.3f} ms   {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
