"""LivePlot: curves and pictures drawn in the browser, fed by the kernel a few numbers at a time.

The training dashboard and the descent explorer compute in the kernel (an epoch, a path) and
show the result here. No figure is rendered or encoded per update: the kernel sends a *frame*
(new points to append to a curve, a curve to replace, a picture as a grid of bytes) and the
page's JavaScript (``js/src/live_plot.js``) applies it and repaints in place. After painting, the
page answers ``{"type": "painted", "id": ...}``; a playing dashboard trains its next epoch only
then, so Play runs as fast as the kernel and the page can both go, and every epoch is drawn.

Two kinds of panel, given as dicts in ``panels``:

* ``{"kind": "curves", "id", "title", "xlabel", "ylabel", "series": [{"label", "color",
  "dash", "width", "faded", "points", "line", "span_gaps"}], "log_switch": bool, "logx": bool,
  "x_min", "x_span", "x_range", "y_range", "y_axis_size"}``: lines over a shared x (epochs or
  steps); data are columns ``x, y1, y2 ...`` with None for a gap (nan, inf, no value yet), or
  series each over an x of its own (:meth:`LivePlot.replace_series`).
* ``{"kind": "field", "id", "title", "xlabel", "ylabel", "colors", "clickable"}``: a picture
  over a plane: a grid (classes or a loss surface), points, paths and a start star.

Why uPlot for the curves (compared 2026-12-06; ``benchmarks/bench_live_plot.py`` measures):

* **uPlot 1.6.32** (MIT): 50 KB minified of the 60 KB ``static/live_plot.js``. Log scale, ticks,
  a legend with the values under the cursor, dashes and per-series alpha (the faded earlier
  runs) come with it; appending a point is ``setData`` on arrays that grow. The page alone (a
  stand-in kernel that answers at once) paints about 50 frames/s appending to 1,000-point
  curves in headless Chromium on a loaded 2-core machine: the page is not what limits Play.
* **By hand** on a canvas: done for the field panel (``js/src/lib/plot_field.js``, ~300 lines:
  a class map or contours by marching squares, points, paths, a clickable start), which no
  chart library here draws. For the curves it would mean writing log ticks, a legend and a
  hover read-out again to save 50 KB.
* **bqplot** 0.13.1 (Apache-2.0, checked on PyPI): a 0.94 MB wheel that needs pandas and
  bqscales; its browser side is a JupyterLab extension of its own (0.76 MB prebuilt, plus a
  0.85 MB classic-notebook bundle), served by the Jupyter server it is installed into. It
  cannot share our one bundle; VS Code and Colab would fetch it from a CDN, and a JupyterLite
  site shows "error displaying widget" unless the extension is built into the site. Each mark is
  a widget model of its own, synced trait by trait.

Where no widget front-end runs, the widgets that use a LivePlot show a matplotlib still picture
(:class:`~backprop_nb.widgets._common.FigureFallbackBox`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from .._frontend import bundle, stylesheet

__all__ = ["LivePlot", "finite_or_none", "link_log_switch"]


def finite_or_none(values: Sequence[float] | np.ndarray) -> list[float | None]:
    """The numbers as JSON can carry them: nan and inf become None (a gap in the curve)."""
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=np.float64).ravel()]


class LivePlot(anywidget.AnyWidget):
    """Panels of curves and pictures that the kernel updates in place (see the module docstring).

    ``state`` holds what a newly opened view is sent: per panel, the columns and markers of a
    curves panel, or the last picture of a field panel. ``frames_sent`` counts frames;
    :meth:`on_painted` registers a function called with the id of each frame the page has painted.
    """

    _esm = bundle("live_plot")
    _css = stylesheet("live_plot")
    panels = traitlets.List(traitlets.Dict()).tag(sync=True)
    log_scale = traitlets.Bool(False).tag(sync=True)

    def __init__(self, panels: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(panels=panels, **kwargs)
        self.state: dict[str, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self.frames_sent = 0
        self._painted: list[Callable[[int], None]] = []
        self._clicked: list[Callable[[str, float, float], None]] = []
        self.on_msg(self._on_page_message)

    # ----- what to draw ------------------------------------------------------------------
    def set_panels(self, panels: list[dict[str, Any]]) -> None:
        """New panels (other series, say): the page rebuilds them; send their data next."""
        self.state = {}
        self.panels = panels

    def replace_curves(
        self, panel: str, x: Sequence[float], ys: Sequence[Sequence[float]], markers: list[dict] | None = None
    ) -> None:
        """All the columns of a curves panel (and its markers): x and one list per series."""
        update = _curves_update(panel, "replace", x, ys, markers)
        self.state[panel] = _curves_update(panel, "replace", update["x"], update["ys"], update["markers"])
        self._updates.append(update)

    def replace_series(self, panel: str, series: Sequence[tuple[Sequence[float], Sequence[float]]]) -> None:
        """All the series of a curves panel, each an ``(x, y)`` pair over an x of its own (x
        increasing). The page joins them onto one x axis; a series' line runs on past the x
        values only other series have, and breaks at its own None (give it ``"span_gaps":
        False``). Such a panel is only ever replaced, never appended to."""
        xs, ys = [finite_or_none(x) for x, _ in series], [finite_or_none(y) for _, y in series]
        self.state[panel] = {"panel": panel, "op": "replace", "xs": xs, "ys": ys, "markers": []}
        self._updates.append(self.state[panel])  # shared: nothing appends to such a panel

    def append_points(
        self, panel: str, x: Sequence[float], ys: Sequence[Sequence[float]], markers: list[dict] | None = None
    ) -> None:
        """New rows of a curves panel: x values and, per series, one value for each."""
        update = _curves_update(panel, "append", x, ys, markers)
        state = self.state.setdefault(panel, _curves_update(panel, "replace", [], [[] for _ in ys], None))
        state["x"].extend(update["x"])  # the state's own lists (never ones queued to be sent)
        for column, new in zip(state["ys"], update["ys"], strict=True):
            column.extend(new)
        state["markers"].extend(update["markers"])
        self._updates.append(update)

    def set_field(self, panel: str, field: dict[str, Any], grid: dict[str, Any] | None = None) -> None:
        """The picture of a field panel: ``field`` (extent, points, paths, start, title) and, when
        it changed, a ``grid`` {"kind": "classes" | "surface", "values": 2-D uint8 array, "extent"}.
        Without a grid the page keeps the last one."""
        update = {"panel": panel, "op": "replace", **field}
        if grid is not None:
            values = np.ascontiguousarray(grid["values"], dtype=np.uint8)
            update["grid"] = {
                **{k: v for k, v in grid.items() if k != "values"},
                "height": values.shape[0],
                "width": values.shape[1],
                "bytes": values.tobytes(),
            }
        self._updates.append(update)
        if grid is None and "grid" in self.state.get(panel, {}):
            update = {**update, "grid": self.state[panel]["grid"]}  # a new view needs it
        self.state[panel] = update

    def flush(self) -> int | None:
        """Send what changed since the last flush as one frame; return its id (None if nothing)."""
        if not self._updates:
            return None
        self.frames_sent += 1
        content, buffers = _frame(self.frames_sent, self._updates)
        self._updates = []
        self.send(content, buffers)
        return self.frames_sent

    def on_painted(self, callback: Callable[[int], None]) -> None:
        """Call ``callback(frame_id)`` when the page has painted that frame."""
        self._painted.append(callback)

    def on_click(self, callback: Callable[[str, float, float], None]) -> None:
        """Call ``callback(panel, x, y)`` when a clickable field panel is clicked (data coordinates)."""
        self._clicked.append(callback)

    # ----- what the page says --------------------------------------------------------------
    def _on_page_message(self, _widget: Any, content: dict[str, Any], _buffers: list[bytes]) -> None:
        kind = content.get("type")
        if kind == "hello":  # a new view: everything drawn so far
            self._updates = [*self.state.values(), *self._updates]
            self.flush()
        elif kind == "painted":
            for callback in self._painted:
                callback(int(content["id"]))
        elif kind == "click":
            for callback in self._clicked:
                callback(str(content["panel"]), float(content["x"]), float(content["y"]))


def link_log_switch(checkbox: widgets.Checkbox, plot: LivePlot) -> None:
    """Let ``checkbox`` switch the plot's log scale, both from code and in the page.

    ``jslink`` ties them in the browser, so the switch repaints without a round trip through the
    kernel; ``link`` ties them in the kernel, so setting ``checkbox.value`` from code (or in a
    test without a page) switches it too. Each echo finds the value already set and stops.
    """
    widgets.link((checkbox, "value"), (plot, "log_scale"))
    widgets.jslink((checkbox, "value"), (plot, "log_scale"))


def _curves_update(
    panel: str, op: str, x: Sequence[float], ys: Sequence[Sequence[float]], markers: list[dict] | None
) -> dict[str, Any]:
    """A curves panel's update with lists of its own: x, one column per series, the markers."""
    return {
        "panel": panel,
        "op": op,
        "x": finite_or_none(x),
        "ys": [finite_or_none(y) for y in ys],
        "markers": list(markers or []),
    }


def _frame(frame_id: int, updates: list[dict[str, Any]]) -> tuple[dict[str, Any], list[bytes]]:
    """The message of one frame: updates as JSON, grids as binary buffers referenced by index."""
    buffers: list[bytes] = []
    sent = []
    for update in updates:
        if "grid" in update:
            grid = {k: v for k, v in update["grid"].items() if k != "bytes"}
            grid["buffer"] = len(buffers)
            buffers.append(update["grid"]["bytes"])
            update = {**update, "grid": grid}
        sent.append(update)
    return {"type": "frame", "id": frame_id, "updates": sent}, buffers
