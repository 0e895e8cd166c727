"""Messages on a page: an error that may quote what a user typed, shown as plain text, and
the error recorded for a place on the page, shown there."""

import re

import streamlit as st

from backprop.explain.notation import pretty

_MARKDOWN = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
MAX_MESSAGE = 600   # characters: each quoted user text is already cut to 40


def plain(text):
    """``text`` as Markdown that shows exactly that text: every ASCII punctuation mark
    escaped (CommonMark allows it for all of them), so nothing in it can become emphasis,
    a link, an image, HTML, LaTeX, an icon or a bare URL turned into a link; on one line."""
    text = " ".join(str(text).split())
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "…"
    return _MARKDOWN.sub(r"\\\1", text)


def error(text):
    """st.error for a message that may quote what a user typed, uploaded or linked: plain
    text, with w^2 written as w² as in the tables."""
    st.error(plain(pretty(text)), icon=":material/warning:")


def message(where):
    """Show the error recorded for ``where``, if any, right there."""
    text = st.session_state.msg.get(where)
    if text:
        error(text)
