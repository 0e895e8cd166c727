"""The student's page of a live class: join with the code and a nickname, then answer the
teacher's current question in practice mode, see the diagnosis, and the reveal.

Session state: "class_me" (the store.Student, once joined), "class_code", "class_seen"
(the store.status the page last drew: open, question, revealed), "class_error" (the last
message for the student), "class_announced" (the id of the last question announced to a
screen reader: each question is announced once, when it arrives), "class_last" (the class
and question last drawn: what the page shows while the database does not answer). The
student's token also goes into the address (?code=...&me=...), so a reload takes the same
seat: a reloaded page cannot answer twice.
"""

import time

import streamlit as st

from .. import frame
from ..figures import network, numbers
from ..figures.plotly_chart import plotly_chart
from ..practice import questions
from ..practice.view import RULE, cell_name, diagnosis_note
from . import live
from .host import STUDENT_EVERY, the_store, wait_for_store
from .records import MAX_NICKNAME, ClassError, StoreUnavailable, normal_code


def page():
    ss, s = st.session_state, the_store()
    try:
        me = ss.get("class_me") or _resume(s)
        if me is None:
            join_form(s)
            return
        ss.class_seen = s.status(me.class_id)
        cls, q = s.current(me.class_id)
        mine = s.answer_of(me, q.id) if q is not None else None
        ss.class_last, down = (cls, q), False
    except StoreUnavailable:
        # the database is away for a moment: the page stays as it was last drawn (with
        # what the student typed), and says so; a Send meanwhile is refused next to its box
        me = ss.get("class_me")
        st.warning(DOWN, icon=":material/cloud_off:")
        wait_for_store()
        if me is None or "class_last" not in ss:
            return
        (cls, q), mine, down = ss.class_last, None, True
    # the nickname as plain text: no Markdown, no HTML
    st.text(f"You are {me.nickname} in class {ss.get('class_code', '')}")
    announce(arrival(q))
    poll()
    if cls is None or not cls.open(time.time()):
        st.info("This class has ended. Thank you for taking part!", icon=":material/flag:")
        st.button("Join another class", on_click=_leave)
        return
    if q is None:
        st.info("You are in. Waiting for the teacher's first question ...",
                icon=":material/hourglass_top:")
        return
    question(s, me, q, mine)
    if not down:
        s.seen(me, q.id)    # only now: a page that failed to draw it is not counted


DOWN = ("The class database is not answering right now: this page shows the question as "
        "it last was. It catches up by itself once the database is back.")


def _resume(s):
    """The Student of the address's code and token (after a reload), or None."""
    code, token = st.query_params.get("code"), st.query_params.get("me")
    me = s.resume(code, token) if code and token else None
    if me is not None:
        st.session_state.class_me = me
        st.session_state.class_code = normal_code(code)
    return me


def _leave():
    st.session_state.pop("class_me", None)
    st.query_params.pop("me", None)


def join_form(s):
    ss = st.session_state
    st.markdown("Type the class code your teacher shows, and a nickname: the teacher sees "
                "it next to your answers; the other students do not.")
    ss.setdefault("_class_code", (st.query_params.get("code") or "")[:18])
    with st.form("join", border=False):
        left, right, _ = st.columns([1, 1.4, 2])
        left.text_input("Class code", key="_class_code", max_chars=18, placeholder="ABCDEF")
        right.text_input("Nickname", key="_class_nickname", max_chars=MAX_NICKNAME)
        st.form_submit_button("Join", type="primary", key="class_join", on_click=_join,
                              args=(s,))
    _error()


def _join(s):
    ss = st.session_state
    try:
        me = s.join(ss.get("_class_code", ""), ss.get("_class_nickname", ""))
    except ClassError as e:
        ss.class_error = str(e)
        return
    ss.class_me, ss.class_code = me, normal_code(ss._class_code)
    ss.pop("class_error", None)
    st.query_params.update(code=ss.class_code, me=me.token)


def _error():
    text = st.session_state.get("class_error")
    if text:                              # our own sentences only, never what was typed
        st.error(text, icon=":material/error:")


# A polite live region (role="status") that stays in the page from run to run: a screen
# reader reads out what it is given, once, when it changes. Visually hidden, but not
# display: none, which would take it out of the accessibility tree; absolute, so that it
# takes no place (and no gap) among the page's elements.
_ANNOUNCER = st.components.v2.component(
    "explorer.announce", html='<div class="bp-live" role="status" aria-live="polite"></div>',
    css="""[data-testid="stElementContainer"]:has(.bp-live) {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap;
}
""",
    js="""export default function ({data, parentElement}) {
  const box = parentElement.querySelector(".bp-live");
  // an empty text leaves what was said: the region changes only when something arrives
  if (box && data && data.text && box.dataset.said !== String(data.id)) {
    box.dataset.said = String(data.id);
    box.textContent = data.text;
  }
}
""", isolate_styles=False)


