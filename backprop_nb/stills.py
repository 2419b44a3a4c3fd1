"""A saved notebook shows each widget as its still picture: what the refresh tool and the HTML
export store in place of a widget.

A widget of this package displays three entries (see
:class:`~backprop_nb.widgets._common.StaticFallbackBox`): the live view
(``application/vnd.jupyter.widget-view+json``), its still picture (``image/png``, with the note
"A still picture of the widget: run the cell in Jupyter to make it interactive"
written under it) and a line of text. A front-end shows the entry it ranks highest, and every one
ranks the widget view first, so a notebook file that keeps the view shows "Error displaying
widget: model not found" in JupyterLab once the kernel that made the widget is gone, even with
the picture right beside it. :func:`widget_still` therefore drops the view: what is left, the
picture, is what JupyterLab (trusted or not), GitHub, nbviewer and HTML pages show. Running the
cell brings the live widget back.
"""

from __future__ import annotations

from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
"""The mimetype of a live widget's view (it needs the kernel that made the widget)."""


def widget_still(output: dict[str, Any]) -> dict[str, Any]:
    """``output`` without its widget view (changed in place and returned): a widget of this
    package keeps its still picture and text, a plain ipywidget (an ``IntSlider``) its text."""
    output.get("data", {}).pop(WIDGET_VIEW, None)
    output.get("metadata", {}).pop(WIDGET_VIEW, None)
    return output


def widgets_as_stills(notebook: Any) -> int:
    """Drop every widget view from the outputs of ``notebook`` (an ``nbformat`` notebook) and its
    saved widget state, which nothing uses then; return how many views were dropped."""
    views = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if WIDGET_VIEW in output.get("data", {})
    ]
    for output in views:
        widget_still(output)
    notebook.metadata.pop("widgets", None)
    return len(views)
