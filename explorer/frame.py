"""What wraps every page: its settings, the styles for touch screens, the session's state,
the sidebar, the hosted limits re-checked, and a guard that turns any unexpected error
into a short apology."""

import functools
import logging
from pathlib import Path

import streamlit as st

from . import limits
from .messages import message
from .nav import embedded_nav
from .sidebar import sidebar
from .state import ensure_state, history

log = logging.getLogger(__name__)
TOUCH_CSS = Path(__file__).with_name("touch.css")


def touch_screens():
    """Layout for phones and tablets that Streamlit's own options cannot give (see
    touch.css): a style element, which takes no room on the page."""
    st.html(TOUCH_CSS)


def guard(body):
    """Run ``body``, turning an unexpected error into a short apology: the details go to the
    server log, never to the viewer. Also for fragments, which rerun on their own."""
    from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

    @functools.wraps(body)
    def run():
        try:
            body()
        except ScriptControlException:
            raise
        except Exception:
            log.exception("unexpected error in %s", body.__name__)
            st.error("Sorry, something went wrong while drawing this page. Your network "
                     "is kept; try another step or setting, or reload the page.",
                     icon=":material/sentiment_dissatisfied:")
    return run


def page(title):
    """Decorate a page's body: page settings, the session's state, the sidebar, the hosted
    limits re-checked, and ``guard``."""
    def wrap(body):
        @functools.wraps(body)
        @guard
        def run():
            embedded_nav()
            message("link")
            sidebar()
            limits.check_network(st.session_state.net, st.session_state.x,
                                 st.session_state.y)   # re-checked before computing
            body()
            if history() is None:   # the network or example changed: its steps are gone
                st.session_state.history = None

        def setup_and_run():
            st.set_page_config(page_title=f"{title} · Backprop Explorer", layout="wide")
            touch_screens()
            ensure_state()
            run()
        return setup_and_run
    return wrap
