"""What the two class pages share: the store, the page links, and addresses of pages."""

import streamlit as st

from .. import ui
from .store import Store, default_path

STUDENT_EVERY = 2.0     # seconds between a student page's checks for a new question
TEACHER_EVERY = 1.0     # seconds between refreshes of the teacher's live view


def the_store():
    """The class store, at $BACKPROP_CLASS_DB, the secret of that name, or the default."""
    try:
        secrets = dict(st.secrets)
    except FileNotFoundError:       # no .streamlit/secrets.toml: fine
        secrets = {}
    return Store(default_path(secrets))


def nav():
    """The sidebar's page links alone: a student's page has no network to set."""
    ui.touch_screens()
    ui.embedded_nav()
    with st.sidebar:
        for path, label, icon in ui.PAGES:
            st.page_link(path, label=label, icon=icon)


def page_url(name, query=""):
    """The address of the app's page ``name`` ("Class"), from the one open in the browser;
    a bare path when that is unknown (in tests)."""
    url = (st.context.url or "").split("?")[0].rstrip("/")
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    return f"{base}/{name}" + (f"?{query}" if query else "")
