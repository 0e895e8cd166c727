"""Practice mode on the Step page: the question, the answer box, the diagnosis, the hint,
"Show me", and the score. The records live in ``questions``; this module keeps them
in the session's state and draws them.

Session state: "practice" (on or off), "score" (a questions.Score), "quiz" ({"of": the
network and example the questions belong to, "questions": {step index: Question},
"turn": how many questions were finished, for asking cells in turn}).
"""

import streamlit as st

from backprop.explain import explain
from backprop.explain.notation import plain, pretty
from backprop.practice.answers import tolerance
from backprop.practice.diagnose import diagnose

from .. import messages, widgets
from ..widgets import keep
from . import questions
from .questions import OUTCOME_NAMES, Question, Score

RULE = "Right means within 0.1 % of the value (relative 10⁻³) or within ±0.0005 (absolute " \
       "5×10⁻⁴), whichever is looser."


def ensure():
    ss = st.session_state
    ss.setdefault("practice", False)
    ss.setdefault("practice_vector", False)
    ss.setdefault("score", Score())
    ss.setdefault("quiz", {"of": None, "questions": {}, "turn": 0})


def switches():
    """The practice toggle, the whole-vector choice and the score, in one row."""
    ss = st.session_state
    ss._practice, ss._practice_vector = ss.practice, ss.practice_vector
    with widgets.wrapping_row(vertical_alignment="center", gap="medium"):
        st.toggle("Practice: predict each number first", key="_practice", on_change=keep,
                  args=("practice",), help="The numbers of each step stay hidden until you "
                  "have typed your own value for the outlined cell.")
        if ss.practice:
            st.toggle("Ask the whole vector", key="_practice_vector", on_change=keep,
                      args=("practice_vector",), help="For z, a, δ and ∂C/∂b: type every "
                      "entry of the step's vector, not just one cell.")
            st.caption(score(), width="content")


def _identity(net, x, y):
    """What the questions belong to: a change of network or example starts them afresh."""
    return repr(net.to_dict()), tuple(map(float, x)), tuple(map(float, y))


def question(net, x, y, all_steps, i, pick=None, lesson_cell=None):
    """The Question of step i (made now if new), or None where nothing is asked."""
    ss, step = st.session_state, all_steps[i]
    if not (ss.practice and questions.asks(step)):
        return None
    quiz, ident = ss.quiz, _identity(net, x, y)
    if quiz["of"] != ident:
        quiz.update({"of": ident, "questions": {}})
    vector = questions.vector_cells(net, step) if ss.practice_vector else None
    wanted = vector or (questions.choose(net, step, quiz["turn"], pick, lesson_cell),)
    q = quiz["questions"].get(i)
    if q is None or (q.tried == 0 and not q.done and q.cells != wanted):
        q = quiz["questions"][i] = Question(step=i, cells=wanted)
    return q


def _save(q):
    ss = st.session_state
    ss.quiz["questions"][q.step] = q
    if q.done:
        ss.score = ss.score.add(q.done)
        ss.quiz["turn"] += 1


def _check(net, x, y, q, keys):
    ss = st.session_state
    if ss.quiz["questions"].get(q.step) != q:
        return   # a stale click: the question changed since the form was drawn
    try:
        values = [diagnose(net, x, y, *cell, answer=ss.get(key, "")).answer
                  for cell, key in zip(q.cells, keys)]
    except ValueError as e:
        ss.msg["answer"] = str(e)
        return
    ss.msg.pop("answer", None)
    found = [diagnose(net, x, y, *c, answer=v) for c, v in zip(q.cells, values)]
    q = questions.answer(q, all(d.correct for d in found), values)
    _save(q)
    wrong = [(c, v, d) for c, v, d in zip(q.cells, values, found) if not d.correct]
    _say(verdict(q) if not wrong else
         " ".join(f"{cell_name(c)} = {v:.6g} is not right. {_why(d)}" for c, v, d in wrong))


def _show(q):
    if st.session_state.quiz["questions"].get(q.step) == q:
        q = questions.show(q)
        _save(q)
        _say(verdict(q))


ADVICE = "check the arithmetic against the hint"


def verdict(q):
    """What an answered question earned, in one sentence (shown, and announced)."""
    what = ", ".join(cell_name(c) for c in q.cells)
    return f"✓ {what}: {OUTCOME_NAMES[q.done]}. The step's numbers are revealed."


def _why(d, advice=ADVICE):
    """Why a wrong number is wrong, as the Diagnosis ``d`` can say it: the mistake named
    for certain, or why none can be (then ``advice``)."""
    if d.certain:
        return d.mistake.sentence
    if d.mistakes:
        names = "; ".join(m.name for m in d.mistakes)
        return (f"It matches more than one classic mistake ({names}), so none can be named "
                "for sure.")
    return f"It matches none of the classic mistakes: {advice}."


def _say(text):
    """Announce ``text`` to a screen reader once (the Step page's live region: the
    component's state carries it, numbered, and says each number once)."""
    ss = st.session_state
    ss._said = {"seq": (ss.get("_said") or {}).get("seq", 0) + 1, "text": text}


def cell_name(cell):
    """The cell's symbol, e.g. δ²₁."""
    return pretty(plain(*cell))



def panel(net, x, y, trace, q):
    """Draw the question ``q``: the answer form, then what the last answer earned."""
    ss = st.session_state
    what = ", ".join(cell_name(c) for c in q.cells)
    if q.done:
        st.success(verdict(q), icon=":material/check_circle:")
        return
    st.markdown(f"**Your turn:** what is **{what}**? It is outlined in the figures; its "
                "numbers stay hidden until you answer.")
    keys = [f"_answer_{q.step}_{'_'.join(str(p) for p in c if p is not None)}"
            for c in q.cells]
    with st.form(f"answer_{q.step}", border=False):
        cols = st.columns(min(len(q.cells), 4) if len(q.cells) > 1 else [1, 2])
        for n, (cell, key) in enumerate(zip(q.cells, keys)):
            cols[n % len(cols)].text_input(cell_name(cell), key=key, max_chars=40,
                                           placeholder="e.g. -0.0123 or 1.5e-3")
        st.form_submit_button("Check", type="primary", on_click=_check,
                              args=(net, x, y, q, keys))
    err = ss.msg.get("answer")
    if err:
        st.error(messages.plain(err), icon=":material/edit:")   # it may quote the answer typed
    st.caption(RULE)
    if q.wrong:
        _feedback(net, x, y, trace, q)
        st.button("Show me", key=f"show_{q.step}", on_click=_show, args=(q,))


def _feedback(net, x, y, trace, q):
    """After a wrong answer: the diagnosis of each wrong cell, then the hint."""
    for cell, value in zip(q.cells, q.last):
        d = diagnose(net, x, y, *cell, answer=value)
        if d.correct:
            continue
        name = cell_name(cell)
        diagnosis_note(name, value, d)
        st.caption(f"Checked by the {tolerance(d.right).rule} rule.")
        st.markdown(f"**Hint** for {name}: the rule with its numbers, all but the result")
        for line in questions.hint(explain(net, trace, *cell).lines):
            st.latex(line)


def diagnosis_note(name, value, d, advice=ADVICE):
    """The Diagnosis ``d`` of a wrong ``value`` for the cell called ``name``, as a warning
    (the words the live region says too, ``_why``)."""
    st.warning(f"{name} = {value:.6g} is not right. {_why(d, advice)}",
               icon=":material/troubleshoot:")


def score():
    s = st.session_state.score
    return (f"Score: {s.first} right first time · {s.hint} right after the hint · "
            f"{s.shown} shown")

