"""How fast backprop/ is: a script run by hand (``make bench``), not a test.

It prints a table of figures, each with its goal and PASS or MISS:

1. ``net.backprop(x, y)`` for one example through a 2-3-2 sigmoid network with the
   quadratic cost: the median time of one call, in µs. If PyTorch is importable, the same
   forward and backward pass with autograd (float64 tensors with requires_grad, sigmoid,
   0.5·Σ(a − y)², .backward(), reading the gradients), and the ratio ours/torch
   (goal ≤ 1/3), and the ratio of the two fastest runs. PyTorch is not a dependency of
   the project; to compare, install it into the project's environment by hand (never into
   requirements*.txt), or into a throwaway one, e.g.

       python3 -m venv --system-site-packages /tmp/torchvenv
       /tmp/torchvenv/bin/pip install torch==2.13.0
       /tmp/torchvenv/bin/python benchmarks/bench_backprop.py

   ``--one-example`` measures this figure alone (a few seconds), to repeat it.

2. ``net.gradient(X, Y)`` on a 784-100-10 sigmoid network with 1,000 random examples: its
   median time; a Python loop of ``backprop`` over the same 1,000 rows (speed-up of the
   batch over the loop, goal ≥ 20×); and the floor: the five matrix products the batch
   gradient needs (z^2, z^3, (w^3)ᵀδ^3, Σ δ^3 (a^2)ᵀ, Σ δ^2 (a^1)ᵀ) on ready-made arrays,
   each timed in every arrangement NumPy offers for it (``W @ X.T`` or ``(X @ W.T)``
   transposed, a ready-made operand in C or Fortran order, with or without a contiguous
   copy) and taken at its fastest; the table lists every arrangement. The ratio
   gradient/floor has the goal ≤ 1.5×. Before timing, it checks that the batch gradient
   equals the mean of the loop's gradients to 1e-10, and that every arrangement of a
   product gives the same matrix to 1e-12.

Each ratio is the median of ratios of back-to-back pairs of runs (A then B, repeated), so
that other work on the machine (a test run, a Streamlit server: it has 2 cores) slows both
sides of a pair alike. Beside each median the table prints the fastest run, to show how
much the runs were spread.

On some machines OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) are set in the environment,
because older OpenBLAS builds go wrong on those processors; they can slow a current NumPy's
matrix products. This script prints the value it sees and changes nothing.
"""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run from anywhere

from backprop import Network  # noqa: E402


