"""What the two class pages share: the store, the host's settings, the page links, and
addresses of pages."""

import logging
import os

import streamlit as st

from .. import frame
from ..nav import PAGES, embedded_nav
from .records import PUBLIC_STORE_ERROR, StoreConfigError, StoreUnavailable
from .store import Store, location

log = logging.getLogger(__name__)

PASSWORD = "BACKPROP_TEACHER_PASSWORD"   # when set, opening a class asks for it

STUDENT_EVERY = 2.0     # seconds between a student page's checks for a new question
TEACHER_EVERY = 1.0     # seconds between refreshes of the teacher's live view


def setting(name):
    """A host's setting: the environment variable ``name``, else the key of that name in
    .streamlit/secrets.toml, else None."""
    if os.environ.get(name):
        return os.environ[name]
    try:
        value = st.secrets.get(name)
    except FileNotFoundError:       # no .streamlit/secrets.toml: fine
        return None
    return str(value) if value else None


def the_store():
    """The class store: PostgreSQL at $BACKPROP_DATABASE_URL, else the SQLite file at
    $BACKPROP_CLASS_DB, else the default file (each also a secret of that name). One per
    process and place, kept (a PostgreSQL store holds this replica's pool of connections).
    A store that cannot be used stops the page with a short message; the reason, without
    a password, goes to the server's log."""
    try:
        return _store(location(setting))
    except StoreConfigError as e:
        log.error("the class store cannot be used: %s", e)
        st.error(PUBLIC_STORE_ERROR, icon=":material/cloud_off:")
        st.stop()


@st.cache_resource(show_spinner=False, max_entries=4, on_release=Store.close)
def _store(where):
    return Store(where)


@st.fragment(run_every=TEACHER_EVERY)
def wait_for_store():
    """Drawn (invisibly) on a page that could not be drawn whole because the class
    database did not answer: every second it asks again, and once the database answers
    the whole page is drawn again, by itself."""
    try:
        the_store().version()
    except StoreUnavailable:
        return
    st.rerun()


def nav():
    """The sidebar's page links alone: a student's page has no network to set."""
    frame.touch_screens()
    embedded_nav()
    with st.sidebar:
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon)


def page_url(name, query=""):
    """The address of the app's page ``name`` ("Class"), from the one open in the browser;
    a bare path when that is unknown (in tests)."""
    url = (st.context.url or "").split("?")[0].rstrip("/")
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    return f"{base}/{name}" + (f"?{query}" if query else "")
