"""Writing the exports' blocks as Markdown with LaTeX, or as self-contained HTML.

HTML has no script and loads nothing: LaTeX is shown as TeX source in <code>, numbers in
plain tables, and every text is escaped. Blanks are ints (the blank's number) in a matrix.
"""

import html
from types import SimpleNamespace

_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def tolerance(v):
    return max(5e-4, 1e-3 * abs(v))   # mirrors practice mode: rel. 1e-3 or abs. 5e-4, looser


def describe(net):
    """One plain sentence naming the architecture."""
    acts = ", ".join(f"layer {l} {a}" for l, a in net.activations.items())
    return (f"Network: sizes {list(net.sizes)} (layer 1 is the input); activations: {acts}; "
            f"cost: {net.cost.replace('_', '-')}.")


def number(v, digits=6):
    """``v`` to ``digits`` significant digits as (mantissa, exponent or None)."""
    s = f"{float(v) + 0.0:.{digits}g}"   # + 0.0: no "-0"
    mant, _, exp = s.partition("e")
    return mant, (int(exp) if exp else None)


def _tex_num(v):
    mant, exp = number(v)
    return mant if exp is None else rf"{mant}\times10^{{{exp}}}"


def _text_num(v):
    mant, exp = number(v)
    return mant if exp is None else f"{mant}×10{str(exp).translate(_SUP)}"


def _md_matrix(label, _text, rows):
    cells = (r" \\ ".join(" & ".join(rf"\boxed{{({c})}}" if isinstance(c, int) else _tex_num(c)
                                     for c in row) for row in rows))
    return rf"$${label} = \begin{{bmatrix}}{cells}\end{{bmatrix}}$$"


MARKDOWN = SimpleNamespace(
    title=lambda t: f"# {t}", heading=lambda t: f"## {t}", para=lambda t: t,
    tex=lambda t: f"$${t}$$", matrix=_md_matrix,
    answer=lambda v, tol: f"Answer: `{float(v) + 0.0:.10g}` (accept ± {tol:.3g})",
    page=lambda title, blocks: "\n\n".join(blocks) + "\n")

_e = html.escape

_STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
          "code{white-space:pre-wrap;background:#f4f4f4;padding:.1em .3em;display:block}"
          "table.m{border-collapse:collapse;margin:.5em 0}"
          "table.m td{border:1px solid #999;padding:.2em .6em;text-align:right}"
          "table.m caption{text-align:left;font-style:italic}"
          "td.blank{background:#fff3c4;font-weight:bold;min-width:5em}")


def _html_matrix(_label, text, rows):
    def td(c):
        if isinstance(c, int):
            return f'<td class="blank">({c})</td>'
        return f"<td>{_e(_text_num(c))}</td>"
    body = "".join("<tr>" + "".join(td(c) for c in row) + "</tr>" for row in rows)
    return (f'<table class="m" border="1" cellpadding="4"><caption>{_e(text)}</caption>'
            f"{body}</table>")


def _html_page(title, blocks):
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(blocks) + "\n</body>\n</html>\n")


HTML = SimpleNamespace(
    title=lambda t: f"<h1>{_e(t)}</h1>", heading=lambda t: f"<h2>{_e(t)}</h2>",
    para=lambda t: f"<p>{_e(t)}</p>", tex=lambda t: f"<code>{_e(t)}</code>",
    matrix=_html_matrix,
    answer=lambda v, tol: f"<p>Answer: <b>{float(v) + 0.0:.10g}</b> (accept ± {tol:.3g})</p>",
    page=_html_page)

RENDER = {"markdown": MARKDOWN, "html": HTML}
