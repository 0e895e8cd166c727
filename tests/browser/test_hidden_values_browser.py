"""A number a student is asked to predict must not reach the browser before it is revealed:
not in a figure's data, its hover text, the page's text or any websocket frame. With the
BP1 question δ³₁ open (the live class's student page, then the Step page opened by a
lesson link with practice on), every frame the page received is searched for every number
still hidden (as text in the forms the app prints, as base64 float64 arrays decoded, as a
raw little-endian double), and so are the page's text and every plotly div's data and
layout. Then the answer is revealed and the same search must find δ³₁: a search that can
find nothing proves nothing.

(The unit test tests/explorer/figures/test_hidden_values.py does the same for every preset
and every asked step, on the figures alone. This file has another name: two test modules
of one basename cannot be collected together here, the test folders not being packages.)
"""

import base64
import re
import struct

import numpy as np
from helpers.hidden import printed
from test_class import join, new_page, teacher_asking
from test_explorer import TIMEOUT, wait_for_run

from backprop.explain.steps import steps
from explorer import files
from explorer.figures import heatmap
from explorer.lesson import links
from explorer.practice import questions
from explorer.presets import DEFAULT, PRESETS

NET, X, Y = PRESETS[DEFAULT].make()          # the 2-2-2 by-hand network the teacher asks
TRACE = NET.backprop(X, Y)
STEPS = steps(NET, TRACE)
BP1 = next(s for s in STEPS if s.kind == "BP1")
D31 = float(TRACE.delta[3][0])
KINDS = ("z", "a", "delta", "nabla_b", "nabla_w")
RTOL = 1e-9

# Everything the page holds that a student could read: the text of the main document and
# of every same-origin frame (KaTeX's LaTeX source and plotly's SVG texts included), every
# plotly div's data and layout (typed arrays as plain arrays), and the Step page's stepper
# object if there is one.
PAGE_JS = """() => {
    const plain = (k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v;
    const dump = x => { try { return JSON.stringify(x, plain) || ''; }
                        catch (e) { return 'unserializable: ' + e; } };
    const text = [document.body.innerText, document.body.textContent,
                  ...[...document.querySelectorAll('svg text, annotation')]
                      .map(e => e.textContent)];
    const plots = [...document.querySelectorAll('.js-plotly-plot')]
        .map(el => dump({data: el.data, layout: el.layout}));
    return {text: text.join('\\n'), plots,
            stepper: window.__bpStepper ? dump(window.__bpStepper) : null};
}"""
BDATA = re.compile(rb'bdata\\?"\s*:\s*\\?"([A-Za-z0-9+/]+={0,2})')


def float64s(raw):
    """Every base64 "bdata" array in ``raw`` (bytes) decoded as little-endian float64.
    Plotly's JSON escapes "/" (as \\u002f, safe in HTML), so JSON escapes are undone first."""
    for escaped, char in ((rb"\u002f", b"/"), (rb"\u002F", b"/"), (rb"\/", b"/"),
                          (rb"\u002b", b"+"), (rb"\u002B", b"+"), (rb"\u003d", b"="),
                          (rb"\u003D", b"=")):
        raw = raw.replace(escaped, char)
    out = []
    for m in BDATA.finditer(raw):
        try:
            b = base64.b64decode(m.group(1), validate=True)
        except ValueError as e:   # a form of escaping not undone above: say where
            raise AssertionError(f"undecodable bdata: {raw[m.start() - 80:m.end() + 80]!r}") \
                from e
        if len(b) % 8 == 0:
            out.append(np.frombuffer(b, "<f8"))
    return np.concatenate(out) if out else np.array([])


def hidden_at(known):
    """{name: value} of every number not in ``known`` (w and b always are), 0 left out and
    any that equals a shown number (∂C/∂b^l is δ^l), and the text forms of the shown ones."""
    every = {(q, l): np.ravel(getattr(TRACE, q)[l])
             for q in KINDS for l in heatmap.layers_of(NET, q)}
    every[("cost", NET.L)] = np.array([TRACE.cost])
    shown = np.abs(np.concatenate([every[p] for p in every if p in known]
                                  + [np.ravel(NET.w[l]) for l in range(2, NET.L + 1)]
                                  + [np.ravel(NET.b[l]) for l in range(2, NET.L + 1)]
                                  + [X, Y]))
    hidden = {f"{q}^{l}[{i}]": float(v) for (q, l), vs in every.items() if (q, l) not in known
              for i, v in enumerate(vs)
              if v != 0 and not np.isclose(shown, abs(v), rtol=RTOL, atol=0).any()}
    return hidden, {f for v in shown for f in printed(v)}


