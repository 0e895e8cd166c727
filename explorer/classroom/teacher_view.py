"""The teacher's page of a live class: open a class, put a question (a network, a step and
a cell) to it, and watch the answers arrive, live.

Everything past "Open a class" needs the teacher link's ?class=...&key=...: the key is
checked by the store on every run and every refresh, so a page without it shows nothing of
the class and offers none of its controls. A host who sets BACKPROP_TEACHER_PASSWORD (an
environment variable or a secret) lets only those who know it open classes, so no student
can use up the server's open classes. Session state: "teach_error" (a message).
"""

import hmac

import pandas as pd
import streamlit as st

from backprop.explain.steps import steps

from .. import frame
from ..figures import numbers
from ..figures.plotly_chart import plotly_chart
from ..practice import questions
from ..practice.view import cell_name
from ..presets import PRESETS
from . import live
from .host import PASSWORD, TEACHER_EVERY, page_url, setting, the_store, wait_for_store
from .records import ClassError, StoreUnavailable, digest, normal_code

ON_SCREEN = ("Students whose page shows this question. Fewer than joined: some pages have "
             "not drawn it (yet); a student who waits long can reload the page.")
MINE = "Your network (as set in the sidebar)"
DOWN = ("The class database is not answering right now. This view catches up by itself "
        "once it is back; students who send an answer meanwhile are told it was not saved.")
NO_ACCESS = ("This teacher link is not valid, or its class has expired. Open a new class, "
             "or use the full teacher link you were given.")


def page():
    s = the_store()
    code, key = st.query_params.get("class"), st.query_params.get("key")
    if code is None and key is None:
        opening(s)
        return
    try:
        cls = s.teacher(code, key)
    except StoreUnavailable:
        st.warning(DOWN, icon=":material/cloud_off:")
        wait_for_store()
        return
    if cls is None:
        st.error(NO_ACCESS, icon=":material/lock:")
        return
    code = normal_code(code)
    links(code, key)
    if err := st.session_state.pop("teach_act_error", None):     # a reveal or end refused
        st.error(err, icon=":material/error:")
    if cls.ended:
        st.info("You ended this class: students can no longer join or answer.",
                icon=":material/flag:")
    else:
        picker(s, cls)
    live_view()
    if not cls.ended:
        st.button("End the class for everyone", key="teach_end", icon=":material/stop_circle:",
                  on_click=_act, args=(s.end, cls.id))


def _act(action, *args):
    """Reveal or end: the store's refusal (the database not answering) said, not raised."""
    try:
        action(*args)
    except ClassError as e:
        st.session_state.teach_act_error = str(e)


def opening(s):
    st.markdown("Open a class to ask every student the same question of a step. You get a "
                "**class code** and a join link for the students, and a **teacher link** "
                "with a secret key: keep that one to yourself. A class closes after 12 hours.")
    if setting(PASSWORD):
        st.text_input("Teacher password of this server", type="password", key="_teach_pw",
                      max_chars=MAX_PASSWORD,
                      help="Whoever hosts this app set it; ask them for it.")
    st.button("Open a class", type="primary", key="teach_open", on_click=_open, args=(s,),
              icon=":material/groups:")
    err = st.session_state.get("teach_error")
    if err:
        st.error(err, icon=":material/error:")


MAX_PASSWORD = 200    # characters; a longer one (from a raw websocket) is refused unread


def password_ok(given, password):
    """Whether ``given`` is the host's teacher password (None: none is set); its length
    bounded first, then compared as the store compares keys: digests, in constant time."""
    if not password:
        return True
    if not isinstance(given, str) or len(given) > MAX_PASSWORD:
        return False
    return hmac.compare_digest(digest(given), digest(password))


def _open(s):
    if not password_ok(st.session_state.get("_teach_pw"), setting(PASSWORD)):
        st.session_state.teach_error = ("That is not this server's teacher password. Ask "
                                        "whoever hosts the app for it.")
        return
    try:
        opened = s.open_class()
    except ClassError as e:
        st.session_state.teach_error = str(e)
        return
    st.session_state.pop("teach_error", None)
    st.query_params.update({"class": opened.code, "key": opened.key})


def links(code, key):
    left, right = st.columns([1, 2])
    left.metric("Class code", code)
    with right:
        st.caption("Join link for the students (or they open the Class page and type the code)")
        st.code(page_url("Class", f"code={code}"), language=None)
        with st.expander("Your teacher link: it holds the key, keep it to yourself",
                         icon=":material/key:"):
            st.code(page_url("Teach", f"class={code}&key={key}"), language=None)


