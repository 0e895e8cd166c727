"""Plugged-in numbers that add up: a student who redoes a line with a pencil gets the
printed result.

A numbers line is built as LaTeX and as the exact value of what it prints at once: every
operand is rounded first, and the arithmetic is done on the rounded operands in Decimal.
``plugged`` then prints the operands with the fewest significant digits (4 or more) whose
arithmetic lands within half a unit of the result's last printed digit, and writes ≈ where
the result is rounded. The result keeps 4 significant digits.

Activations of sigmoid, tanh and softmax are taken exactly from z (``outputs``): 1 − a is
σ(−z) rather than 1 − 0.9999, and a sigmoid output is never printed as 0 or 1: above
0.9999 it is written 1 − (1 − a).
"""

from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Decimal, getcontext, localcontext

from .notation import num, rounded, unit

PREC = 60              # digits of the exact arithmetic; operands print with at most 17
CAP = 400              # beyond this many digits a check costs too much: see ``plugged``
NEAR_ONE = Decimal("1e-4")   # |a| above 1 − this prints as 1 − (1 − |a|)
MAX_TERMS = 8          # longer sums are written with ⋯ in the middle


def exact(prec=PREC, quiet=False):
    """A context for the exact arithmetic: ``prec`` digits (or more, inside a context that
    already has more), exponents of any size. ``quiet`` (kept by the contexts inside it):
    ln 0 and the like give NaN instead of raising."""
    ctx = getcontext().copy()
    ctx.prec, ctx.Emax, ctx.Emin = max(prec, ctx.prec), MAX_EMAX, MIN_EMIN
    if quiet:
        ctx.traps = dict.fromkeys(ctx.traps, False)
    return localcontext(ctx)


def D(x):
    """x as a Decimal: a float as its shortest decimal form, so a typed 0.1 stays 0.1."""
    return x if isinstance(x, Decimal) else Decimal(repr(float(x)))


@dataclass(frozen=True)
class Q:
    """An activation known exactly: v, and c = 1 − |v| (accurate where it is small)."""
    v: Decimal
    c: Decimal = None

    def near_one(self):
        return self.c is not None and self.c < NEAR_ONE


def outputs(name, z):
    """Each a_j of the activation ``name`` at the vector z, exactly, as a Q."""
    z = [D(t) for t in z]
    with exact():
        if name == "sigmoid":   # a = 1/(1 + e^{−z}), 1 − a = 1/(1 + e^{z})
            return [Q(1 / (1 + (-t).exp()), 1 / (1 + t.exp())) for t in z]
        if name == "tanh":      # |a| = (1 − e)/(1 + e), 1 − |a| = 2e/(1 + e), e = e^{−2|z|}
            out = []
            for t in z:
                e = (-2 * abs(t)).exp()
                out.append(Q((1 - e) / (1 + e) * (1 if t >= 0 else -1), 2 * e / (1 + e)))
            return out
        if name == "softmax":
            top = max(z)
            e = [(t - top).exp() for t in z]
            s = sum(e)
            return [Q(ej / s, sum(ek for k, ek in enumerate(e) if k != j) / s)
                    for j, ej in enumerate(e)]
    return [Q(t) for t in z] if name == "linear" else [Q(max(t, Decimal(0))) for t in z]


# --- expressions: LaTeX and exact value together -----------------------------------------

@dataclass(frozen=True)
class E:
    tex: str
    val: object        # a Decimal, or a tuple of rows of Decimals for a matrix
    kind: str = "num"  # "num", "sci" (×10ⁿ), "neg", "sum", "near" (1 − c), "prod",
    #                    "group" or "mat"


def _atom(tex, val):
    kind = "neg" if tex.startswith("-") else "sci" if r"\times" in tex else "num"
    return E(tex, val, kind)


class Digits:
    """Formats operands with p significant digits, keeping the value printed."""

    def __init__(self, p):
        self.p = p
        self.need = 0   # digits needed to tell 1 − c from 1, for the smallest c printed

    def _near(self, c):
        self.need = max(self.need, -c.adjusted())

    def __call__(self, x):
        if isinstance(x, Q) and x.near_one():
            c = rounded(x.c, self.p)
            self._near(c)
            one = E(rf"1-{num(c, self.p)}", 1 - c, "near")
            return one if x.v > 0 else E(rf"-({one.tex})", -one.val, "neg")
        x = x.v if isinstance(x, Q) else D(x)
        return _atom(num(x, self.p), rounded(x, self.p))

    def pair(self, q):
        """a and 1 − a of a sigmoid or softmax output, printed so that they add up to 1:
        the smaller one with p digits, the larger one exactly 1 minus it."""
        small_is_a = q.v <= q.c
        s = rounded(q.v if small_is_a else q.c, self.p)
        s_e = _atom(num(s, self.p), s)
        big = 1 - s
        if s < NEAR_ONE:
            self._near(s)
        big_e = E(rf"1-{s_e.tex}", big, "near") if s < NEAR_ONE else _atom(f"{big:f}", big)
        return (s_e, big_e) if small_is_a else (big_e, s_e)


def wrap(e, keep=("num", "sci", "prod", "group")):
    return e if e.kind in keep else E(f"({e.tex})", e.val, "group")


