"""Reads the numbers lines the explorer prints and redoes their arithmetic, independently of
the package: a small parser for the LaTeX it writes (numbers, + − · ⊙, juxtaposition,
brackets, \\frac, \\tfrac12, e^{…}, ^2, \\ln, \\tanh, \\cosh^2, \\max(0, ·), bmatrix, σ(·),
softmax(·) and C_x(·, ·)), evaluated in 80-digit Decimal arithmetic.

``check_line(line, ...)`` splits a line at its relations (= and ≈) and compares the value
of the last expression with the result printed after it.
"""

import re
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, getcontext, localcontext

CTX = dict(prec=80, Emax=MAX_EMAX, Emin=MIN_EMIN)
TINY = Decimal(2.2250738585072014e-308)   # a printed 0 stands for what float64 holds as 0

NUMBER = r"\d+(?:\.\d+)?(?:\\times10\^\{-?\d+\})?"
TOKEN = re.compile(r"\s*(" + NUMBER + r"|\\begin\{bmatrix\}|\\end\{bmatrix\}|\\\\|&"
                   r"|\\operatorname\{softmax\}|\\left\(|\\right\)|\\left\[|\\right\]"
                   r"|\\Big\(|\\Big\)|\\big\(|\\big\)|\\frac|\\tfrac12|\\cdot|\\odot|\\ln"
                   r"|\\tanh|\\cosh\^2|\\max|\\sigma|C_x|\\approx|\\,|[-+()\[\]{}^,=e2])")


class NotArithmetic(Exception):
    """The text is not a plain numeric expression (it holds symbols or words)."""


def number(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\\times10\^\{(-?\d+)\})?", text)
    return Decimal(m.group(1)).scaleb(int(m.group(2) or 0))


def tokens(text):
    out, i = [], 0
    text = text.strip()
    while i < len(text):
        m = TOKEN.match(text, i)
        if not m:
            raise NotArithmetic(text[i:i + 20])
        if m.group(1) != r"\,":
            out.append(m.group(1))
        i = m.end()
    return out


def is_matrix(v):
    return isinstance(v, list)


def _map(v, fn):
    return [[fn(x) for x in r] for r in v] if is_matrix(v) else fn(v)


