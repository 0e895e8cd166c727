"""An uploaded CSV file as a ``datasets.Data``. Only pandas reads what a user uploads, and
every bound (bytes, rows, columns, classes, magnitudes) is checked before it parses;
every problem is a ValueError saying what to fix, never pandas' own words."""

import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import limits
from .datasets import check_split, short, split_data

LABEL_NAMES = ("label", "class", "y", "target")


def read_csv(raw, file_name, test_fraction, seed):
    """A Data from the bytes of a CSV file: a header row, feature columns, and a label
    column (named label, class, y or target, or else the last). Raises ValueError saying
    what to fix."""
    check_split(test_fraction, seed)
    if len(raw) > limits.MAX_CSV_BYTES:
        raise ValueError(too_large(len(raw)))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not text (UTF-8): save it as CSV") from None
    lines = text.splitlines()
    if len(lines) < 3:
        raise ValueError("the file needs a header row and at least two rows of data")
    if len(lines) > limits.MAX_POINTS + 1:
        raise ValueError(f"the file has {len(lines) - 1} rows of data; at most "
                         f"{limits.MAX_POINTS} are allowed")
    if lines[0].count(",") + 1 > limits.MAX_CSV_COLUMNS:
        raise ValueError(f"the header has {lines[0].count(',') + 1} columns; at most "
                         f"{limits.MAX_NEURONS} features and a label are allowed (and "
                         "pandas' unnamed index column)")
    index = lines[0].split(",")[0].strip() == ""    # pandas' to_csv writes its index first
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                         skip_blank_lines=True)
    except pd.errors.ParserError as e:
        line = re.search(r"line (\d+)", str(e))
        where = f" (line {line.group(1)})" if line else ""
        raise ValueError("every row must have as many cells as the header" + where) from None
    except Exception:   # pandas' own words never reach the page
        raise ValueError("the file could not be read as CSV: a header row, then one "
                         "example a row, cells separated by commas") from None
    _check_cells(df)
    if index and df.shape[1] > 2:
        df = df.iloc[:, 1:]
    return _from_frame(df, short(file_name), test_fraction, seed)


def too_large(size):
    """Why a file of ``size`` bytes is refused, in words."""
    return (f"the file holds {size / 1024:,.0f} kB; at most {limits.MAX_CSV_BYTES // 1024:,} "
            f"kB ({limits.UPLOAD_MB} MB) are read")


def _check_cells(df):
    """ValueError naming the first cell (or column name) longer than MAX_CELL_CHARS."""
    cap = limits.MAX_CELL_CHARS
    for i, c in enumerate(df.columns):
        if len(str(c)) > cap:
            raise ValueError(f"the name of column {i + 1} has {len(str(c))} characters; at "
                             f"most {cap} are allowed in a cell")
    lengths = np.column_stack([df.iloc[:, i].str.len().to_numpy() for i in range(df.shape[1])])
    if lengths.size and lengths.max() > cap:
        row, col = np.unravel_index(int(np.argmax(lengths)), lengths.shape)
        raise ValueError(f"column “{short(df.columns[col], 20)}”, row {row + 1}: a cell of "
                         f"{lengths[row, col]} characters; at most {cap} are allowed (any "
                         "number as pandas writes it has at most 24)")


def _from_frame(df, name, test_fraction, seed):
    if df.shape[1] < 2:
        raise ValueError("the file needs at least two columns: features and a label")
    if len(df) < 2:
        raise ValueError("the file needs at least two rows of data")
    cols = [str(c) for c in df.columns]
    named = [i for i, c in enumerate(cols) if c.strip().lower() in LABEL_NAMES]
    label = named[0] if named else len(cols) - 1
    features = [i for i in range(len(cols)) if i != label]
    if len(features) > limits.MAX_NEURONS:
        raise ValueError(f"the file has {len(features)} feature columns and a label; at most "
                         f"{limits.MAX_NEURONS} features are allowed (n₁ ≤ {limits.MAX_NEURONS})")
    X = np.empty((len(df), len(features)))
    for k, i in enumerate(features):
        X[:, k] = _numbers(df.iloc[:, i], cols[i])
    limits.check_magnitude("a feature", X)
    labels = df.iloc[:, label].str.strip()
    values = pd.to_numeric(labels, errors="coerce").to_numpy(dtype=np.float64)
    if np.isfinite(values).all() and not np.all(values == np.round(values)):
        limits.check_magnitude("the label y", values)   # numbers that are not whole: a regression
        return split_data(name, X, values, (), test_fraction, seed, True)
    if (labels == "").any():
        raise ValueError(f"the label in row {int(np.argmax(labels == '')) + 1} is empty")
    if np.isfinite(values).all():
        names = sorted(set(values.tolist()))
        classes = tuple(f"{v:g}" for v in names)
        c = np.searchsorted(names, values)
    else:
        names = sorted(set(labels))
        classes = tuple(short(v, 20) for v in names)
        c = np.searchsorted(names, labels.to_numpy())
    if not 2 <= len(classes) <= limits.MAX_CLASSES:
        raise ValueError(f"the label column holds {len(classes)} different classes; "
                         f"between 2 and {limits.MAX_CLASSES} are needed")
    return split_data(name, X, c.astype(int), classes, test_fraction, seed, True)


def _numbers(column, name):
    v = pd.to_numeric(column.str.strip(), errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(v)
    if bad.any():
        row = int(np.argmax(bad))
        cell = short(column.iloc[row], 20)
        raise ValueError(f"column “{short(name, 20)}”, row {row + 1}: "
                         + (f"“{cell}” is not a number" if cell else "the cell is empty"))
    return v


MAX_REPORTED_BYTES = 10**15     # a size a browser may report; anything else is ignored


def refused_file(value):
    """(name, size in bytes) of a file the browser's uploader refused, from the trigger
    value ``upload_watch.js`` sent; None for anything else (a raw websocket message can
    carry any JSON). The name is shortened user text: show it with ``datasets.md``."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    size = value.get("size")
    if type(size) is float and not math.isfinite(size):
        return None
    if type(size) not in (int, float) or not 0 <= size <= MAX_REPORTED_BYTES:
        return None
    return short(value["name"][:200]), int(size)


def refusal(name, size):
    """Why the browser's uploader refused the file ``name`` of ``size`` bytes."""
    if size > limits.MAX_CSV_BYTES:
        return too_large(size)
    return "only .csv files are read: save it as CSV (comma-separated values)"


def watch(key, prefix, on_refused):
    """Watch the uploader whose key starts with ``prefix``: ``on_refused(name, size)`` is
    called before the rerun when the browser refuses a file (over the byte limit, or not
    named .csv)."""
    import streamlit as st

    def refused():
        got = refused_file((st.session_state.get(key) or {}).get("refused"))
        if got:
            on_refused(*got)

    return _watch_component()(key=key, data={"limit": limits.MAX_CSV_BYTES, "prefix": prefix},
                              on_refused_change=refused, height=0)


def _watch_component():
    import streamlit as st

    return st.components.v2.component(
        "explorer.upload_watch", html="<span></span>",
        js=(Path(__file__).parent / "upload_watch.js").read_text(encoding="utf-8"))