def picker(s, cls):
    """The next question: a network (a preset, or the teacher's own), a step and a cell."""
    ss = st.session_state
    with st.expander("Ask the class a question", expanded=cls.question_id is None,
                     icon=":material/quiz:"):
        c1, c2, c3, c4 = st.columns([1.4, 2, 1, 1], vertical_alignment="bottom")
        choice = c1.selectbox("Network", [MINE, *PRESETS], key="_teach_net")
        net, x, y = (ss.net, ss.x, ss.y) if choice == MINE else PRESETS[choice].make()
        all_steps = steps(net, net.backprop(x, y))
        options = [st_.index for st_ in all_steps if questions.asks(st_)]
        i = c2.selectbox("Step", options, key=f"_teach_step_{choice}",
                         format_func=lambda n: f"{n + 1} · {all_steps[n].title}")
        cell = c3.selectbox("Cell", questions.cells(net, all_steps[i]), format_func=cell_name,
                            key=f"_teach_cell_{choice}_{i}")
        c4.button("Ask the class", type="primary", key="teach_ask", on_click=_ask,
                  args=(s, cls.id, net, x, y, i, cell))
        err = ss.pop("teach_error", None)
        if err:
            st.error(err, icon=":material/error:")


def _ask(s, class_id, net, x, y, i, cell):
    try:
        network, right = live.question_of(net, x, y, i, cell)
        s.ask(class_id, network, i, cell, right)
        st.session_state.pop("teach_error", None)
    except ValueError as e:
        st.session_state.teach_error = str(e)


@st.fragment(run_every=TEACHER_EVERY)
@frame.guard
def live_view():
    """Counts, share right, histogram, mistakes and the reveal button, refreshed by itself.
    The link's key is checked again on every refresh."""
    s = the_store()
    try:
        cls = s.teacher(st.query_params.get("class"), st.query_params.get("key"))
        if cls is None:
            st.error(NO_ACCESS, icon=":material/lock:")
            return
        _, q = s.current(cls.id)
        joined, seen, rows = s.tally(cls.id, q.id if q else -1)
    except StoreUnavailable:      # the next refresh tries again; the answers wait in the
        st.warning(DOWN, icon=":material/cloud_off:")    # students' boxes meanwhile
        return
    if q is None:
        st.metric("Joined", joined)
        st.info("Nobody has a question yet: pick a network, a step and a cell above, then "
                "ask the class.", icon=":material/quiz:")
        return
    a, t = live.asked(q), live.tally(joined, seen, rows)
    st.subheader(f"Question {q.number}: {cell_name(a.cell)}")
    st.caption(f"Step {a.step.index + 1} of {len(a.steps)} · {a.step.title} · "
               f"right answer {q.right:.6g}")
    c1, c2, c3, c4, c5 = st.columns([1, 1, 1, 1, 1.7], vertical_alignment="center")
    c1.metric("Joined", joined)
    c2.metric("On screen", t.seen, help=ON_SCREEN)
    c3.metric("Answered", t.answered)
    c4.metric("Right", "–" if t.share_right is None else f"{t.share_right:.0%}")
    if q.revealed:
        c5.success("Revealed to the class", icon=":material/visibility:")
    else:
        c5.button("Reveal to the class", key="teach_reveal", type="primary",
                  icon=":material/visibility:", on_click=_act, args=(s.reveal, cls.id, q.id))
    left, right = st.columns([1.6, 1])
    with left:
        fig = live.histogram(t, q.right)
        plotly_chart(fig, key="teach_histogram", name=numbers.histogram_name(fig, q.right),
                     table=numbers.histogram_tables(fig, t.mistakes),
                     label="Numbers as a table: answers per bin and per mistake")
    with right:
        st.markdown("**Diagnosed mistakes**")
        if t.mistakes:
            st.dataframe(pd.DataFrame(t.mistakes, columns=["mistake", "students"]),
                         hide_index=True)
        else:
            st.caption("None named yet.")
    with st.expander(f"Who answered what ({t.answered})", icon=":material/list:"):
        # nicknames and answers as typed go only into a table: plain text, never Markdown
        # or HTML
        st.dataframe(pd.DataFrame(live.who(rows), columns=["nickname", "answer", "right",
                                                           "mistake"]),
                     hide_index=True)