def run(fn, number):
    """Seconds per call over ``number`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def timed(fn, number, repeat):
    """The median and fastest seconds per call over ``repeat`` runs of ``number`` calls."""
    fn()                                                # warm up
    runs = [run(fn, number) for _ in range(repeat)]
    return statistics.median(runs), min(runs)


def fastest_of_each(fns, number, repeat):
    """{name: fastest seconds per call} over ``repeat`` rounds, each round one run of
    ``number`` calls of every function in turn, so that a busy moment of the machine
    slows all of them rather than one."""
    for fn in fns.values():
        fn()                                            # warm up
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            best[name] = min(best[name], run(fn, number))
    return best


def paired(fa, na, fb, nb, repeat):
    """Time fa and fb in alternating runs (``na`` and ``nb`` calls a run). Returns the
    median and fastest seconds per call of each, and the median of the per-pair ratios a/b."""
    fa(), fb()                                          # warm up
    ta, tb = [], []
    for _ in range(repeat):
        ta.append(run(fa, na))
        tb.append(run(fb, nb))
    ratio = statistics.median(a / b for a, b in zip(ta, tb))
    return ((statistics.median(ta), min(ta)), (statistics.median(tb), min(tb)), ratio)


def torch_pass_for(net, x, y):
    """The same forward and backward pass in PyTorch autograd, or None without torch."""
    try:
        import torch
    except ImportError:
        return None, "skipped: torch is not importable (see this script's docstring)"
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in (("w2", net.w[2]), ("b2", net.b[2]), ("w3", net.w[3]), ("b3", net.b[3]))}
    tx = torch.tensor(x, dtype=torch.float64)
    ty = torch.tensor(y, dtype=torch.float64)
    params = list(t.values())

    def torch_pass():
        for p in params:
            p.grad = None
        a2 = torch.sigmoid(t["w2"] @ tx + t["b2"])
        a3 = torch.sigmoid(t["w3"] @ a2 + t["b3"])
        cost = 0.5 * torch.sum((a3 - ty) ** 2)
        cost.backward()
        return cost.item(), [p.grad.numpy() for p in params]

    cost, (gw2, gb2, gw3, gb3) = torch_pass()
    trace = net.backprop(x, y)
    for got, want in ((gw2, trace.nabla_w[2]), (gb2, trace.nabla_b[2]),
                      (gw3, trace.nabla_w[3]), (gb3, trace.nabla_b[3])):
        np.testing.assert_allclose(want, got, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(trace.cost, cost, rtol=1e-12)
    return torch_pass, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def one_example():
    """Seconds of one backprop through 2-3-2, of the PyTorch pass, and their ratio."""
    net = Network.random([2, 3, 2], activations="sigmoid", cost="quadratic", seed=0)
    x, y = np.array([0.5, -1.0]), np.array([1.0, 0.0])
    ours = lambda: net.backprop(x, y)                                       # noqa: E731
    torch_pass, note = torch_pass_for(net, x, y)
    if torch_pass is None:
        return timed(ours, 1000, repeat=25), None, None, note
    t_ours, t_torch, ratio = paired(ours, 1000, torch_pass, 1000, repeat=25)
    return t_ours, t_torch, ratio, note


def batch():
    """Seconds of net.gradient, of the backprop loop, of the floor of its products, ratios,
    and the fastest run of every arrangement of every product."""
    rng = np.random.default_rng(0)
    m = 1000
    net = Network.random([784, 100, 10], activations="sigmoid", cost="quadratic", seed=0,
                         init="scaled")
    X = rng.random((m, 784))
    Y = np.eye(10)[rng.integers(0, 10, m)]

    def loop():
        traces = [net.backprop(x, y) for x, y in zip(X, Y)]
        return ([np.mean([t.nabla_w[l] for t in traces], axis=0) for l in (2, 3)],
                [np.mean([t.nabla_b[l] for t in traces], axis=0) for l in (2, 3)],
                np.mean([t.cost for t in traces]))

    g = net.gradient(X, Y)
    nabla_w, nabla_b, cost = loop()
    for l in (2, 3):
        np.testing.assert_allclose(g.nabla_w[l], nabla_w[l - 2], rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(g.nabla_b[l], nabla_b[l - 2], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(g.cost, cost, rtol=1e-10, atol=1e-10)

    products = arrangements(X, net.w[2], net.w[3], rng)
    best, t_arrangements = [], []
    for product, ways in products.items():
        times = fastest_of_each(dict(ways), 5, repeat=25)
        t_arrangements.append((product, times))
        best.append(dict(ways)[min(times, key=times.get)])

    def floor():
        for fn in best:
            fn()

    gradient = lambda: net.gradient(X, Y)                                   # noqa: E731
    t_loop, t_grad1, speedup = paired(loop, 1, gradient, 1, repeat=7)
    t_grad, t_floor, overhead = paired(gradient, 1, floor, 1, repeat=40)
    return t_grad, t_loop, t_floor, speedup, overhead, t_arrangements


def arrangements(X, W2, W3, rng):
    """Each matrix product of the batch gradient on 784-100-10, with the ways NumPy can
    compute it: {product: [(arrangement, fn), ...]}. Operands that the gradient makes
    itself (a^2, δ^3, δ^2) may come in either memory order, so both are offered; X and w
    are given. Every arrangement is checked to give the same matrix."""
    m = X.shape[0]
    A2, D3, D2 = rng.random((m, 100)), rng.random((m, 10)), rng.random((m, 100))
    A2f, D3f, D2f = (np.asfortranarray(v) for v in (A2, D3, D2))
    c = np.ascontiguousarray
    products = {
        "z^2 = w^2 a^1 (every x)": [
            ("X @ W2.T", lambda: X @ W2.T),
            ("(W2 @ X.T).T", lambda: (W2 @ X.T).T),
            ("X @ c(W2.T)", lambda: X @ c(W2.T)),
            ("(W2 @ c(X.T)).T", lambda: (W2 @ c(X.T)).T)],
        "z^3 = w^3 a^2": [
            ("A2 @ W3.T", lambda: A2 @ W3.T),
            ("(W3 @ A2.T).T", lambda: (W3 @ A2.T).T),
            ("A2f @ W3.T", lambda: A2f @ W3.T),
            ("(W3 @ A2f.T).T", lambda: (W3 @ A2f.T).T)],
        "(w^3)ᵀ δ^3 (BP2)": [
            ("D3 @ W3", lambda: D3 @ W3),
            ("(W3.T @ D3.T).T", lambda: (W3.T @ D3.T).T),
            ("D3f @ W3", lambda: D3f @ W3),
            ("(W3.T @ D3f.T).T", lambda: (W3.T @ D3f.T).T)],
        "Σ δ^3 (a^2)ᵀ (BP4)": [
            ("D3.T @ A2", lambda: D3.T @ A2),
            ("(A2.T @ D3).T", lambda: (A2.T @ D3).T),
            ("D3f.T @ A2f", lambda: D3f.T @ A2f),
            ("D3.T @ A2f", lambda: D3.T @ A2f),
            ("D3f.T @ A2", lambda: D3f.T @ A2)],
        "Σ δ^2 (a^1)ᵀ (BP4)": [
            ("D2.T @ X", lambda: D2.T @ X),
            ("(X.T @ D2).T", lambda: (X.T @ D2).T),
            ("D2f.T @ X", lambda: D2f.T @ X),
            ("c(D2.T) @ X", lambda: c(D2.T) @ X),
            ("(X.T @ D2f).T", lambda: (X.T @ D2f).T)],
    }
    for product, ways in products.items():
        want = ways[0][1]()
        for name, fn in ways[1:]:
            np.testing.assert_allclose(fn(), want, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{product}: {name}")
    return products


def main():
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
          f"load average {os.getloadavg()[0]:.2f} at the start")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS"):
        print(f"  {var} = {os.environ.get(var, '(not set)')}")

    only_one = "--one-example" in sys.argv[1:]
    t_ours, t_torch, vs_torch, torch_note = one_example()
    if not only_one:
        t_grad, t_loop, t_floor, speedup, overhead, t_arrangements = batch()
        print("  check: batch gradient == mean of 1,000 backprops to 1e-10: ok")
    print(f"  PyTorch: {torch_note}")
    print(f"  load average {os.getloadavg()[0]:.2f} at the end")
    print()

    us = lambda t: f"{t * 1e6:8.1f} µs"                                     # noqa: E731
    ms = lambda t: f"{t * 1e3:8.2f} ms"                                     # noqa: E731
    rows = [("backprop, one example, 2-3-2", us(t_ours[0]), us(t_ours[1]), "", None)]
    if t_torch is None:
        rows.append(("PyTorch autograd, same pass", "skipped", "", "", None))
    else:
        rows += [("PyTorch autograd, same pass", us(t_torch[0]), us(t_torch[1]), "", None),
                 ("ratio ours / torch", f"{vs_torch:8.2f}", "", "≤ 0.33", vs_torch <= 1 / 3),
                 ("ratio of the fastest runs", f"{t_ours[1] / t_torch[1]:8.2f}", "", "", None)]
    rows += [] if only_one else [
        ("gradient(X, Y), 784-100-10, 1,000 rows", ms(t_grad[0]), ms(t_grad[1]), "", None),
        ("loop of 1,000 backprop calls", ms(t_loop[0]), ms(t_loop[1]), "", None),
        ("speed-up batch / loop", f"{speedup:8.1f} ×", "", "≥ 20 ×", speedup >= 20),
        ("floor: each product at its fastest", ms(t_floor[0]), ms(t_floor[1]), "", None),
        ("ratio gradient / floor", f"{overhead:8.2f} ×", "", "≤ 1.5 ×", overhead <= 1.5),
        ("ratio of the fastest runs", f"{t_grad[1] / t_floor[1]:8.2f} ×", "", "", None),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'median':>11}  {'fastest':>11}  {'goal':>8}  result")
    print("-" * (width + 44))
    for name, value, best, goal, ok in rows:
        result = "" if ok is None else ("PASS" if ok else "MISS")
        print(f"{name:<{width}}  {value:>11}  {best:>11}  {goal:>8}  {result}")
    if only_one:
        print("\nThe ratio is the median of back-to-back pairs; a fastest run far below its "
              "median means the machine was busy.")
        return
    print("\nThe floor, product by product (fastest of 25 rounds of 5 calls each; "
          "c(...) = np.ascontiguousarray, a trailing f = Fortran order):")
    for product, times in t_arrangements:
        fastest = min(times.values())
        print(f"  {product}")
        for name, t in sorted(times.items(), key=lambda kv: kv[1]):
            mark = "  <- floor" if t == fastest else ""
            print(f"    {name:<20} {t * 1e3:7.3f} ms{mark}")
    print("\nRatios are medians of back-to-back pairs; a fastest run far below its median "
          "means the machine was busy.")


if __name__ == "__main__":
    main()
