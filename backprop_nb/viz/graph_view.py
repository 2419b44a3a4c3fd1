"""``bp.show_graph``: the computation graph as a picture that shows itself in Jupyter.

>>> f.backward()
>>> bp.show_graph(f)                        # the last line of a cell: the picture appears
>>> bp.show_graph(f, edge_grads=True).save("f.svg")
>>> bp.show_graph(big_loss, fit=False)     # full size, scroll to see it all

The picture is drawn by Graphviz: the system ``dot`` program when it is installed, otherwise a
copy of Graphviz that runs inside Python (see :mod:`backprop_nb.viz.render`;
``bp.renderer_name()`` says which). If neither works, the notebook shows the DOT text and one
line on how to fix it, never a traceback.

A picture wider than :data:`FIT_WIDTH_PX` is shown at the width of the page (still an SVG, so
it stays sharp at any zoom); ``fit=False`` shows it at full size, and ``.save()`` writes it.
Beside the SVG the output carries a PNG of the same graph (see :mod:`backprop_nb.viz.png`), which
is what GitHub, nbviewer and JupyterLab with a notebook it does not trust show instead.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import Any

from .._checks import boolean
from ..tensor import Tensor
from .dot import to_dot
from .png import graph_png
from .render import RenderError, render, render_svg

_NODE_STATEMENT = re.compile(r"^  n\d+ \[", re.MULTILINE)
"""How to_dot writes a node of the graph (n0, n1, …; not the legend or the left-out note)."""

FIT_WIDTH_PX = 800
"""Pictures wider than this are scaled to the page's width (JupyterLab's output column is about 850 px)."""

_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
"""Where Graphviz writes the size of the picture, in points (the SVG's intrinsic size)."""

DOT_SHOWN_CHARS = 4000
"""When no picture can be drawn, a DOT text up to this long is shown in its place (a longer one,
say 10,000 nodes, would flood the notebook: it stays in ``.source``)."""

SAVE_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
"""File suffix → what ``GraphView.save`` writes."""


class GraphView:
    """A drawing of a computation graph: Jupyter displays it as SVG (with a PNG beside it).

    It is a snapshot: the DOT text is written when the view is made, so later changes to the
    tensors (another ``backward()``, a training step) do not change it; call ``show_graph``
    again to see them.

    Attributes:
        source: the DOT text (``print(view.source)`` to read it, or paste it into any Graphviz tool).
        fit: scale a picture wider than :data:`FIT_WIDTH_PX` to the width of the page (True), or
            show it at full size (False).
    """

    def __init__(self, source: str, fit: bool = True) -> None:
        self.source = source
        self.fit = boolean("fit", fit)

    def svg(self) -> str:
        """The picture as SVG text. Raises ``RenderError`` (with how to fix it) when no renderer works.

        With ``fit`` (the default), a picture wider than :data:`FIT_WIDTH_PX` has no fixed size:
        a viewer draws it as wide as the page, keeping its proportions.
        """
        svg = render_svg(self.source)
        return fit_width(svg) if self.fit else svg

    def save(self, path: str | Path) -> Path:
        """Write the picture to ``path``, in the format its suffix names: .svg, .png, .pdf or .dot (.gv).

        PNG and PDF need the system Graphviz; without it this raises ``RenderError`` saying how
        to install it (SVG and DOT always work). Returns the path written.
        """
        path = Path(path)
        kind = SAVE_FORMATS.get(path.suffix.lower())
        if kind is None:
            raise ValueError(
                f"save: cannot tell the format from {path.name!r}; end the name in one of {sorted(SAVE_FORMATS)}"
            )
        if kind == "dot":
            path.write_text(self.source, encoding="utf-8")
        else:
            path.write_bytes(render(self.source, kind))  # always at full size
        return path

    # ----- how Jupyter shows it ---------------------------------------------------------------
    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """The formats Jupyter may show, and their metadata: SVG, a PNG beside it, a short text.

        The PNG (when one can be made) is for viewers that show no SVG: JupyterLab with a notebook
        it does not trust (one opened fresh from a clone), GitHub and nbviewer. They draw it at
        most as wide as the page, unless its metadata says ``unconfined`` (``fit=False``).
        Without a renderer: the DOT text with the fix (plain and HTML).
        """
        try:
            bundle = {"image/svg+xml": self.svg(), "text/plain": repr(self)}
        except RenderError as error:
            return self._undrawn_bundle(error), {}
        png = graph_png(self.source)
        if png is None:
            return bundle, {}
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
        return bundle, ({} if self.fit else {"image/png": {"unconfined": True}})

    def _undrawn_bundle(self, error: RenderError) -> dict[str, str]:
        """What shows when no picture can be drawn: the reason and the DOT text, if it is short."""
        message = f"The graph could not be drawn: {error}"
        if len(self.source) > DOT_SHOWN_CHARS:
            message += f" (its DOT text, {len(self.source):,} characters, is in .source)"
            return {"text/plain": message, "text/html": f"<p>{html.escape(message)}</p>"}
        return {
            "text/plain": f"{message}\nIts DOT text:\n{self.source}",
            "text/html": f"<p>{html.escape(message)}</p>\n<pre>{html.escape(self.source)}</pre>",
        }

    def _repr_svg_(self) -> str | None:
        """The SVG, or None when it cannot be drawn (Jupyter then shows the other formats)."""
        try:
            return self.svg()
        except RenderError:
            return None

    def __repr__(self) -> str:
        nodes = len(_NODE_STATEMENT.findall(self.source))
        return f"<GraphView of {nodes} node{'s' if nodes != 1 else ''}: .source is its DOT text>"


def fit_width(svg: str, max_px: float = FIT_WIDTH_PX, inline: bool = False) -> str:
    """``svg`` (from Graphviz) sized to the page's width if it is wider than ``max_px`` pixels.

    As an image (how Jupyter shows ``image/svg+xml``) its width and height become 100%: with
    only the proportions of its ``viewBox`` left, it takes the width of the column it is in.
    ``inline`` (an ``<svg>`` inside HTML) it gets the style ``max-width:100%; height:auto``
    instead, which shrinks it to its container keeping its proportions.
    """
    if inline:
        return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
    size = _SVG_SIZE.search(svg)
    if size is None or float(size[1]) * 4 / 3 <= max_px:  # 1 pt = 4/3 px
        return svg
    return svg[: size.start()] + '<svg width="100%" height="100%"' + svg[size.end() :]


def show_graph(root: Tensor, fit: bool = True, **options: Any) -> GraphView:
    """Draw the graph that computed ``root``; the options are those of :func:`~backprop_nb.to_dot`.

    ``fit=False`` shows a wide picture at full size instead of at the width of the page.

    The most used: ``edge_grads=True`` (the gradient on every arrow), ``legend=True``,
    ``collapse=True`` (a box per ``nn`` layer), ``rankdir="TB"`` (top to bottom),
    ``highlight=[t]``, ``grad_colors=True`` (vanishing gradients show up dark).
    """
    return GraphView(to_dot(root, **options), fit=fit)
