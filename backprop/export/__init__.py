"""Exports of one network and example as text, for teachers and students; no I/O here.

- ``numpy_script(net, x, y)``: a standalone Python file that needs only NumPy.
- ``worksheet(net, x, y, blanks, fmt)``: a worksheet with numbered blanks and its answer key,
  as Markdown with LaTeX or as self-contained HTML.
- ``moodle_quiz(sizes, activations, cost, cells, variants, seed, name)``: Moodle XML with
  numerical questions on seeded variants of one architecture; ``quiz(...)`` gives it as a
  ``Quiz`` with notes for the teacher on any question that could not be made as it should.
"""

from .quiz import Quiz, moodle_quiz, quiz
from .script import numpy_script
from .worksheet import worksheet

__all__ = ["Quiz", "moodle_quiz", "numpy_script", "quiz", "worksheet"]
