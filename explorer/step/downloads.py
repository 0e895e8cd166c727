"""Downloads for teachers and notebooks, on the Step page: a NumPy script of this network,
a worksheet with its answer key, and a Moodle quiz. The script and worksheet are made only
when their button is pressed (deferred data). The quiz is made while the expander is open,
once for each set of choices, so that the page can say what it holds before it is
downloaded: its question-bank category, its seed, and any question that could not be made
as it should (an answer of 0, a classic slip that the tolerance accepts); its file, which
can run to megabytes, is still sent to the browser only when its button is pressed.

Each session starts with a fresh seed, and after a download the next quiz gets another,
unless the teacher typed one: two exports never land in the same category with the same
numbers unless asked to. The category name is the teacher's, or made from the architecture
and the seed."""

import secrets

import streamlit as st

from backprop.export import numpy_script, quiz, worksheet
from backprop.export.quiz import MAX_NAME

from .. import messages
from ..practice import questions
from ..widgets import kept, lazy_expander

MAX_QUIZ_CELLS = 20    # backprop.export.quiz.MAX_CELLS
MAX_SEED = 999_999_999
NOTES_SHOWN = 5


def _blanks(net, all_steps, step, pick, which):
    """The cells to blank or ask: the explained cell, or every cell of this step. Given
    numbers (w, b, x) are never asked: then it is the output error δᴸ₁, or all of δᴸ."""
    if not questions.asks(step):
        step = next(s for s in all_steps if s.kind == "BP1")
    if which == "this step":
        return questions.cells(net, step)[:MAX_QUIZ_CELLS]
    given = pick[0] in ("w", "b") or pick[:2] == ("a", 1)
    return questions.cells(net, step)[:1] if given else [pick]


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
        _quiz(net, cells, variants)


def fresh_seed():
    """A new six-digit seed (not NumPy's generator: nothing here must repeat by design)."""
    return 100_000 + secrets.randbelow(900_000)


def default_name(net, seed):
    return f"Backpropagation {'-'.join(map(str, net.sizes))} seed {seed}"


def _typed_seed():
    ss = st.session_state
    ss["quiz_seed"], ss["quiz_seed_typed"] = ss["_quiz_seed"], True


def _downloaded():
    """The next quiz gets a fresh seed, unless the teacher chose this one."""
    if not st.session_state.get("quiz_seed_typed"):
        st.session_state["quiz_seed"] = fresh_seed()


def _quiz(net, cells, variants):
    ss = st.session_state
    ss.setdefault("quiz_seed", fresh_seed())
    ss["_quiz_seed"] = ss["quiz_seed"]
    left, right = st.columns([1, 2])
    seed = left.number_input(
        "Quiz seed", min_value=0, max_value=MAX_SEED, step=1, key="_quiz_seed",
        on_change=_typed_seed,
        help="Draws the variants' numbers. A new one for each quiz; type an earlier seed "
             "to make the same quiz again.")
    name = kept(right.text_input, "Question-bank category", "quiz_name", "",
                max_chars=MAX_NAME, placeholder=default_name(net, seed),
                help="Moodle files the questions under this category, one subcategory per "
                     "asked cell. Empty: the architecture and the seed.")
    choices = (net.sizes, tuple(net.activations.values()), net.cost, tuple(cells),
               int(variants), seed, name.strip() or default_name(net, seed))
    made = ss.get("quiz_made")
    if made is None or made[0] != choices:
        try:
            with st.spinner("Making the quiz…"):
                made = (choices, quiz(list(net.sizes), list(choices[1]), net.cost, cells,
                                      variants=choices[4], seed=choices[5], name=choices[6]))
        except ValueError as e:
            messages.error(f"No quiz: {e}")
            return
        ss["quiz_made"] = made
    q = made[1]
    st.text(f"Category: $course$/top/{q.name}/… · seed {q.seed}")
    _notes(q)
    st.download_button(
        "Moodle quiz (XML)", data=lambda: q.xml, on_click=_downloaded, key="_dl_quiz",
        file_name=f"backprop_quiz_{q.seed}.xml", mime="application/xml",
        help="Numerical questions, one category per asked cell, the derivation as "
             "feedback; import them under Question bank → Import. Each question prints "
             "the cost's formula where its answer depends on it, and its tolerance: the "
             "practice rule, narrowed where needed so that no classic slip (σ′ left out, "
             "the ½ forgotten, a sign flipped, …) carried to the answer is accepted.")


def _notes(q):
    if not q.notes:
        st.caption("Every question has an answer other than 0, and its tolerance accepts "
                   "none of the classic slips carried through to it.")
        return
    more = len(q.notes) - NOTES_SHOWN
    st.warning(messages.plain(f"{len(q.notes)} question(s) could not be made as they should, in "
                              "20 draws each (their feedback says so too): "
                              + " ".join(q.notes[:NOTES_SHOWN])
                              + (f" … and {more} more." if more > 0 else "")),
               icon=":material/warning:")
