"""Downloads for teachers and notebooks, on the Step page: a NumPy script of this network,
a worksheet with its answer key, and a Moodle quiz. The texts come from ``backprop.export``
and are made only when a button is pressed (deferred data), never on every rerun."""

import streamlit as st

from backprop.export import moodle_quiz, numpy_script, worksheet

from . import practice
from .widgets import kept, lazy_expander

MAX_QUIZ_CELLS = 20    # backprop.export_quiz.MAX_CELLS


def _blanks(net, all_steps, step, pick, which):
    """The cells to blank or ask: the explained cell, or every cell of this step. Given
    numbers (w, b, x) are never asked: then it is the output error δᴸ₁, or all of δᴸ."""
    if not practice.asks(step):
        step = next(s for s in all_steps if s.kind == "BP1")
    if which == "this step":
        return practice.cells(net, step)[:MAX_QUIZ_CELLS]
    given = pick[0] in ("w", "b") or pick[:2] == ("a", 1)
    return practice.cells(net, step)[:1] if given else [pick]


def exports(net, x, y, all_steps, step, pick):
    box = lazy_expander("Export: NumPy script, worksheet, Moodle quiz", "exports",
                        icon=":material/download:")
    if box is None:
        return
    with box:
        st.download_button("NumPy script of this example (.py)",
                           data=lambda: numpy_script(net, x, y), file_name="backprop_example.py",
                           mime="text/x-python", on_click="ignore", key="_dl_script",
                           help="A standalone file that needs only NumPy: it runs the forward "
                                "pass and BP1–BP4 in the notation and prints every quantity.")
        which = kept(st.radio, "Blank or ask", "export_which", "the explained cell",
                     options=["the explained cell", "this step"], horizontal=True,
                     help="Which numbers the worksheet leaves blank and the quiz asks.")
        cells = _blanks(net, all_steps, step, pick, which)
        fmt = kept(st.radio, "Worksheet format", "export_fmt", "html",
                   options=["html", "markdown"], horizontal=True,
                   format_func={"html": "HTML (prints from a browser)",
                                "markdown": "Markdown with LaTeX"}.get)
        ext = "html" if fmt == "html" else "md"
        left, right = st.columns(2)
        left.download_button("Worksheet", data=lambda: worksheet(net, x, y, cells, fmt)[0],
                             file_name=f"worksheet.{ext}", on_click="ignore",
                             key="_dl_sheet")
        right.download_button("Answer key", data=lambda: worksheet(net, x, y, cells, fmt)[1],
                              file_name=f"answer_key.{ext}", on_click="ignore", key="_dl_key")
        variants = kept(st.number_input, "Quiz variants (neighbours get different numbers)",
                        "export_variants", 10, min_value=1, max_value=50)
        st.download_button(
            "Moodle quiz (XML)", on_click="ignore", key="_dl_quiz", file_name="backprop_quiz.xml",
            mime="application/xml",
            data=lambda: moodle_quiz(list(net.sizes), list(net.activations.values()), net.cost,
                                     cells, variants=int(variants), seed=0),
            help="Numerical questions with a tolerance and the derivation as feedback, one "
                 "category per asked cell; import them under Question bank → Import.")
