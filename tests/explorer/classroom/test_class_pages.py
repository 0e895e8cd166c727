"""The live class's two pages run by AppTest, with a real class database in a temporary
file: a teacher opens a class and asks, students join and answer, the teacher sees the
counts and reveals. Then what must not be possible: the teacher's view without the key, a
student reading another class, a nickname that injects Markdown or HTML, answering faster
than the rate limit, or changing the question.

Expected numbers come from the 2-2-2 preset worked by backprop, not from the pages.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from helpers.apptest import assert_clean, open_page

from backprop.explain.steps import steps
from backprop.practice.mistakes import MISTAKES
from explorer.classroom import host, store, student_view, teacher_view
from explorer.classroom.store import Store
from explorer.practice.view import cell_name
from explorer.presets import PRESETS

ROOT = Path(__file__).resolve().parents[3]
CLASS = str(ROOT / "pages/5_Class.py")
TEACH = str(ROOT / "pages/6_Teach.py")
HAND = "2-2-2 by hand"
NET, X, Y = PRESETS[HAND].make()
TRACE = NET.backprop(X, Y)
BP2 = 7                                                   # the step δ² = ((w³)ᵀ δ³) ∘ σ′(z²)
DELTA2_1 = ("delta", 2, 1, None)
RIGHT = float(TRACE.delta[2][0])
NO_SIGMA_PRIME = float(NET.w[3][:, 0] @ TRACE.delta[3])   # σ′(z²₁) left out
Z2_1 = 0.15 * 0.05 + 0.20 * 0.10 + 0.35                   # the first question by default


@pytest.fixture(autouse=True)
def db(request, tmp_path, monkeypatch):
    """The pages' class database: a new SQLite file, or (parametrized "postgres") a new
    database on the PostgreSQL server the tests started."""
    if getattr(request, "param", "sqlite") == "postgres":
        where = request.getfixturevalue("postgres_url")
        monkeypatch.setenv(store.URL_ENV, where)
    else:
        where = str(tmp_path / "class.sqlite3")
        monkeypatch.setenv(store.ENV, where)
    with Store(where) as s:
        yield s


def param(at, name):
    v = at.query_params.get(name)
    return v[0] if isinstance(v, list) else v


def on(page, query=None):
    return open_page(page, query)


def teacher_opens():
    at = on(TEACH)
    at.button(key="teach_open").click().run()
    assert_clean(at)
    return at, param(at, "class"), param(at, "key")


def ask(at, step=BP2, cell=DELTA2_1, network=HAND):
    at.selectbox(key="_teach_net").select(network).run()
    at.selectbox(key=f"_teach_step_{network}").select(step).run()
    at.selectbox(key=f"_teach_cell_{network}_{step}").select(cell).run()
    at.button(key="teach_ask").click().run()
    assert_clean(at)
    return at


def typed(at, key, text):
    """What a browser sends for a text box; past its max_chars, what a raw websocket client
    can send (AppTest's input() would drop it, set_value sends it)."""
    at.text_input(key=key).set_value(text)


def joins(code, nickname, query=None):
    at = on(CLASS, query)
    typed(at, "_class_code", code)
    typed(at, "_class_nickname", nickname)
    at.button(key="class_join").click().run()
    assert_clean(at)
    return at


def send(at, text):
    typed(at, "_class_answer", text)
    at.button(key="class_send").click().run()
    assert_clean(at)
    return at


def metrics(at):
    return {m.label: m.value for m in at.metric}


def texts(at, *kinds):
    return " ".join(str(e.value) for kind in kinds for e in getattr(at, kind))


ALL = ("markdown", "text", "caption", "success", "info", "warning", "error", "subheader",
       "title", "code", "metric")


# --- a class, from opening to the reveal ----------------------------------------------------

def test_the_teacher_opens_a_class_and_gets_a_code_a_join_link_and_a_teacher_link():
    at, code, key = teacher_opens()
    assert len(code) == 6 and len(key) >= 32
    assert metrics(at)["Class code"] == code
    links = [c.value for c in at.code]
    assert f"/Class?code={code}" in links[0] and f"class={code}&key={key}" in links[1]
    assert metrics(at)["Joined"] == "0"


@pytest.mark.parametrize("db", ["sqlite", "postgres"], indirect=True)
def test_students_answer_and_the_teacher_sees_counts_share_histogram_and_mistakes(db):
    teacher, code, key = teacher_opens()
    ask(teacher)
    ada, bob, cy = (joins(code, n) for n in ("Ada", "Bob", "Cy"))
    for student in (ada, bob, cy):
        assert [t.label for t in student.text_input] == ["δ²₁"]
        assert "Question 1: what is δ²₁?" in texts(student, "subheader")
    send(ada, f"{RIGHT:.6f}")
    send(bob, f"{NO_SIGMA_PRIME:.6f}")
    send(cy, "0.5")
    assert "is right" in texts(ada, "success")
    assert "σ′" in texts(bob, "warning") and "not right" in texts(bob, "warning")
    assert "none of the classic mistakes" in texts(cy, "warning")
    for student in (ada, bob, cy):
        assert "Received" in texts(student, "success") and not student.text_input
    teacher.run()
    assert_clean(teacher)
    assert metrics(teacher) == {"Class code": code, "Joined": "3", "On screen": "3",
                                "Answered": "3", "Right": "33%"}
    mistakes = teacher.dataframe[0].value
    assert mistakes.values.tolist() == [[MISTAKES["no_sigma_prime"], 1]]
    fig = __import__("json").loads(teacher.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["meta"] == {"right": pytest.approx(RIGHT, rel=1e-12), "answered": 3}
    who = teacher.dataframe[1].value
    assert who[["nickname", "answer"]].values.tolist() == [
        ["Ada", f"{RIGHT:.6f}"], ["Bob", f"{NO_SIGMA_PRIME:.6f}"], ["Cy", "0.5"]]


def test_the_reveal_reaches_every_student_and_the_next_question_moves_the_class():
    teacher, code, key = teacher_opens()
    ask(teacher)
    ada, bob = joins(code, "Ada"), joins(code, "Bob")
    send(ada, "0.1")
    teacher.button(key="teach_reveal").click().run()
    assert "Revealed to the class" in texts(teacher, "success")
    for student in (ada.run(), bob.run()):
        assert_clean(student)
        assert f"Revealed: δ²₁ = {RIGHT:.6g}" in texts(student, "success")
        assert any(r"\begin{bmatrix}" in l.value for l in student.latex)   # the numbers
        assert not student.text_input          # no answering after the reveal
    ask(teacher, step=1, cell=("z", 2, 1, None))
    assert "Question 2: what is z²₁?" in texts(bob.run(), "subheader")
    send(bob, f"{Z2_1:.4f}")
    assert "is right" in texts(bob, "success")
    teacher.button(key="teach_end").click().run()
    assert "ended" in texts(teacher, "info")
    assert "This class has ended" in texts(ada.run(), "info")


def test_a_double_click_and_a_reload_count_one_answer(db):
    teacher, code, key = teacher_opens()
    ask(teacher)
    ada = joins(code, "Ada")
    token = param(ada, "me")
    assert param(ada, "code") == code and token
    send(ada, "0.25")
    # the form is gone once received; a second click already on its way is a repeat
    again = db.answer(ada.session_state["class_me"], db.current(
        ada.session_state["class_me"].class_id)[1].id, 0.75, correct=False)
    assert again.duplicate and again.value == 0.25
    reloaded = on(CLASS, {"code": code, "me": token})       # same address, new session
    assert "You are Ada" in texts(reloaded, "text")
    assert "Received: your answer δ²₁ = 0.25." in texts(reloaded, "success")
    assert not reloaded.text_input
    teacher.run()
    assert metrics(teacher)["Answered"] == "1" and metrics(teacher)["Joined"] == "1"


def test_bad_answers_are_refused_next_to_the_box_and_nothing_is_stored(db):
    teacher, code, key = teacher_opens()
    ask(teacher)
    ada = joins(code, "Ada")
    for bad in ("abc", "nan", "inf", "1e999", "0,5", "x" * 5000):
        send(ada, bad)
        assert ada.error and "Received" not in texts(ada, "success")
    teacher.run()
    assert metrics(teacher)["Answered"] == "0"


def test_a_wrong_code_or_a_full_class_is_said_plainly():
    at = joins("QQQQQQ", "Ada")
    assert "No open class has this code" in texts(at, "error")
    at = joins("I0L1", "Ada")
    assert "6 letters" in texts(at, "error")
    at = joins("x" * 10_000, "y" * 10_000)
    assert at.error and not at.exception


# --- security ------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [{}, {"key": "wrong"}, {"key": ""}])
def test_no_teacher_view_without_the_key(query):
    teacher, code, key = teacher_opens()
    ask(teacher)
    joins(code, "Ada")
    at = on(TEACH, {"class": code, **query}) if query else on(TEACH, {"class": code})
    assert "not valid" in texts(at, "error")
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    shown = texts(at, *ALL)
    assert key not in shown and "Ada" not in shown
    keys = {b.key for b in at.button}
    assert not keys & {"teach_ask", "teach_reveal", "teach_end"}


def open_classes(db):
    """Open classes in the database, through the app's own connection (which makes it)."""
    with db.db.connection() as conn:
        return conn.execute("SELECT count(*) FROM classes WHERE ended IS NULL").fetchone()[0]


def test_with_a_teacher_password_only_who_knows_it_opens_a_class(db, monkeypatch):
    """A host's password keeps students from using up the server's open classes: no
    password, a wrong one, or one far longer than the box takes (a raw websocket can send
    it) opens nothing; the right one opens a class as before."""
    monkeypatch.setenv(host.PASSWORD, "correct horse")
    at = on(TEACH)
    for given in (None, "", "correct hors", "correct horse " + "x" * 100_000):
        if given is not None:
            typed(at, "_teach_pw", given)
        at.button(key="teach_open").click().run()
        assert_clean(at)
        assert "not this server's teacher password" in texts(at, "error")
        assert param(at, "class") is None and not at.metric
        assert open_classes(db) == 0
    typed(at, "_teach_pw", "correct horse")
    at.button(key="teach_open").click().run()
    assert_clean(at)
    assert not at.error
    assert open_classes(db) == 1 and len(param(at, "class")) == 6
    assert "correct horse" not in texts(at, *ALL)


def test_without_a_teacher_password_the_page_asks_for_none(monkeypatch):
    monkeypatch.delenv(host.PASSWORD, raising=False)
    at = on(TEACH)
    assert not at.text_input
    at.button(key="teach_open").click().run()
    assert len(param(at, "class")) == 6


@pytest.mark.parametrize("given, ok", [("pw", True), ("pw ", False), ("PW", False), ("", False),
                                       (None, False), (["pw"], False), ("p" * 201, False)])
def test_password_ok(given, ok):
    assert teacher_view.password_ok(given, "pw") is ok
    assert teacher_view.password_ok(given, None) is True     # no password set: open to all


def test_a_student_sees_only_their_own_class_and_answer():
    t1, code1, _ = teacher_opens()
    t2, code2, _ = teacher_opens()
    ask(t2)
    other = joins(code2, "Zed")
    send(other, "0.123456")
    ada = joins(code1, "Ada")
    assert "Waiting for the teacher's first question" in texts(ada, "info")
    ask(t1)
    bob = joins(code1, "Bob")
    send(bob, "0.654321")
    # Ada asks, by the address, for the other class: her page stays with her own
    ada.query_params["code"] = code2
    ada.run()
    shown = texts(ada, *ALL)
    for secret in ("Zed", "0.123456", "Bob", "0.654321"):
        assert secret not in shown
    assert "You are Ada" in shown and "Question 1" in shown


def test_a_student_cannot_change_the_question():
    teacher, code, _ = teacher_opens()
    ask(teacher)
    ada = joins(code, "Ada")
    kinds = ("selectbox", "slider", "number_input", "button", "toggle")
    widgets = [(w.key or "").lstrip("_") for kind in kinds for w in getattr(ada, kind)]
    assert widgets == ["class_send"]                       # only "Send"
    assert [t.key for t in ada.text_input] == ["_class_answer"]
    assert not ada.sidebar.selectbox                       # no network controls either


@pytest.mark.parametrize("nick", ["<img src=x onerror=1>", "**b** :red[r] $x^2$",
                                  "[l](javascript:x)", "<script>alert(1)"])
def test_a_nickname_is_shown_as_plain_text_never_as_markdown_or_html(nick):
    teacher, code, _ = teacher_opens()
    ask(teacher)
    ada = joins(code, nick)
    assert any(t.value == f"You are {nick} in class {code}" for t in ada.text)
    for kind in ("markdown", "caption", "success", "info", "warning", "error", "subheader"):
        assert nick not in texts(ada, kind)
    send(ada, "0.1")
    teacher.run()
    assert teacher.dataframe[-1].value["nickname"].tolist() == [nick]
    for kind in ("markdown", "caption", "success", "info", "warning", "error", "subheader"):
        assert nick not in texts(teacher, kind)


def test_a_long_nickname_is_cut_to_24_characters_on_the_server(db):
    teacher, code, _ = teacher_opens()
    at = joins(code, "n" * 100_000)           # a raw client ignores the box's max_chars
    assert any(t.value == f"You are {'n' * 24} in class {code}" for t in at.text)
    teacher.run()
    assert metrics(teacher)["Joined"] == "1"


def test_one_answer_a_second(monkeypatch):
    monkeypatch.setattr(store, "MIN_GAP", 3600.0)    # "within a second", whatever the clock
    teacher, code, _ = teacher_opens()
    ask(teacher)
    ada = joins(code, "Ada")
    send(ada, "0.1")
    ask(teacher, step=1, cell=("z", 2, 1, None))
    ada.run()
    send(ada, f"{Z2_1:.4f}")
    assert "One answer a second" in texts(ada, "error")
    teacher.run()
    assert metrics(teacher)["Answered"] == "0"
    monkeypatch.setattr(store, "MIN_GAP", 0.0)
    send(ada, f"{Z2_1:.4f}")
    assert "Received" in texts(ada, "success")


# --- every question the teacher's picker offers ----------------------------------------------

def value_of(net, trace, cell):
    """The right value of ``cell``, read from the trace (the cost worked out here from aᴸ
    and y), not from the class pages."""
    q, l, j, k = cell
    if q == "cost":
        a, y = trace.a[net.L], trace.y
        if net.cost == "quadratic":
            return 0.5 * float(np.sum((a - y) ** 2))
        if net.cost == "log_likelihood":
            return -float(np.log(a[np.argmax(y)]))
        return -float(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))
    if q == "nabla_w":
        return float(trace.nabla_w[l][j - 1, k - 1])
    return float(getattr(trace, q)[l][j - 1])


def every_cell(net):
    """Every cell of every quantity of ``net``, in reading order."""
    L, n = net.L, net.sizes
    cells = [("cost", L, None, None)]
    for q, first in (("z", 2), ("a", 1), ("delta", 2), ("nabla_b", 2)):
        cells += [(q, l, j, None) for l in range(first, L + 1) for j in range(1, n[l - 1] + 1)]
    cells += [("nabla_w", l, j, k) for l in range(2, L + 1) for j in range(1, n[l - 1] + 1)
              for k in range(1, n[l - 2] + 1)]
    return cells


def vector_in(latex, name):
    """The numbers of the column vector written ``name = \\begin{bmatrix}...`` in ``latex``."""
    m = re.search(re.escape(name) + r" = \\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", latex)
    assert m, (name, latex)
    return np.array([float(v) for v in m.group(1).split(r" \\")])


def offered(at, key, candidates):
    """The values among ``candidates`` that the selectbox ``key`` offers, in its order:
    AppTest gives its options as shown, so they are matched through its format_func."""
    box = at.selectbox(key=key)
    shown = {box.format_func(c): c for c in candidates}
    assert set(box.options) <= set(shown), box.options
    return [shown[o] for o in box.options]


@pytest.mark.parametrize("network", [*PRESETS, teacher_view.MINE])
def test_every_question_the_picker_offers_reaches_the_students_and_is_answered(network,
                                                                               monkeypatch):
    """For each step the picker offers, and there its first and last cell (each cell it
    should offer is checked to be offered), the teacher asks; both students' pages show the
    question and an answer box, and are counted on screen; one answers right, the other
    wrong; each sees the answer received and diagnosed, and the teacher sees both answers
    as typed; then the reveal reaches them."""
    monkeypatch.setattr(store, "MIN_GAP", 0.0)
    net, x, y = (PRESETS[network] if network in PRESETS else PRESETS[HAND]).make()
    trace = net.backprop(x, y)
    teacher, code, _ = teacher_opens()
    teacher.selectbox(key="_teach_net").select(network).run()
    ada, bob = joins(code, "Ada"), joins(code, "Bob")
    step_key, number, all_steps, asked = f"_teach_step_{network}", 0, steps(net, trace), []
    offers = offered(teacher, step_key, range(len(all_steps)))
    assert offers == list(range(1, len(all_steps)))             # all but the input, given
    for step in offers:
        teacher.selectbox(key=step_key).select(step).run()
        cell_key = f"_teach_cell_{network}_{step}"
        s = all_steps[step]
        cells = offered(teacher, cell_key, every_cell(net))
        assert cells == [c for c in every_cell(net) if c[:2] == (s.quantity, s.l)]
        for cell in dict.fromkeys((cells[0], cells[-1])):    # its first row/column and last
            asked.append(cell)
            teacher.selectbox(key=cell_key).select(cell).run()
            teacher.button(key="teach_ask").click().run()
            assert_clean(teacher)
            number += 1
            name, right = cell_name(cell), value_of(net, trace, cell)
            wrong = right + 1 + 10 * abs(right)
            for student, answer in ((ada, repr(right)), (bob, f" {wrong:.5e} ")):
                student.run()
                assert_clean(student)
                assert f"Question {number}: what is {name}?" in texts(student, "subheader")
                assert [t.label for t in student.text_input] == [name]
                if s.kind in ("cost", "BP1"):     # what they work from: aᴸ and y
                    shown = " ".join(e.value for e in student.latex)
                    np.testing.assert_allclose(vector_in(shown, "y"), y, rtol=5e-4, atol=0)
                    np.testing.assert_allclose(vector_in(shown, f"a^{{{net.L}}}"),
                                               trace.a[net.L], rtol=5e-4, atol=0)
                send(student, answer)
                assert f"Received: your answer {name} = " in texts(student, "success")
                assert not student.text_input
            assert f"{name} = " in texts(ada, "success") and "is right" in texts(ada, "success")
            assert "is not right" in texts(bob, "warning")
            teacher.run()
            assert_clean(teacher)
            assert {k: v for k, v in metrics(teacher).items() if k != "Class code"} == {
                "Joined": "2", "On screen": "2", "Answered": "2", "Right": "50%"}
            who = teacher.dataframe[-1].value
            assert who[["nickname", "answer"]].values.tolist() == [
                ["Ada", repr(right)], ["Bob", f"{wrong:.5e}"]]
            teacher.button(key="teach_reveal").click().run()
            for student in (ada, bob):
                student.run()
                assert_clean(student)
                assert f"Revealed: {name} = {right:.6g}" in texts(student, "success")
    assert {c[:2] for c in asked} == {c[:2] for c in every_cell(net)} - {("a", 1)}  # not x


# --- what the teacher sees of the students' pages and answers ------------------------------

def test_the_teacher_sees_how_many_pages_show_the_question(monkeypatch):
    """A page counts as showing the question once it has drawn all of it: one that fails
    on the way is not counted (the teacher sees the gap) until it draws it; a reload or a
    second tab counts once."""
    teacher, code, _ = teacher_opens()
    ask(teacher)
    ada = joins(code, "Ada")
    real = student_view.network.network_figure

    def broken(*args, **kwargs):
        raise RuntimeError("this page could not draw the network")
    monkeypatch.setattr(student_view.network, "network_figure", broken)
    bob = on(CLASS)
    typed(bob, "_class_code", code)
    typed(bob, "_class_nickname", "Bob")
    bob.button(key="class_join").click().run()
    assert "Question 1: what is δ²₁?" in texts(bob, "subheader")      # drawn in part
    assert any("something went wrong" in e.value for e in bob.error)
    teacher.run()
    assert (metrics(teacher)["Joined"], metrics(teacher)["On screen"]) == ("2", "1")
    monkeypatch.setattr(student_view.network, "network_figure", real)
    bob.run()
    assert_clean(bob)
    on(CLASS, {"code": code, "me": param(ada, "me")})          # Ada's page in another tab
    ada.run()
    teacher.run()
    assert (metrics(teacher)["Joined"], metrics(teacher)["On screen"]) == ("2", "2")
    ask(teacher, step=1, cell=("z", 2, 1, None))                # a new question: none yet
    assert metrics(teacher)["On screen"] == "0"
    ada.run()
    teacher.run()
    assert metrics(teacher)["On screen"] == "1"


def test_the_teacher_sees_each_answer_as_typed(monkeypatch):
    """Answers four digits would round alike are told apart: each as the student typed it
    (spaces around dropped), in a table's cell, which shows plain text."""
    monkeypatch.setattr(store, "MIN_GAP", 0.0)
    teacher, code, _ = teacher_opens()
    ask(teacher)
    given = {"Ada": "0.00877", "Bob": " 0.00881", "Cy": "−8.8e-3", "Di": "8.80000000000001e-3"}
    for nickname, answer in given.items():
        send(joins(code, nickname), answer)
    teacher.run()
    who = teacher.dataframe[-1].value
    assert who[["nickname", "answer"]].values.tolist() == [
        [n, a.strip()] for n, a in given.items()]
