"""A saved notebook shows each widget as its still picture: what the refresh tool and the HTML
export store in place of a widget.

A widget of this package displays three entries (see
:class:`~backprop_nb.widgets._common.StaticFallbackBox`): the live view
(``application/vnd.jupyter.widget-view+json``), its still picture (``image/png``) and a line of
text. A front-end picks the entry it ranks highest, and every one ranks the widget view first, so
a notebook file that keeps the view shows "Error displaying widget: model not found" in
JupyterLab once the kernel that held the widget is gone, even with the picture right beside it.
:func:`widgets_as_stills` therefore drops the view: each widget output becomes a one-line note
(:data:`~backprop_nb.widgets._common.STATIC_NOTE`, "run the cell ... to make it interactive")
and the picture, which JupyterLab (trusted or not), GitHub, nbviewer and HTML pages all show.
Running the cell brings the live widget back.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbformat.v4 import new_output

from .widgets._common import STATIC_NOTE

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
"""The mimetype of a live widget's view (it needs the kernel that made the widget)."""

PICTURES = ("image/png", "image/svg+xml", "text/html")
"""Entries that draw something: an output with one of them beside a widget view is a still."""


def widgets_as_stills(notebook: NotebookNode) -> int:
    """Replace every widget view in the outputs of ``notebook`` by its still; return how many.

    An output with a widget view and a picture becomes two outputs: the note
    (``text/markdown`` in italics, and ``text/plain``) and the picture without the view. A widget
    without a picture (a plain ``ipywidgets.IntSlider``) keeps only its ``text/plain``. The saved
    widget state (``metadata.widgets``) is dropped too: without the view nothing uses it.
    """
    replaced = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            if WIDGET_VIEW not in output.get("data", {}):
                outputs.append(output)
                continue
            replaced += 1
            del output.data[WIDGET_VIEW]
            if any(kind in output.data for kind in PICTURES):
                outputs.append(still_note())
            outputs.append(output)
        cell.outputs = outputs
    notebook.metadata.pop("widgets", None)
    return replaced


def still_note() -> NotebookNode:
    """The output that goes above a widget's still picture in a saved notebook."""
    return new_output("display_data", data={"text/markdown": f"*{STATIC_NOTE}*", "text/plain": STATIC_NOTE})
