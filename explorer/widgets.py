"""Widgets whose values outlive them, an expander drawn only while it is open, and a
row of elements that wraps on a narrow screen.

Streamlit forgets a widget's value when a run does not draw it. A value kept under a plain
session-state key (the widget's own key is that key with "_" in front) survives: the
practice switches, and the choices inside an expander while it is closed.
"""

import streamlit as st


def keep(key):
    """on_change: copy the widget "_key" to the plain ``key``."""
    ss = st.session_state
    ss[key] = ss["_" + key]


def kept(widget, label, key, default, **kwargs):
    """Draw ``widget`` (st.radio, st.checkbox, ...) with its value kept under ``key``,
    ``default`` until the user changes it. Returns the widget's value."""
    ss = st.session_state
    ss.setdefault(key, default)
    ss["_" + key] = ss[key]
    return widget(label, key="_" + key, on_change=keep, args=(key,), **kwargs)


def lazy_expander(label, key, icon=None):
    """An expander whose content is drawn only while it is open: the caller draws into it
    only if it is not None. Closed, it costs a rerun nothing, in the server or the browser
    (on the Step page, a click on Next then has a dozen fewer widgets to send and draw)."""
    box = st.expander(label, icon=icon, key=key, on_change="rerun")
    return box if box.open else None


def wrapping_row(**kwargs):
    """A horizontal container whose elements keep their own width and wrap onto the next
    line when the screen is too narrow, where st.columns would squeeze them."""
    return st.container(horizontal=True, wrap=True, **kwargs)
