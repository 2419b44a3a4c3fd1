"""Pieces every widget shares: the graph panel, tables and messages, sliders, the still fallback.

A widget here is a thin view: controls change some numbers, the widget recomputes with the real
engine, and the results are shown *in place*:

* the graph goes into a :func:`graph_panel` (a ``widgets.HTML``), so its SVG is part of the page
  (JupyterLab would show an ``image/svg+xml`` output as an ``<img>``, hiding the nodes' text);
* matplotlib figures and other rich output go into one ``widgets.Output`` redrawn with
  :func:`redraw`, which clears it only when the new output is ready (no flicker);
* where widgets cannot run (a terminal, a notebook exported to HTML without widget state), a
  :class:`StaticFallbackBox` shows its initial state as a still picture with a line saying why.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
from IPython.display import clear_output

from ..viz.dot import format_number
from ..viz.render import RenderError, render_svg, svg_for_html

STATIC_NOTE = "Interactive controls need a live Jupyter kernel with ipywidgets; showing the initial state."
"""The line a widget's still fallback starts with."""

SLIDER_WIDTH = "420px"


# ----- what the widgets show ---------------------------------------------------------------------
def graph_panel() -> widgets.HTML:
    """An empty panel for a graph picture; fill it with ``panel.value = graph_html(dot_source)``."""
    return widgets.HTML(layout=widgets.Layout(overflow="auto", max_width="100%"))


def graph_html(dot_source: str) -> str:
    """The SVG of ``dot_source`` ready to put inline into a page, or a message saying why not.

    A missing renderer is not an error of the widget: the message (one line from
    :class:`~backprop_nb.viz.render.RenderError` on how to install one) takes the picture's place
    and the rest of the widget keeps working.
    """
    try:
        svg = svg_for_html(render_svg(dot_source))
    except RenderError as error:
        return message_html(f"No graph picture: {error}", kind="error")
    return f'<div class="backprop-nb-graph">{svg}</div>'


def message_html(text: str, kind: str = "info") -> str:
    """One escaped line of text; ``kind="error"`` shows it in red with a warning sign."""
    if kind not in ("info", "error"):
        raise ValueError(f"message kind must be 'info' or 'error', not {kind!r}")
    if kind == "error":
        return f'<div class="backprop-nb-error" style="color:#B00020">⚠ {html.escape(text)}</div>'
    return f'<div class="backprop-nb-info">{html.escape(text)}</div>'