class Finder:
    """Looks for the hidden numbers in text, bytes and decoded arrays."""

    def __init__(self, hidden, shown_forms):
        self.hidden = hidden
        names = {}                      # text form: the names of the numbers printed so
        for n, v in hidden.items():
            for f in printed(v) - shown_forms:
                names.setdefault(f, []).append(n)
        self.texts = {f: " = ".join(n) for f, n in names.items()}
        self.pattern = re.compile(r"(?<![\d.])(?:" + "|".join(
            re.escape(f) for f in sorted(self.texts, key=len, reverse=True)) + r")(?!\d)")
        self.doubles = {struct.pack("<d", s * v): n for n, v in hidden.items()
                        for s in (1.0, -1.0)}

    def in_text(self, where, text):
        return [f"{where}: {self.texts[m.group()]} as {m.group()!r}"
                for m in self.pattern.finditer(text)]

    def in_numbers(self, where, values):
        values = np.abs(np.asarray(values, float))
        values = values[np.isfinite(values)]
        return [f"{where}: {n} = {v!r} as a number" for n, v in self.hidden.items()
                if np.isclose(values, abs(v), rtol=RTOL, atol=0).any()]

    def in_frame(self, i, payload):
        raw = payload if isinstance(payload, bytes) else payload.encode()
        found = self.in_text(f"frame {i}", raw.decode("latin-1"))
        found += [f"frame {i}: {n} as a raw double" for b, n in self.doubles.items()
                  if b in raw]
        return found + self.in_numbers(f"frame {i} (bdata)", float64s(raw))

    def in_json(self, where, text):
        """A JSON dump: its text, its numbers, and its base64 arrays decoded."""
        found = self.in_text(where, text)
        nums = [float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", text)]
        found += self.in_numbers(where, nums)
        return found + self.in_numbers(f"{where} (bdata)", float64s(text.encode()))

    def search(self, page, frames):
        """Every finding in the frames received so far and in the page as it is now."""
        found = [f for i, p in enumerate(frames) for f in self.in_frame(i, p)]
        for frame in page.frames:
            try:
                got = frame.evaluate(PAGE_JS)
            except Exception:          # a cross-origin frame: the page cannot read it either
                continue
            found += self.in_text(f"text of {frame.url}", got["text"])
            for n, plot in enumerate(got["plots"]):
                found += self.in_json(f"plotly div {n}", plot)
            if got["stepper"]:
                found += self.in_json("window.__bpStepper", got["stepper"])
        return list(dict.fromkeys(found))


def capture(page):
    """The list every websocket frame the page receives is appended to."""
    frames = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(p)))
    return frames


PLACES = ("frame", "text of", "plotly div", "window.__bpStepper")


def where(found):
    """The kinds of place a list of findings names: frames, page text, plotly divs, the
    stepper."""
    return {p for f in found for p in PLACES if f.startswith(p)}


def test_the_class_student_page_holds_no_hidden_number_until_the_reveal(browser, tmp_path,
                                                                         monkeypatch):
    from conftest import serve

    asked = questions.visible(STEPS, BP1.index, revealed=False)
    finder = Finder(*hidden_at(asked))
    assert "delta^3[0]" in finder.hidden and finder.hidden["delta^3[0]"] == D31
    monkeypatch.setenv("BACKPROP_CLASS_DB", str(tmp_path / "class.sqlite3"))
    with serve(tmp_path) as url:
        teacher, errors_t, code = teacher_asking(browser, url, re.compile(r"^7 · BP1"),
                                                 "Question 1: δ³₁")

        student, errors_s = new_page(browser, url, "-")
        frames = capture(student)
        join(student, url, code, "Ada", "Question 1: what is δ³₁?")
        student.wait_for_function(
            "() => [...document.querySelectorAll('.js-plotly-plot')].some(el => el._fullLayout)",
            timeout=TIMEOUT)
        student.wait_for_timeout(2 * 2000)        # two of the page's polls, their frames too
        assert frames, "no websocket frame captured: the search would find nothing anyway"
        found = finder.search(student, frames)
        assert found == [], "\n".join(found[:20])

        teacher.get_by_role("button", name="Reveal to the class").click()
        teacher.get_by_text("Revealed to the class").wait_for(timeout=TIMEOUT)
        student.get_by_text(f"Revealed: δ³₁ = {D31:.6g}").wait_for(timeout=TIMEOUT)
        wait_for_run(student)
        only = Finder({"delta^3[0]": D31}, set())
        found = only.search(student, frames)
        assert {"frame", "text of", "plotly div"} <= where(found), found
        assert any("as a number" in f for f in found if f.startswith("frame"))
        assert any("as a number" in f for f in found if f.startswith("plotly div"))
        for page, errors in ((teacher, errors_t), (student, errors_s)):
            assert page.locator('[data-testid="stException"]').count() == 0
            assert errors == []
            page.context.close()


LESSON = links.Lesson(step=BP1.index, cell=("delta", 3, 1, None), practice=True)


def test_the_step_page_in_practice_mode_holds_no_hidden_number_until_answered(page, fresh_server,
                                                                             page_errors):
    asked = questions.visible(STEPS, BP1.index, revealed=False)
    finder = Finder(*hidden_at(asked))
    frames = capture(page)
    page.goto(f"{fresh_server}/Step_through?{links.query(files.to_link(NET, X, Y), LESSON)}")
    wait_for_run(page)
    page.get_by_text("Your turn:").first.wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(1000)                   # what the page draws after its run
    assert frames
    found = finder.search(page, frames)
    assert found == [], "\n".join(found[:20])

    page.get_by_label("δ³₁").fill(f"{D31:.6f}")
    page.get_by_role("button", name="Check").click()
    page.get_by_text("right first time").first.wait_for(timeout=TIMEOUT)
    wait_for_run(page)
    page.wait_for_timeout(1000)
    found = Finder({"delta^3[0]": D31}, set()).search(page, frames)
    assert {"frame", "text of"} <= where(found), found
    assert page_errors == []
