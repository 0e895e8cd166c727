"""Lesson links: a teacher's link that opens the explorer at one step and one cell, with
practice on or off and some sidebar controls hidden or locked. Pure: it reads and writes
query parameters, and every field is bounded and checked before it is used.

A lesson link is the explorer's address with, besides ``?net=`` (the network and example,
see ``files``), these parameters:
    step=7                 the step, counted from 1 as the slider does
    cell=delta.2.1         the explained (and, in practice, asked) cell: quantity.l.j[.k]
    practice=1             practice mode on (1) or off (0)
    hide=preset,cost       sidebar controls not shown
    lock=structure,seed    sidebar controls shown but not changeable
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from ..step.picking import LABELS, pick_layers

# The sidebar controls a lesson can hide or lock, with the names a teacher sees.
CONTROLS = {"preset": "Preset", "structure": "Layers and neurons", "activations": "Activations σ",
            "cost": "Cost", "init": "Initial weights and seed", "edit": "Editing the network"}
KEYS = ("step", "cell", "practice", "hide", "lock")
MAX_PARAM_CHARS = 120        # every lesson parameter is refused above this, before parsing
MAX_STEP = 100               # far above the longest step list (6 layers: 26 steps)


@dataclass(frozen=True)
class Lesson:
    step: int = None          # 0-based step index, None: leave as it is
    cell: tuple = None        # (quantity, l, j, k), 1-based, as ``explain`` takes it
    practice: bool = False
    hide: frozenset = frozenset()
    lock: frozenset = frozenset()

    def shows(self, control):
        return control not in self.hide

    def locks(self, control):
        return control in self.lock or control in self.hide


def _bounded(params, key):
    v = params.get(key)
    if v is None:
        return None
    if not isinstance(v, str) or len(v) > MAX_PARAM_CHARS:
        raise ValueError(f"the link's {key} is longer than {MAX_PARAM_CHARS} characters")
    return v.strip()


def _int(text, what, lo, hi):
    if not (text.isascii() and text.isdigit()) or len(text) > 3:
        raise ValueError(f"the link's {what} must be a whole number from {lo} to {hi}")
    n = int(text)
    if not lo <= n <= hi:
        raise ValueError(f"the link's {what} must be a whole number from {lo} to {hi}")
    return n


def _cell(text):
    parts = text.split(".")
    if not 2 <= len(parts) <= 4 or parts[0] not in LABELS:
        raise ValueError("the link's cell must look like delta.2.1 (quantity.layer.row"
                         "[.column]) with a quantity among " + ", ".join(LABELS))
    nums = [_int(p, "cell index", 1, 99) for p in parts[1:]]
    return (parts[0], *nums, *[None] * (4 - len(parts)))


def _controls(text, key):
    names = frozenset(n.strip() for n in text.split(",") if n.strip())
    unknown = sorted(names - set(CONTROLS))
    if unknown:
        raise ValueError(f"the link's {key} names a control this explorer does not have; "
                         f"choose among {', '.join(CONTROLS)}")
    return names


def from_params(params):
    """The Lesson a link's query parameters describe (a mapping of str to str), or None if
    it has none of them; ValueError saying what is wrong otherwise."""
    texts = {k: _bounded(params, k) for k in KEYS}
    if all(v is None for v in texts.values()):
        return None
    practice = texts["practice"]
    if practice not in (None, "0", "1"):
        raise ValueError("the link's practice must be 1 (on) or 0 (off)")
    return Lesson(step=None if texts["step"] is None else _int(texts["step"], "step", 1,
                                                               MAX_STEP) - 1,
                  cell=None if texts["cell"] is None else _cell(texts["cell"]),
                  practice=practice == "1",
                  hide=_controls(texts["hide"] or "", "hide"),
                  lock=_controls(texts["lock"] or "", "lock"))


def fit(lesson, net, n_steps):
    """Check a Lesson against the network it comes with; ValueError if its step or cell do
    not exist there."""
    if lesson.step is not None and lesson.step >= n_steps:
        raise ValueError(f"the link's step is {lesson.step + 1}, but this network has "
                         f"{n_steps} steps")
    if lesson.cell is not None:
        q, l, j, k = lesson.cell
        ok = l in pick_layers(net, q) and (
            (q == "cost" and j is None) or
            (q != "cost" and j is not None and j <= net.sizes[l - 1]
             and (k is not None) == (q in ("w", "nabla_w"))
             and (k is None or k <= net.sizes[l - 2])))
        if not ok:
            raise ValueError("the link's cell does not exist in this network")
    return lesson


def to_params(lesson):
    """The query parameters of a Lesson (the network goes in ``net``, see ``files``)."""
    out = {}
    if lesson.step is not None:
        out["step"] = str(lesson.step + 1)
    if lesson.cell is not None:
        out["cell"] = ".".join(str(p) for p in lesson.cell if p is not None)
    out["practice"] = "1" if lesson.practice else "0"
    for key in ("hide", "lock"):
        names = [n for n in CONTROLS if n in getattr(lesson, key)]
        if names:
            out[key] = ",".join(names)
    return out


def query(net_link, lesson):
    """The query string of a lesson link: ``net=...&step=...``."""
    return urlencode({"net": net_link, **to_params(lesson)})