def _zip(a, b, fn):
    if is_matrix(a) and is_matrix(b):
        assert len(a) == len(b) and len(a[0]) == len(b[0]), "shapes differ"
        return [[fn(x, y) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]
    if is_matrix(a):
        return _map(a, lambda x: fn(x, b))
    if is_matrix(b):
        return _map(b, lambda y: fn(a, y))
    return fn(a, b)


def _times(a, b, juxtaposed):
    if is_matrix(a) and is_matrix(b):
        assert juxtaposed, "two matrices multiply side by side"
        assert len(a[0]) == len(b)
        return [[sum(a[i][t] * b[t][k] for t in range(len(b))) for k in range(len(b[0]))]
                for i in range(len(a))]
    return _zip(a, b, lambda x, y: x * y)


def tanh(x):
    e = (-2 * abs(x)).exp()
    return (1 - e) / (1 + e) * (1 if x >= 0 else -1)


class Parser:
    """Recursive descent over the tokens; ``sigma`` maps a column (list) to a column and
    ``cost`` maps (a, y) columns to a number, for the step lines that apply them."""

    def __init__(self, text, sigma=None, softmax=None, cost=None):
        self.t, self.i = tokens(text), 0
        self.sigma, self.softmax, self.cost = sigma, softmax, cost

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self, want=None):
        tok = self.peek()
        if tok is None or (want is not None and tok != want):
            raise NotArithmetic(f"expected {want!r}, got {tok!r}")
        self.i += 1
        return tok

    def parse(self):
        """The value, in the current Decimal context if it has more than 80 digits."""
        with localcontext(Context(**{**CTX, "prec": max(CTX["prec"], getcontext().prec)})):
            v = self.expr()
        if self.peek() is not None:
            raise NotArithmetic(f"left over: {self.t[self.i:]}")
        return v

    def expr(self):
        v = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            w = self.term()
            v = _zip(v, w, (lambda x, y: x + y) if op == "+" else (lambda x, y: x - y))
        return v

    STARTS = {"(", "[", r"\left(", r"\left[", r"\Big(", r"\big(", r"\frac", r"\tfrac12", "e",
              r"\ln", r"\tanh", r"\cosh^2", r"\max", r"\begin{bmatrix}", r"\sigma",
              r"\operatorname{softmax}", "C_x", "2"}

    def term(self):
        v = self.unary()
        while True:
            tok = self.peek()
            if tok in (r"\cdot", r"\odot"):
                self.take()
                w = self.unary()
                v = _times(v, w, False) if tok == r"\cdot" else _zip(v, w, lambda x, y: x * y)
            elif tok is not None and (tok in self.STARTS or re.fullmatch(NUMBER, tok)):
                v = _times(v, self.unary(), True)
            else:
                return v

    def unary(self):
        if self.peek() == "-":
            self.take()
            return _map(self.unary(), lambda x: -x)
        return self.power()

    def power(self):
        v = self.primary()
        if self.peek() == "^":
            self.take()
            self.take("2")
            v = _map(v, lambda x: x * x)
        return v

    def group(self, close):
        v = self.expr()
        self.take(close)
        return v

    def arg(self):
        if self.peek() == "(":
            self.take()
            return self.group(")")
        return self.primary()

    def primary(self):
        tok = self.take()
        if re.fullmatch(NUMBER, tok) or tok == "2":
            return number(tok)
        pairs = {"(": ")", "[": "]", r"\left(": r"\right)", r"\left[": r"\right]",
                 r"\Big(": r"\Big)", r"\big(": r"\big)", "{": "}"}
        if tok in pairs:
            return self.group(pairs[tok])
        if tok == r"\frac":
            self.take("{")
            n = self.group("}")
            self.take("{")
            return n / self.group("}")
        if tok == r"\tfrac12":
            return Decimal("0.5")
        if tok == "e":
            self.take("^")
            self.take("{")
            return self.group("}").exp()
        if tok == r"\ln":
            return self.arg().ln()
        if tok == r"\tanh":
            return tanh(self.arg())
        if tok == r"\cosh^2":
            x = self.arg()
            return ((x.exp() + (-x).exp()) / 2) ** 2
        if tok == r"\max":
            self.take("(")
            zero = number(self.take())
            assert zero == 0
            self.take(",")
            return max(Decimal(0), self.group(")"))
        if tok == r"\begin{bmatrix}":
            return self.matrix()
        if tok in (r"\sigma", r"\operatorname{softmax}"):
            fn = self.sigma if tok == r"\sigma" else self.softmax
            if fn is None:
                raise NotArithmetic(tok)
            self.take(r"\left(")
            m = self.group(r"\right)")
            return [[c] for c in fn([r[0] for r in m])]
        if tok == "C_x" and self.cost is not None:
            self.take(r"\left(")
            a = self.expr()
            self.take(",")
            y = self.group(r"\right)")
            return self.cost([r[0] for r in a], [r[0] for r in y])
        raise NotArithmetic(tok)

    def matrix(self):
        rows, row = [], [self.expr()]
        while True:
            tok = self.take()
            if tok == "&":
                row.append(self.expr())
            elif tok == "\\\\":
                rows.append(row)
                row = [self.expr()]
            elif tok == r"\end{bmatrix}":
                rows.append(row)
                return rows
            else:
                raise NotArithmetic(tok)


def split_relations(line):
    """The parts of a line between top-level = and \\approx, and the relations."""
    parts, rels, depth, start, i = [], [], 0, 0, 0
    while i < len(line):
        ch = line[i]
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        if depth == 0 and (ch == "=" or line.startswith(r"\approx", i)):
            parts.append(line[start:i])
            rel = "=" if ch == "=" else "≈"
            rels.append(rel)
            i += 1 if ch == "=" else len(r"\approx")
            start = i
            continue
        i += 1
    parts.append(line[start:])
    return [p.strip() for p in parts], rels


def half_unit(text):
    """Half a unit in the last printed digit of a result (4 significant digits at least)."""
    text = text.strip()
    m = re.fullmatch(r"-?\(?1-(" + NUMBER + r")\)?", text)
    if m:
        return half_unit(m.group(1))
    m = re.fullmatch(r"-?(\d+)(?:\.(\d+))?(?:\\times10\^\{(-?\d+)\})?", text)
    assert m, text
    v = abs(number(text.lstrip("-")))
    if v == 0:
        return TINY
    printed = Decimal(1).scaleb(int(m.group(3) or 0) - len(m.group(2) or ""))
    four = Decimal(1).scaleb(v.adjusted() - 3)
    return min(printed, four) / 2


def result_entries(text):
    """[(value, half unit)] of a printed result: one number, or every entry of a bmatrix."""
    text = text.strip()
    if text.startswith(r"\begin{bmatrix}"):
        body = text[len(r"\begin{bmatrix}"):-len(r"\end{bmatrix}")]
        cells = [c.strip() for r in body.split("\\\\") for c in r.split("&")]
    else:
        cells = [text]
    return [(Parser(c).parse(), half_unit(c)) for c in cells]


def flat(v):
    return [x for r in v for x in r] if is_matrix(v) else [v]