def times(*es):
    return E(r"\cdot".join(wrap(e).tex for e in es), _product(e.val for e in es), "prod")


def _product(vals):
    out = Decimal(1)
    for v in vals:
        out *= v
    return out


def plus(es):
    es = list(es)
    shown = es if len(es) <= MAX_TERMS else es[:3] + [None] + es[-2:]
    tex = " + ".join(r"\cdots" if e is None else wrap(e, ("num", "sci", "prod", "group", "sum")).tex
                     if i else e.tex for i, e in enumerate(shown))
    return E(tex, sum(e.val for e in es), "sum")


def minus(a, b):
    """a − b; a near-one 1 − c in front is bracketed: (1 − c) − y."""
    return E(f"{wrap(a, ('num', 'sci', 'prod', 'group', 'sum', 'neg')).tex}-{wrap(b).tex}",
             a.val - b.val, "sum")


def group(e, left="(", right=")"):
    return E(f"{left}{e.tex}{right}", e.val, "group")


def square(e):
    return E(f"{wrap(e, ('num',)).tex}^2", e.val * e.val, "prod")


def ln(e):
    return E(rf"\ln {wrap(e, ('num',)).tex}", e.val.ln(), "prod")


def tanh(e):
    with exact():
        t = (-2 * abs(e.val)).exp()
        v = (1 - t) / (1 + t) * (1 if e.val >= 0 else -1)
    return E(rf"\tanh {wrap(e, ('num',)).tex}", v, "prod")


def frac(n, d):
    return E(rf"\frac{{{n.tex}}}{{{d.tex}}}", n.val / d.val, "group")


def exp(e):
    return E(f"e^{{{e.tex}}}", e.val.exp(), "num")


def sech2(e):
    """1/cosh²z, exact however large |z| is."""
    t = (-2 * abs(e.val)).exp()
    return E(rf"\frac{{1}}{{\cosh^2 {wrap(e, ('num',)).tex}}}", 4 * t / (1 + t) ** 2, "group")


def constant(v):
    return _atom(num(v, 17), Decimal(v))


# --- matrices ------------------------------------------------------------------------------

def matrix(cells, max_rows=6, max_cols=6):
    """A bmatrix of expressions (rows of E), elided with dots beyond 6 × 6."""
    def cut(n, most):
        return list(range(n)) if n <= most else list(range(most - 2)) + [None, n - 1]
    rows, cols = cut(len(cells), max_rows), cut(len(cells[0]), max_cols)
    tex = r" \\ ".join(" & ".join(r"\vdots" if i is None else r"\cdots" if k is None
                                  else cells[i][k].tex for k in cols) for i in rows)
    val = tuple(tuple(c.val for c in row) for row in cells)
    return E(r"\begin{bmatrix}" + tex + r"\end{bmatrix}", val, "mat")


def column(f, xs):
    return matrix([[f(x)] for x in xs])


def grid(f, arr):
    return matrix([[f(x) for x in row] for row in arr])


def matmul(a, b):
    val = tuple(tuple(sum(r[i] * b.val[i][k] for i in range(len(r)))
                      for k in range(len(b.val[0]))) for r in a.val)
    return E(f"{a.tex}{b.tex}", val, "prod")


def entrywise(a, b, op, tex):
    val = tuple(tuple(op(x, y) for x, y in zip(ra, rb)) for ra, rb in zip(a.val, b.val))
    return E(f"{a.tex} {tex} {b.tex}", val, "sum" if tex in ("+", "-") else "prod")


def scaled(a, s):
    return E(rf"{a.tex}\cdot{wrap(s).tex}", tuple(tuple(x * s.val for x in r) for r in a.val),
             "prod")


def applied(name_tex, a, fn):
    """``name_tex``(a) with each column of ``a`` mapped by fn (a list → list)."""
    cols = [fn([r[k] for r in a.val]) for k in range(len(a.val[0]))]
    val = tuple(tuple(c[i] for c in cols) for i in range(len(a.val)))
    return E(rf"{name_tex}\left({a.tex}\right)", val, "group")


# --- results -------------------------------------------------------------------------------

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
        with exact(PREC - x.c.adjusted()):
            e = Digits(digits)(x)
        return e.tex, e.val, unit(x.c, digits) / 2
    v = x.v if isinstance(x, Q) else D(x)
    # a printed 0 stands for anything float64 cannot tell from 0
    return num(v, digits), rounded(v, digits), unit(v, digits) / 2 or _TINY


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
    probe = Digits(17)
    with exact(quiet=True):    # only to see how close to 1 the operands come
        build(probe)
    need = max([probe.need] + [-q.c.adjusted() for q in _flat(_rows(result))
                                if isinstance(q, Q) and q.near_one()])
    if PREC + need > CAP:
        with exact(quiet=True):
            return f"{build(Digits(17)).tex} \\approx {tex}", tex
    with exact(PREC + need):
        for p in range(4, 18):
            e = build(Digits(p))
            got = _flat(e.val)
            if all(abs(g - v) <= h for g, v, h in zip(got, _flat(val), _flat(half))):
                break
        else:   # float64 rounding in the result itself: print what the operands give
            tex, val, _ = shown(e.val if e.kind != "mat" else [list(r) for r in e.val])
            got = _flat(e.val)
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