def arrival(q):
    """{"id", "text"}: what the live region says, "New question from the teacher: what is
    δ²₁? (question 2)" on the run that first draws question q for this session, else no
    text."""
    ss = st.session_state
    if q is None or ss.get("class_announced") == q.id:
        return {"id": ss.get("class_announced"), "text": ""}
    ss.class_announced = q.id
    # not the heading's words ("Question 1: what is δ²₁?"): a page is searched by them
    return {"id": q.id, "text": f"New question from the teacher: what is "
                                f"{cell_name(live.asked(q).cell)}? (question {q.number})"}


def announce(said):
    """The live region, drawn on every run at the same place (so that it stays)."""
    _ANNOUNCER(key="class_announce", data=said, height=0)


@st.fragment(run_every=STUDENT_EVERY)
@frame.guard
def poll():
    """Every few seconds: has the teacher asked, revealed or ended? Then redraw the page."""
    ss = st.session_state
    try:
        changed = the_store().status(ss.class_me.class_id) != ss.get("class_seen")
    except StoreUnavailable:
        changed = False          # asked again at the next tick
    if changed:
        st.rerun()
    st.caption("This page follows the teacher's question by itself.")


def question(s, me, q, mine):
    """The question in practice mode: the step with its numbers hidden, the asked cell
    outlined, the answer box (or the answer received and its diagnosis), and the reveal."""
    a = live.asked(q)
    name, i = cell_name(a.cell), a.step.index
    now = questions.visible(a.steps, i, q.revealed)
    st.subheader(f"Question {q.number}: what is {name}?")
    st.caption(f"Step {i + 1} of {len(a.steps)} · {a.step.title}")
    # The step's own figure where it has one; σ's curve would show the asked a's before the
    # reveal. The cost and BP1 have none: they work from aᴸ and the target y, shown here.
    fig = (network.focus_figure(a.net, a.trace, a.step, now, ((a.cell, "pick"),))
           if q.revealed or a.step.kind != "a" else None)
    left, right = st.columns([1.3, 1])
    with left:
        st.latex(a.step.rule)
        st.info(a.step.text)
    with right:
        if fig is not None:
            plotly_chart(fig, key="class_chart_focus", width="content",
                         name=numbers.heatmap_name(
                             fig, f"Figure of step {i + 1} of {len(a.steps)}, "
                                  f"{a.step.title}"),
                         table=lambda: numbers.heatmap_tables(fig, a.net, a.trace),
                         label="Numbers as a table: this step's figure")
        elif a.step.kind in ("cost", "BP1"):
            st.caption("The network's output and the target of this example")
            st.latex(live.output_and_target(a))
    if mine is not None:
        _received(a, name, mine)
    elif not q.revealed:
        _answer_form(s, me, q, name)
    if q.revealed:
        st.success(f"Revealed: {name} = {q.right:.6g}", icon=":material/visibility:")
        st.latex(a.step.numbers)
    fig = network.network_figure(a.net, a.trace, known=now, focus=(a.step.quantity, a.step.l),
                                 marks=((a.cell, "pick"),))
    plotly_chart(fig, key="class_chart_network", width="content",
                 name=numbers.heatmap_name(fig, f"{numbers.kinds_name(a.net)}, at step "
                                                f"{i + 1} of {len(a.steps)}"),
                 table=lambda: numbers.heatmap_tables(fig, a.net, a.trace),
                 label="Numbers as a table: z, a and δ of every layer")


def _answer_form(s, me, q, name):
    with st.form(f"answer_{q.id}", border=False):
        left, right = st.columns([1, 2])
        left.text_input(name, key="_class_answer", max_chars=40,
                        placeholder="e.g. -0.0123 or 1.5e-3")
        st.form_submit_button("Send", type="primary", key="class_send", on_click=_send,
                              args=(s, me, q.id))
    _error()
    st.caption(RULE + " One answer per question: the first one sent counts.")


def _send(s, me, qid):
    ss = st.session_state
    try:
        cls, q = s.current(me.class_id)
        if q is None or q.id != qid:
            raise ClassError("The teacher has moved on to another question.")
        typed = ss.get("_class_answer", "")
        value, d = live.judge(live.asked(q), typed)
        s.answer(me, qid, value, d.correct, live.mistake_id(d), typed=typed)   # committed
    except ValueError as e:   # a ClassError (or the store not answering), no number: ours
        ss.class_error = str(e)
        return
    ss.pop("class_error", None)


def _received(a, name, mine):
    st.success(f"Received: your answer {name} = {mine.value:.6g}.", icon=":material/send:")
    d = live.judge(a, mine.value)[1]
    if d.correct:
        st.success(f"{name} = {mine.value:.6g} is right.", icon=":material/check_circle:")
    else:
        diagnosis_note(name, mine.value, d, advice="compare with the reveal")
