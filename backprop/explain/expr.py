"""Expressions written as LaTeX and evaluated exactly at once (``E``), so that the numbers
a line shows and the value it stands for can never part: numbers (``Digits`` rounds each
operand as printed), + − ·, brackets, fractions, e^x, ln, tanh, 1/cosh², and matrices."""

from dataclasses import dataclass
from decimal import Decimal

from .exact import NEAR_ONE, D, Q, exact
from .notation import num, rounded, text_of, wide

MAX_TERMS = 8          # longer sums are written with ⋯ in the middle

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

    def __init__(self, p, decimals=None):
        self.p, self.ctx = p, wide(p)
        self.need = 0   # digits needed to tell 1 − c from 1, for the smallest c printed
        self.decimals = {} if decimals is None else decimals   # float -> Decimal, shared

    def _near(self, c):
        self.need = max(self.need, -c.adjusted())

    def _decimal(self, x):
        if isinstance(x, (Q, Decimal)):
            return x.v if isinstance(x, Q) else x
        d = self.decimals.get(x)
        if d is None:
            d = self.decimals[x] = D(x)
        return d

    def __call__(self, x):
        if isinstance(x, Q) and x.near_one():
            c = rounded(x.c, self.p, self.ctx)
            self._near(c)
            one = E(rf"1-{text_of(c, self.p, self.ctx)}", 1 - c, "near")
            return one if x.v > 0 else E(rf"-({one.tex})", -one.val, "neg")
        r = self.ctx.plus(self._decimal(x))
        return _atom(text_of(r, self.p, self.ctx), r)

    def value(self, x):
        """The value of ``self(x)`` alone, for a cell a matrix does not show."""
        if isinstance(x, Q) and x.near_one():
            return self(x).val
        return self.ctx.plus(self._decimal(x))

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

def _cut(n, most=6):
    """The rows (or columns) a matrix shows: all up to 6, else 4, a gap (None) and the last."""
    return list(range(n)) if n <= most else list(range(most - 2)) + [None, n - 1]


def matrix(cells):
    """A bmatrix of expressions (rows of E), elided with dots beyond 6 × 6."""
    rows, cols = _cut(len(cells)), _cut(len(cells[0]))
    tex = r" \\ ".join(" & ".join(r"\vdots" if i is None else r"\cdots" if k is None
                                  else cells[i][k].tex for k in cols) for i in rows)
    val = tuple(tuple(c.val for c in row) for row in cells)
    return E(r"\begin{bmatrix}" + tex + r"\end{bmatrix}", val, "mat")


def column(f, xs):
    return grid(f, [[x] for x in xs])


def grid(f, arr):
    """The matrix of ``arr`` formatted by f; a cell it does not show keeps its value only."""
    rows, cols = set(_cut(len(arr))), set(_cut(len(arr[0])))
    return matrix([[f(x) if i in rows and k in cols else E("", f.value(x))
                    for k, x in enumerate(row)] for i, row in enumerate(arr)])


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
