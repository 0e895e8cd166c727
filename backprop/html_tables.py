"""A Network and a Trace as compact HTML tables, one per layer, for Jupyter (``_repr_html_``).

Symbols follow NOTATION.md: layer 1 is the input (a^1 = x); w^l is n_l × n_{l−1}, and a row j
of layer l's table holds neuron j: b^l_j and w^l_{jk} for a network; z^l_j, a^l_j, σ'(z^l_j),
δ^l_j, ∂C/∂b^l_j and ∂C/∂w^l_{jk} = a^{l−1}_k δ^l_j for a trace. Numbers have ``DIGITS``
significant digits; a large matrix shows its first and last rows and columns around "⋯".
Every text is escaped. Pure: returns strings, prints nothing.
"""

from html import escape

import numpy as np

DIGITS = 4
MAX_ROWS = 8        # neurons j shown per layer: the first MAX_ROWS − 2, "⋯", the last
MAX_COLS = 6        # columns k of a matrix shown, the same way

_STYLE = ("border-collapse:collapse;margin:0 0 0.6em 0;font-size:0.85em;"
          "font-variant-numeric:tabular-nums")


def number(v):
    """``v`` with DIGITS significant digits, as Python's "g" format writes it."""
    return escape(format(float(v), f".{DIGITS}g"))


def symbol(name, l=None, sub=None):
    """A symbol of the notation in HTML: symbol("w", 2, "jk") is w<sup>2</sup><sub>jk</sub>."""
    sup = "" if l is None else f"<sup>{escape(str(l))}</sup>"
    sub = "" if sub is None else f"<sub>{escape(str(sub))}</sub>"
    return f"{escape(name)}{sup}{sub}"


def _cut(n, most):
    """Indices 0..n−1 to show, with None where "⋯" stands for the ones left out."""
    return list(range(n)) if n <= most else list(range(most - 2)) + [None, n - 1]


def _table(caption, heads, columns, matrix=None):
    """One table: a row per neuron j, ``columns`` (vectors, one entry per j), then the
    columns k of ``matrix`` (n_l × n_{l−1}) under the heads ``matrix[0](k)``."""
    n = len(columns[0][1]) if columns else matrix[1].shape[0]
    ks = _cut(matrix[1].shape[1], MAX_COLS) if matrix else []
    head = "".join(f"<th>{h}</th>" for h in ["j", *heads])
    head += "".join("<th>⋯</th>" if k is None else f"<th>{matrix[0](k + 1)}</th>" for k in ks)
    rows = []
    for j in _cut(n, MAX_ROWS):
        if j is None:
            rows.append(f'<tr><td colspan="{1 + len(heads) + len(ks)}">⋮</td></tr>')
            continue
        cells = [f"<th>{j + 1}</th>"] + [f"<td>{number(v[j])}</td>" for _, v in columns]
        cells += ["<td>⋯</td>" if k is None else f"<td>{number(matrix[1][j, k])}</td>"
                  for k in ks]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table style="{_STYLE}"><caption style="text-align:left">{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _shape(l):
    return f"n<sub>{l}</sub> × n<sub>{l - 1}</sub>"


def network_html(net):
    """The network: its sizes, then per layer l = 2..L its σ, b^l and w^l."""
    L = net.L
    parts = [f"<p><b>Network</b> {escape('-'.join(map(str, net.sizes)))}, "
             f"{escape(net.cost)} cost; layer 1 is the input "
             f"(n<sub>1</sub> = {net.sizes[0]})</p>"]
    for l in range(2, L + 1):
        w = np.asarray(net.w[l])
        caption = (f"Layer {l}{' (output)' if l == L else ''}: σ = "
                   f"{escape(net.activations[l])}, {symbol('w', l)} is {_shape(l)} = "
                   f"{w.shape[0]} × {w.shape[1]}")
        parts.append(_table(caption, [symbol("b", l, "j")], [("b", net.b[l])],
                            (lambda k, l=l: symbol("w", l, f"j{k}"), w)))
    return '<div class="backprop-network">' + "".join(parts) + "</div>"


def trace_html(trace):
    """The trace of one example: x and y, C_x, then per layer l = 2..L z, a, σ', δ and the
    gradients (σ' left out where it is the softmax Jacobian)."""
    L = trace.L
    parts = [f"<p><b>Trace</b> of one example, C<sub>x</sub> = {number(trace.cost)}</p>",
             _table("Layer 1 (the input)", [f"{symbol('a', 1, 'j')} = x<sub>j</sub>"],
                    [("x", trace.a[1])])]
    for l in range(2, L + 1):
        heads = [symbol("z", l, "j"), symbol("a", l, "j")]
        columns = [("z", trace.z[l]), ("a", trace.a[l])]
        sp = np.asarray(trace.sp[l])
        if sp.shape == np.shape(trace.z[l]):
            heads.append(f"σ′({symbol('z', l, 'j')})")
            columns.append(("sp", sp))
        if l == L:
            heads.append("y<sub>j</sub>")
            columns.append(("y", trace.y))
        heads += [symbol("δ", l, "j"), f"∂C/∂{symbol('b', l, 'j')}"]
        columns += [("delta", trace.delta[l]), ("nabla_b", trace.nabla_b[l])]
        caption = (f"Layer {l}{' (output)' if l == L else ''}: ∂C/∂{symbol('w', l)} = "
                   f"{symbol('δ', l)}({symbol('a', l - 1)})<sup>T</sup>, {_shape(l)}")
        parts.append(_table(caption, heads, columns,
                            (lambda k, l=l: f"∂C/∂{symbol('w', l, f'j{k}')}",
                             np.asarray(trace.nabla_w[l]))))
    return '<div class="backprop-trace">' + "".join(parts) + "</div>"
