"""Plugged-in numbers that add up: a student who redoes a line with a pencil gets the
printed result.

A numbers line is built as LaTeX and as the exact value of what it prints at once: every
operand is rounded first, and the arithmetic is done on the rounded operands in Decimal.
``plugged`` then prints the operands with the fewest significant digits (4 or more) whose
arithmetic lands within half a unit of the result's last printed digit, and writes ≈ where
the result is rounded. The result keeps 4 significant digits.

Activations of sigmoid, tanh and softmax come exactly from z (exact.outputs); above 0.9999
one prints as 1 − (1 − a), never as 1.
"""

from decimal import Decimal

from .exact import NEAR_ONE, PREC, D, Q, exact
from .expr import Digits, E, matrix
from .notation import rounded, text_of, unit, wide

CAP = 400              # beyond this many digits a check costs too much: see ``plugged``


def shown(x, digits=4):
    """How a result is printed: (LaTeX, the value printed, half a unit of its last digit)
    for a number, a Q, or rows of them."""
    if isinstance(x, (list, tuple)) or getattr(x, "ndim", 0):
        rows = [list(r) if isinstance(r, (list, tuple)) or getattr(r, "ndim", 0) else [r]
                for r in x]
        each = [[shown(v, digits) for v in r] for r in rows]
        tex = matrix([[E(t, v) for t, v, _ in r] for r in each]).tex
        return tex, tuple(tuple(v for _, v, _ in r) for r in each), \
            tuple(tuple(h for _, _, h in r) for r in each)
    if isinstance(x, Decimal) and 1 - NEAR_ONE < abs(x) < 1:   # computed, close to ±1
        x = Q(x, 1 - abs(x))
    if isinstance(x, Q) and x.near_one():
        with exact(min(PREC - x.c.adjusted(), CAP)):   # beyond CAP, 1 − c is taken as 1
            e = Digits(digits)(x)
        return e.tex, e.val, unit(x.c, digits) / 2
    context = wide(digits)
    r = rounded(x.v if isinstance(x, Q) else D(x), digits, context)
    # a printed 0 stands for anything float64 cannot tell from 0
    half = Decimal(5).scaleb(r.adjusted() - digits, context) if r else _TINY
    return text_of(r, digits, context), r, half


_TINY = Decimal(2.2250738585072014e-308)


def _flat(v):
    return [x for r in v for x in r] if isinstance(v, tuple) else [v]


def plugged(build, result):
    """``build(f)`` -> E, with f formatting each operand. The LaTeX "operands ≈ result":
    operands with the fewest digits (4..17) that give the result to half a unit of its
    last digit; = where the printed result is exactly what they give. Also returns the
    result as printed.

    The arithmetic carries 60 digits more than it takes to tell the closest 1 − c printed
    from 1. Where that is over 400 digits (an output within 10^−340 of 1, far beyond what
    float64 can tell), the operands are printed with 17 digits and the line is not checked.
    """
    tex, val, half = shown(result)
    need = max([0] + [-q.c.adjusted() for q in _flat(_rows(result))
                      if isinstance(q, Q) and q.near_one()])
    p, decimals, tried = 4, {}, set()
    while p <= 17:
        f = Digits(p, decimals)
        if PREC + need > CAP:
            with exact(quiet=True):
                return f"{build(Digits(17)).tex} \\approx {tex}", tex
        with exact(PREC + need, quiet=True):
            e = build(f)
            if f.need > need:    # an operand closer to 1 than the digits allowed for: again
                need = f.need
                continue
            got = _flat(e.val)
            off = max((abs(g - v) / h for g, v, h in zip(got, _flat(val), _flat(half))),
                      default=0)
        tried.add(p)
        if off <= 1:
            if p - 1 in tried or p == 4:
                break
            p -= 1           # a jump may have overshot: the fewest digits that do
            continue
        # the error shrinks tenfold a digit: jump to where it should fit, then step
        jump = min(p + max(1, int(off.log10()) + 1), 17) if off.is_finite() else p + 1
        p = jump if jump not in tried else p + 1     # past 17: none will do
    else:   # float64 rounding in the result itself: print what the operands give
        with exact(PREC + need):
            tex, val, _ = shown(e.val if e.kind != "mat" else [list(r) for r in e.val])
    rel = "=" if got == _flat(val) else r"\approx"
    return f"{e.tex} {rel} {tex}", tex


def value(x):
    """= or ≈ and x as printed: a given number (or rows of them), rounded to 4 digits if
    it must be."""
    tex, val, _ = shown(x)
    return ("=" if _flat(val) == [_exact(v) for v in _flat(_rows(x))] else r"\approx") + f" {tex}"


def _rows(x):
    if isinstance(x, (list, tuple)) or getattr(x, "ndim", 0):
        return tuple(tuple(r) if isinstance(r, (list, tuple)) or getattr(r, "ndim", 0)
                     else (r,) for r in x)
    return x


def _exact(x):
    return x.v if isinstance(x, Q) else D(x)
