"""`pip install .` into a fresh virtual environment installs the package `backprop` alone,
with NumPy its only dependency; imported from outside the repository, its Network and Trace
render as HTML tables (what Jupyter shows)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import test_html_tables as ref
from helpers.html_reader import tables

from backprop import Network, __version__

ROOT = Path(__file__).resolve().parents[2]
# What a clone holds besides the sources; a build in the copy must not see these.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build",
                                     "data", "test-results", "artifacts", ".hypothesis",
                                     ".pytest_cache")

SCRIPT = """
import importlib.metadata as md, importlib.util, json, sys
import backprop
from backprop import Network
net = Network({w}, {b}, "sigmoid", "quadratic")
trace = net.backprop({x}, {y})
print(json.dumps({{
    "file": backprop.__file__,
    "version": backprop.__version__,
    "dist_version": md.version("backprop-explorer"),
    "requires": md.requires("backprop-explorer"),
    "top": sorted({{str(f).split("/")[0] for f in md.files("backprop-explorer")}}),
    "installed": sorted(d.metadata["Name"].lower() for d in md.distributions()),
    "found": {{m: importlib.util.find_spec(m) is not None
              for m in ("streamlit", "plotly", "pandas", "explorer")}},
    "net_html": net._repr_html_(),
    "trace_html": trace._repr_html_(),
    "repr": repr(net),
}}))
"""


def test_pip_install_gives_backprop_alone_and_its_html_views(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCES)   # the build writes into its source tree
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env, timeout=120)
    py = str(venv / "bin" / "python")
    install = subprocess.run([py, "-m", "pip", "install", "--disable-pip-version-check", str(src)],
                             env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    script = SCRIPT.format(w=[ref.W2, ref.W3], b=[ref.B2, ref.B3], x=ref.X, y=ref.Y)
    run = subprocess.run([py, "-c", script], env=env, cwd=outside, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout)

    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.run([py, "-c", purelib], env=env, capture_output=True, text=True,
                               check=True).stdout.strip())
    assert Path(got["file"]).resolve() == (site / "backprop" / "__init__.py").resolve()
    assert got["version"] == got["dist_version"] == __version__
    assert [r.split(";")[0].split(">")[0].split("=")[0].strip() for r in got["requires"]
            if "extra ==" not in r] == ["numpy"]
    app = sorted(r.split(">")[0] for r in got["requires"] if r.endswith('extra == "app"'))
    assert app == ["pandas", "plotly", "streamlit"]       # pip install ".[app]"
    assert [t for t in got["top"] if not t.endswith(".dist-info")] == ["backprop"]
    assert set(got["installed"]) - {"pip", "setuptools", "wheel"} == {"backprop-explorer", "numpy"}
    assert got["found"] == {"streamlit": False, "plotly": False, "pandas": False,
                            "explorer": False}

    net = Network([ref.W2, ref.W3], [ref.B2, ref.B3], "sigmoid", "quadratic")
    ref.check_network_tables(tables(got["net_html"]), net)
    ref.check_trace_tables(tables(got["trace_html"]), net.backprop(ref.X, ref.Y))
    assert got["repr"] == repr(net)
