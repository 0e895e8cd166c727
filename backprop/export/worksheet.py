"""A printable worksheet of one example, with numbered blanks, and its answer key:
``worksheet(net, x, y, blanks, fmt)``.

Every step of ``steps(net, trace)`` is shown with its equation (the rule and the same with
its shapes) and the numbers it computes; the cells in ``blanks`` are shown as (1), (2), …,
numbered in the order the worksheet reaches them. The key gives each answer, the accepted
tolerance and the derivation of ``explain``. So that no answer is printed elsewhere, a blank
also blanks every cell that one equation ties to it and that shows the same number:
∂C/∂b^l_j with δ^l_j (BP3), a^l_j with z^l_j (linear, relu), ∂C/∂w^l_jk with δ^l_j where
a^{l−1}_k = 1 (BP4), δ^L_j with a^L_j where y_j = 0 (BP1); each gets its own number.
"""


from .. import validate
from ..explain import explain
from ..explain.notation import plain, pretty, sym
from ..explain.steps import steps
from .render import RENDER, describe, number, tolerance

COMPUTED = ("z", "a", "cost", "delta", "nabla_b", "nabla_w")   # what may be blanked
MAX_BLANKS = 200



def cell_list(net, cells, most=MAX_BLANKS):
    """``cells`` as checked (quantity, l, j, k) tuples, 1-based, duplicates dropped: j is
    None for the cost, k None except for ∂C/∂w. Raises ValueError naming a bad cell."""
    if not isinstance(cells, (list, tuple)):
        raise ValueError("give the cells as a list of (quantity, l, j, k)")
    if len(cells) > most:
        raise ValueError(f"at most {most} cells, not {len(cells)}")
    out = []
    for c in cells:
        if not isinstance(c, (list, tuple)) or not 2 <= len(c) <= 4:
            raise ValueError(f"a cell is (quantity, l, j, k), e.g. ('delta', 2, 1, None); "
                             f"got {c!r:.40}")
        q, l, j, k = (tuple(c) + (None, None))[:4]
        if q not in COMPUTED or (q == "a" and l == 1):
            raise ValueError(f"only computed numbers can be asked for ({', '.join(COMPUTED)}, "
                             f"a from layer 2 on); got {q!r:.20} of layer {l!r:.10}")
        l = validate.whole("l", l)
        j = None if q == "cost" else validate.whole("j", j) if j is not None else None
        k = validate.whole("k", k) if q == "nabla_w" and k is not None else None
        _check(net, q, l, j, k)
        if (q, l, j, k) not in out:
            out.append((q, l, j, k))
    return out


def _check(net, q, l, j, k):
    lo = 2 if q != "cost" else net.L
    if not lo <= l <= net.L:
        raise ValueError(f"{plain(q)} exists for layers {lo}..{net.L}, not layer {l}")
    if q == "cost":
        return
    n = net.sizes[l - 1]
    if j is None or not 1 <= j <= n:
        raise ValueError(f"j must be a neuron of layer {l}: 1..{n}; got {j}")
    if q == "nabla_w" and (k is None or not 1 <= k <= net.sizes[l - 2]):
        raise ValueError(f"k must be a neuron of layer {l - 1}: 1..{net.sizes[l - 2]}; got {k}")


def _rows(trace, q, l):
    """The numbers of quantity q of layer l as rows: a column for a vector."""
    v = trace.cost if q == "cost" else getattr(trace, q)[l]
    if q == "nabla_w":
        return [list(map(float, row)) for row in v]
    return [[float(t)] for t in ([v] if q == "cost" else v)]


def _cell(q, l, r, c):
    return (q, l, None if q == "cost" else r + 1, c + 1 if q == "nabla_w" else None)


def _value(trace, cell):
    q, l, j, k = cell
    return trace.cost if q == "cost" else getattr(trace, q)[l][(j - 1,) + ((k - 1,) if k else ())]


def _linked(net, cell):
    """The cells one equation ties to ``cell`` (a = σ(z), BP1, BP3, BP4), whatever their
    values."""
    q, l, j, k = cell
    out = {"nabla_b": [("delta", l, j, None)], "z": [("a", l, j, None)]}.get(q, [])
    if q == "delta":
        out = [("nabla_b", l, j, None)] + [("nabla_w", l, j, i) for i in
                                           range(1, net.sizes[l - 2] + 1)]
    elif q == "nabla_w":
        out = [("delta", l, j, None)] + ([("a", l - 1, k, None)] if l > 2 else [])
    elif q == "a":
        after = range(1, net.sizes[l] + 1) if l < net.L else ()
        out = [("z", l, j, None)] + [("nabla_w", l + 1, i, j) for i in after]
    if q in ("a", "delta") and l == net.L:    # δ^L = a^L − y, where y_j = 0
        out.append(("delta" if q == "a" else "a", l, j, None))
    return out


def _hidden(net, trace, cells):
    """``cells`` and, repeatedly, every cell ``_linked`` to one of them that is shown as the
    same number: blanking only one of such a pair would print the other's answer."""
    out, todo = set(cells), list(cells)
    while todo:
        cell = todo.pop()
        shown = number(_value(trace, cell))
        for other in _linked(net, cell):
            if other not in out and number(_value(trace, other)) == shown:
                out.add(other)
                todo.append(other)
    return out


def given(R, net, x, y):
    """The matrices w^l, b^l for l = 2..L, then x and y."""
    out = [R.matrix(sym(q, l), pretty(plain(q, l)), [[float(t) for t in row] for row in p])
           for l in net.w for q, p in (("w", net.w[l]), ("b", net.b[l][:, None]))]
    return out + [R.matrix(q, q, [[float(t)] for t in v]) for q, v in (("x", x), ("y", y))]


def worksheet(net, x, y, blanks, fmt="markdown"):
    """(worksheet, answer_key): two texts, both Markdown with LaTeX or both self-contained
    HTML (``fmt="html"``: no script; the LaTeX is shown as TeX source in <code>)."""
    if fmt not in RENDER:
        raise ValueError(f"fmt must be one of {', '.join(RENDER)}; got {fmt!r:.20}")
    R = RENDER[fmt]
    trace = net.backprop(x, y)
    hidden = _hidden(net, trace, cell_list(net, blanks))
    number, rule = {}, ("Fill in each numbered blank. An answer is right within a relative "
                        "10⁻³ or an absolute 5×10⁻⁴ of the key, whichever is looser (as in "
                        "the explorer's practice mode).")
    sheet = [R.title("Backpropagation worksheet"), R.para(describe(net)), R.para(rule),
             R.heading("Given")]
    sheet += given(R, net, trace.x, trace.y)
    for s in steps(net, trace):
        rows = _rows(trace, s.quantity, s.l)
        for r, row in enumerate(rows):
            for c in range(len(row)):
                cell = _cell(s.quantity, s.l, r, c)
                if cell in hidden:
                    number[cell] = len(number) + 1
                    row[c] = number[cell]      # an int: the blank's number
        sheet += [R.heading(f"{s.index + 1}. {s.title}"), R.para(s.text),
                  R.tex(s.rule), R.tex(s.shapes),
                  R.matrix(sym(s.quantity, s.l), pretty(plain(s.quantity, s.l)), rows)]
    key = [R.title("Answer key"), R.para(describe(net))]
    for cell, n in number.items():
        d = explain(net, trace, *cell)
        key += [R.heading(f"({n}) {pretty(plain(*cell))} — {d.equation}"),
                R.answer(d.value, tolerance(d.value)), R.para(d.text)]
        key += [R.tex(line) for line in d.lines]
    return R.page("Backpropagation worksheet", sheet), R.page("Answer key", key)