def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A small HTML table; every cell is escaped, numbers are shown with 4 significant digits."""

    def cell(value: Any, tag: str) -> str:
        text = format_number(float(value)) if isinstance(value, numbers.Real) else str(value)
        return f"<{tag} style='padding:1px 10px;text-align:right'>{html.escape(text)}</{tag}>"

    lines = ["<table class='backprop-nb-table' style='border-collapse:collapse'>"]
    lines.append("<tr>" + "".join(cell(h, "th") for h in header) + "</tr>")
    lines += ["<tr>" + "".join(cell(v, "td") for v in row) + "</tr>" for row in rows]
    return "\n".join([*lines, "</table>"])


def redraw(output: widgets.Output, draw: Callable[[], None]) -> None:
    """Replace what ``output`` shows by what ``draw()`` displays, in place and without flicker.

    ``clear_output(wait=True)`` keeps the old content until the new content arrives.
    """
    with output:
        clear_output(wait=True)
        draw()


# ----- sliders -----------------------------------------------------------------------------------
def make_slider(name: str, spec: Any, start: Any = None) -> widgets.ValueWidget:
    """A slider for the number ``name`` from a short spec, checked so mistakes fail here, clearly.

    ``spec`` is one of:
        * ``(min, max)`` or ``(min, max, step)``: a float slider over that range, starting at
          ``start`` (which must lie in the range) or, without ``start``, in the middle;
        * a number: a float slider starting there, over a symmetric range around zero that
          holds it (``-2`` gives -5 … 5, so the sign can flip), with a round step;
        * an ipywidgets widget with a numeric ``.value`` (``FloatSlider``, ``IntSlider``,
          ``BoundedFloatText``, …): used as it is.

    Without ``step``, the step is a power of ten that gives 50 to 500 positions. Sliders made here
    update while dragging (``continuous_update=True``); set it to False where one update is slow.
    """
    if isinstance(spec, widgets.Widget):
        if not isinstance(getattr(spec, "value", None), numbers.Real) or isinstance(spec.value, bool):
            raise TypeError(
                f"slider {name!r}: the widget must hold a number in .value, "
                f"but {type(spec).__name__}.value is {getattr(spec, 'value', None)!r}"
            )
        return spec
    if _is_number(spec):
        low, high, step = _range_around(float(spec))
        start = spec
    elif isinstance(spec, tuple | list):
        low, high, step = _check_range(name, spec)
        if start is None:
            start = low + round((high - low) / 2 / step) * step
        elif not _is_number(start) or not low <= start <= high:
            raise ValueError(
                f"slider {name!r}: the starting value {start!r} is outside the range {low} … {high}"
            )
    else:
        raise TypeError(
            f"slider {name!r}: give a number, a (min, max) or (min, max, step) tuple, or an "
            f"ipywidgets widget, not {type(spec).__name__} {spec!r}"
        )
    decimals = max(0, -math.floor(math.log10(step)))
    return widgets.FloatSlider(
        value=float(start),
        min=low,
        max=high,
        step=step,
        description=name,
        continuous_update=True,
        readout_format=f".{decimals}f",
        layout=widgets.Layout(width=SLIDER_WIDTH),
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _check_range(name: str, spec: tuple | list) -> tuple[float, float, float]:
    if len(spec) not in (2, 3) or not all(_is_number(v) for v in spec):
        raise ValueError(
            f"slider {name!r}: a range is (min, max) or (min, max, step) of finite numbers, not {spec!r}"
        )
    low, high = float(spec[0]), float(spec[1])
    if low >= high:
        raise ValueError(f"slider {name!r}: min must be less than max, got min={spec[0]!r}, max={spec[1]!r}")
    step = float(spec[2]) if len(spec) == 3 else _round_step(high - low)
    if step <= 0:
        raise ValueError(f"slider {name!r}: step must be positive, got {spec[2]!r}")
    if step > high - low:
        raise ValueError(f"slider {name!r}: step {spec[2]!r} is larger than the range {low} … {high}")
    return low, high, step


def _range_around(value: float) -> tuple[float, float, float]:
    """-limit … limit with limit = 2|value| rounded up to a round number (1 at least)."""
    limit = _round_up(max(1.0, 2 * abs(value)))
    return -limit, limit, _round_step(2 * limit)


def _round_up(x: float) -> float:
    """The smallest of 1, 2, 5 × a power of ten that is >= x."""
    decade = 10.0 ** math.floor(math.log10(x))
    return next(m * decade for m in (1, 2, 5, 10) if m * decade >= x)


def _round_step(width: float) -> float:
    """A power of ten that cuts ``width`` into 50 to 500 steps."""
    return 10.0 ** math.floor(math.log10(width / 50))


# ----- where widgets cannot run -----------------------------------------------------------------
class StaticFallbackBox(widgets.VBox):
    """A VBox that carries a still picture of its initial state for places without live widgets.

    Jupyter front-ends with a widget manager (JupyterLab, Notebook 7, VS Code, Colab, Voilà) show
    the live widget (mimetype ``application/vnd.jupyter.widget-view+json``). A terminal shows the
    ``text/plain`` entry, and nbconvert's HTML export of a notebook saved without widget state
    shows the ``text/html`` entry; both start with :data:`STATIC_NOTE`. Subclasses call
    :meth:`_remember_initial_state` once their first picture is ready.
    """

    _static_html = ""
    _static_text = ""

    def _remember_initial_state(self, html_body: str, text_body: str) -> None:
        self._static_html = html_body
        self._static_text = text_body

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = f"{STATIC_NOTE}\n{self._static_text}".rstrip()
        bundle["text/html"] = (
            f"<div class='backprop-nb-static'><p><em>{html.escape(STATIC_NOTE)}</em></p>\n{self._static_html}</div>"
        )
        return bundle
