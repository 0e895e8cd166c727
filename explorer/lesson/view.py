"""Lesson links in the session: taking one in when a session starts, and the builder that
makes one. The codec is ``explorer.lesson.links``; session state: "lesson" (a Lesson, or absent).
"""

import streamlit as st

from .. import files
from ..widgets import kept, lazy_expander
from . import links


def apply_lesson(n_steps):
    """Take a lesson link's step, cell, practice switch and controls into the session, once,
    when the session starts. Returns an error message for a bad link (then nothing of it is
    used), else None."""
    ss = st.session_state
    try:
        les = links.from_params(st.query_params)
        if les is None:
            return None
        links.fit(les, ss.net, n_steps)
    except ValueError as e:
        return f"The lesson in this link could not be used: {e}."
    ss.lesson = les
    if les.step is not None:
        ss.step = les.step
    if les.cell is not None:
        ss.pick = les.cell
    ss.practice = les.practice
    return None


def lesson_builder(net, x, y, step, pick):
    """"Copy a lesson link": the current network, step and cell, with practice and the
    hidden or locked controls chosen here."""
    box = lazy_expander("Copy a lesson link (for teachers)", "lesson_builder",
                        icon=":material/link:")
    if box is None:
        return
    with box:
        st.caption("A link that opens this network at this step and cell, in a fresh "
                   "browser, with the choices below.")
        on = kept(st.checkbox, "Practice mode on", "lesson_practice", True)
        names = list(links.CONTROLS)
        hide = kept(st.multiselect, "Hide these controls", "lesson_hide", [], options=names,
                    format_func=links.CONTROLS.get)
        lock = kept(st.multiselect, "Lock these controls (shown, not changeable)", "lesson_lock",
                    [], options=names, format_func=links.CONTROLS.get)
        link = files.to_link(net, x, y)
        if len(link) > files.MAX_LINK_CHARS:
            st.caption("This network is too large to share as a link: download it instead.")
            return
        les = links.Lesson(step=step, cell=pick, practice=on, hide=frozenset(hide),
                           lock=frozenset(lock))
        base = (st.context.url or "").split("?")[0]
        st.code(f"{base}?{links.query(link, les)}", language=None, wrap_lines=True)
