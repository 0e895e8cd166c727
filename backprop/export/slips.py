"""The answers a student reaches after a classic slip, carried through to the cells a quiz
asks: ``slipped(net, trace, asked)``; and the tolerance that keeps them out:
``separating_tolerance(right, values, rule)``.

A quiz shows no intermediate values, so a slip made at any step before the asked cell
reaches it through the later steps, each computed right from the wrong number. The slips
are those of ``mistakes.candidates`` (each offered where it changes the computation; a
mistake added there is picked up here), made in one of two ways: at every cell of one step
where the slip is offered (a student who leaves σ′ out of δ² leaves it out of every δ²_j),
or at one cell alone, the asked cell or one it is computed from directly (``explain``'s
``uses``: δ²_1 for ∂C/∂w²_11). A slip at one distant cell is left out: a z given for a at
one hidden neuron with z ≈ tanh z moves the answer by next to nothing, and no quiz could
keep every such slip out. All slips are computed at once: one forward and backward pass
over a batch with one row per slip, the slip written over its cell.
"""

import numpy as np

from ..activations import ACTIVATIONS
from ..costs import bp1
from ..explain import explain
from ..practice.mistakes import MISTAKES, candidates

FLOOR = 1e-4    # the narrowest tolerance, relative to the answer
_PLAIN = ACTIVATIONS["linear"]   # as ``act``, the costs' plain forms taken from a itself


def _slips(net, trace, direct):
    """[(what, {(quantity, l): {j: value}})]: each slip made at every cell of one step where
    it is offered, and each slip made at one of the cells ``direct`` alone."""
    out, steps = [], {}
    for l in range(2, net.L + 1):
        for q in ("z", "a", "delta"):
            for j in range(1, net.sizes[l - 1] + 1):
                right = (trace.z if q == "z" else trace.a if q == "a" else trace.delta)[l][j - 1]
                for mid, value, _ in candidates(net, trace, q, l, j):
                    if not np.isfinite(value) or value == right:
                        continue
                    steps.setdefault((q, l, mid), {})[j] = value
                    if (q, l, j) in direct:
                        out.append((f"{MISTAKES.get(mid, mid)} at {_name(q)}{l}_{j}",
                                    {(q, l): {j: value}}))
    for (q, l, mid), cells in steps.items():
        out.append((f"{MISTAKES.get(mid, mid)} in {_name(q)}{l}", {(q, l): cells}))
    return out


def _name(q):
    return {"delta": "δ"}.get(q, q)


def _write(arr, rows, over, key):
    for r, cells in zip(rows, over):
        for j, v in cells.get(key, {}).items():
            arr[r, j - 1] = v


def slipped(net, trace, asked):
    """{cell: [(value, what went wrong)]} for each asked cell (quantity, l, j, k), 1-based:
    the values that the slips carry to it, the cell's own slips included. A slip that
    leaves the cell's value unchanged is listed too; the caller compares."""
    direct = {(q, l, j) for cell in asked for q, l, j, _ in
              [cell] + list(explain(net, trace, *cell).uses)}
    slips = _slips(net, trace, direct)
    over = [s[1] for s in slips]
    rows = range(len(over))
    K, L = len(over), net.L
    cost, out_act = net._cost, net._acts[-1]
    A = np.tile(trace.x, (K, 1))                            # (K, n_1)
    Zs, As, SPs = {}, {1: A}, {}
    for l in range(2, L + 1):
        act = net._acts[l - 2]
        Z = A @ net.w[l].T + net.b[l]                       # (K, n_l)
        _write(Z, rows, over, ("z", l))
        A = act.fn(Z)
        SPs[l] = act.prime(Z, A)                            # σ′ of the (maybe slipped) z
        A = np.array(A)
        _write(A, rows, over, ("a", l))
        Zs[l], As[l] = Z, A
    Y = np.tile(trace.y, (K, 1))
    # a row whose a^L was slipped computes δ^L and C_x from that a, by the plain formulas
    own_a = np.array([("a", L) in o for o in over], dtype=bool)[:, None]
    with np.errstate(all="ignore"):
        D = np.where(own_a, _bp1_from_a(cost, Zs[L], As[L], Y, out_act, SPs[L]),
                     bp1(cost, Zs[L], As[L], Y, out_act, SPs[L]))
        C = np.where(own_a[:, 0], cost.fn(Zs[L], As[L], Y, _PLAIN),
                     cost.fn(Zs[L], As[L], Y, out_act))
    D = np.array(D)
    _write(D, rows, over, ("delta", L))
    Ds = {L: D}
    for l in range(L - 1, 1, -1):
        D = (D @ net.w[l + 1]) * SPs[l]                     # (BP2), a row per slip
        _write(D, rows, over, ("delta", l))
        Ds[l] = D
    result = {}
    for cell in asked:
        q, l, j, k = cell
        if q == "cost":
            values = C
        elif q == "nabla_w":
            values = Ds[l][:, j - 1] * As[l - 1][:, k - 1]          # (BP4)
        else:
            values = {"z": Zs, "a": As, "delta": Ds, "nabla_b": Ds}[q][l][:, j - 1]
        got = [(float(v), s[0]) for v, s in zip(values, slips)]
        if q in ("cost", "nabla_b", "nabla_w"):             # slips of the cell itself
            got += [(float(v), MISTAKES.get(mid, mid)) for mid, v, _ in
                    candidates(net, trace, q, l, j, k)]
        result[cell] = got
    return result


def _bp1_from_a(cost, Z, A, Y, act, SP):
    """δ^L as a student computes it from a^L alone (a − y where σ′ cancels)."""
    reduced = (cost.reduced or {}).get(act.name)
    if reduced is not None:
        return reduced.fn(Z, A, Y, _PLAIN)
    g = cost.grad_a(A, Y, Z, _PLAIN)
    return g * SP if act.elementwise else np.einsum("...kj,...k->...j", SP, g)


def separating_tolerance(right, values, rule):
    """(tolerance, slips within reach): the quiz's tolerance for the answer ``right``, the
    ``rule`` tolerance narrowed to half the distance to the nearest slipped value and to 0,
    so that an answer that made a slip, or 0, is out of reach by one tolerance more; and
    the (value, what) of the slips it could not keep out (a tolerance below ``FLOOR`` of
    |right| would refuse a right answer with rounded intermediate results)."""
    right = float(right)
    far = [(v, what) for v, what in values
           if abs(v - right) > 1e-9 * max(abs(right), 1e-300)]   # a slip that changes it
    gaps = [abs(v - right) for v, _ in far] + [abs(right)]
    tol = min(rule, min(gaps) / 2)
    tol = _down(tol) if tol > 0 else 0.0
    if right == 0 or tol < FLOOR * abs(right):
        return rule, [(v, what) for v, what in far if abs(v - right) <= rule]
    return tol, []


def _down(t):
    """``t`` > 0 rounded down to two significant digits, as a float that prints short."""
    e = int(np.floor(np.log10(t))) - 1
    return float(f"{int(t / 10.0**e)}e{e}")
