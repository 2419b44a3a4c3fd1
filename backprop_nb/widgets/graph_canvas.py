"""The live graph of the widgets: laid out once in the browser, then updated in place.

A :class:`GraphCanvas` is an ``anywidget`` whose front-end (``js/src/graph_view.js``) draws the
graph in the page with Graphviz compiled to WebAssembly. The kernel hands it a
:class:`~backprop_nb.viz.dot.LiveDrawing` (``bp.to_dot``'s picture split into a layout and
what each box shows); what travels to the page on a slider step is only the new texts and
colours, keyed by node id, so no box moves. Only when the graph's structure changes (its
layout text differs) does the page lay it out again, with the nodes gliding to their new places.

The view fits the width of its output area (down to half size, then it scrolls);
Ctrl/⌘ + wheel or a pinch zooms, dragging pans, buttons fit, zoom and show full size, and
hovering a box shows its value and gradient to full precision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anywidget
import traitlets

from .._frontend import bundle
from ..viz import style

if TYPE_CHECKING:  # only a type: viz.dot brings the numpy core, which the view itself never needs
    from ..viz.dot import LiveDrawing

MEAN_ABS_CAPTION = " ".join(style.ARROW_TEXT_MEANINGS["mean_abs"]) + " sent back along it"
"""Shown under a graph whose arrows carry "|g|": the legend's words for it."""


class GraphCanvas(anywidget.AnyWidget):
    """A graph drawn and kept laid out in the browser; :meth:`show` a new state of it.

    Attributes (synced with the page):
        layout_dot: ``LiveDrawing.layout``, the DOT the page lays out.
        nodes, edges: ``LiveDrawing.nodes`` and ``.edges``, what each box and arrow shows.
        caption: a line under the graph explaining its arrow texts ("" for none).
    """

    _esm = bundle("graph_view")
    layout_dot = traitlets.Unicode("").tag(sync=True)
    nodes = traitlets.Dict().tag(sync=True)
    edges = traitlets.List().tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)

    def show(self, drawing: LiveDrawing) -> None:
        """Send ``drawing`` to the page in one message (the layout only if it changed)."""
        mean_abs = any(text.startswith("|g| ") for edge in drawing.edges for text in edge["texts"])
        with self.hold_sync():
            self.layout_dot = drawing.layout
            self.nodes = drawing.nodes
            self.edges = drawing.edges
            self.caption = MEAN_ABS_CAPTION if mean_abs else ""
