"""Exports of one network and example as text, for teachers and students; no I/O here.

- ``numpy_script(net, x, y)``: a standalone Python file that needs only NumPy.
- ``worksheet(net, x, y, blanks, fmt)``: a worksheet with numbered blanks and its answer key,
  as Markdown with LaTeX or as self-contained HTML.
- ``moodle_quiz(sizes, activations, cost, cells, variants, seed, name)``: Moodle XML with
  numerical questions on seeded variants of one architecture.
"""

from .export_quiz import moodle_quiz
from .export_script import numpy_script
from .export_worksheet import worksheet

__all__ = ["moodle_quiz", "numpy_script", "worksheet"]
