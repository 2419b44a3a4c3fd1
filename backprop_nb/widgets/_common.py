"""Pieces every widget shares: the graph panel, tables and messages, sliders, the optimiser menu,
figures, the still fallback.

A widget here is a thin view: controls change some numbers, the widget recomputes with the real
engine, and the results are shown *in place*:

* the graph goes into a :class:`~backprop_nb.widgets.graph_canvas.GraphCanvas`, drawn and kept
  laid out in the page; :func:`graph_html` gives its still picture (inline SVG drawn in the kernel);
* curves and pictures of the training widgets are drawn in the browser by a
  :class:`~backprop_nb.widgets.live_plot.LivePlot`; a :class:`FigureFallbackBox` is controls
  above a message line and such a plot, with a matplotlib figure as its still picture;
* where widgets cannot run (a terminal, a saved notebook opened without a kernel, an HTML page),
  a :class:`StaticFallbackBox` shows its initial state as a still picture (a PNG), with a line
  saying how to make it interactive.
"""

from __future__ import annotations

import base64
import decimal
import html
import inspect
import io
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .. import _checks, optim
from ..viz.dot import format_number
from ..viz.graph_view import fit_width
from ..viz.png import graph_png
from ..viz.render import RenderError, render_svg, svg_for_html

STATIC_NOTE = "A still picture of the widget: run the cell in Jupyter to make it interactive."
"""The line that goes with a widget's still picture (in a terminal, and in a saved notebook)."""

SLIDER_WIDTH = "420px"

LR_RANGE = (1e-4, 100.0)
"""The learning rates :func:`lr_slider` offers at least."""

OptimizerChoice = tuple[type[optim.Optimizer], Mapping[str, Any]]
"""An optimiser class and its settings except the learning rate, which the slider gives."""

OPTIMIZERS: dict[str, OptimizerChoice] = {
    "SGD": (optim.SGD, {}),
    "Momentum": (optim.SGD, {"momentum": 0.9}),
    "Nesterov": (optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "Adagrad": (optim.Adagrad, {}),
    "RMSprop": (optim.RMSprop, {}),
    "Adam": (optim.Adam, {}),
}
"""The optimiser menu of both training widgets: name → (``bp.optim`` class, settings). Momentum
and Nesterov are PyTorch's ``SGD(momentum=0.9)`` and ``SGD(momentum=0.9, nesterov=True)``."""


# ----- what the widgets show ---------------------------------------------------------------------
def graph_html(dot_source: str) -> str:
    """The SVG of ``dot_source`` ready to put inline into a page, or a message saying why not.

    The still picture of a widget's graph: scaled down to the width of the page when wider.

    A missing renderer is not an error of the widget: the message (one line from
    :class:`~backprop_nb.viz.render.RenderError` on how to install one) takes the picture's place
    and the rest of the widget keeps working.
    """
    try:
        svg = svg_for_html(render_svg(dot_source))
    except RenderError as error:
        return message_html(f"No graph picture: {error}", kind="error")
    return f'<div class="backprop-nb-graph">{fit_width(svg, inline=True)}</div>'


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


# ----- sliders -----------------------------------------------------------------------------------
def make_slider(name: str, spec: Any, start: Any = None, log: bool = False) -> widgets.ValueWidget:
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

    ``log=True`` makes a slider that moves by factors (an ``ipywidgets.FloatLogSlider``), for
    numbers that span orders of magnitude, such as a learning rate. Then a range
    ``(min, max)`` needs 0 < min < max and is widened to whole powers of ten; the step counts
    powers of ten (0.05: 20 positions from 1 to 10); a number starts a range from 1000 times
    smaller to 1000 times larger.
    """
    if isinstance(spec, widgets.Widget):
        if not isinstance(getattr(spec, "value", None), numbers.Real) or isinstance(spec.value, bool):
            raise TypeError(
                f"slider {name!r}: the widget must hold a number in .value, "
                f"but {type(spec).__name__}.value is {getattr(spec, 'value', None)!r}"
            )
        return spec
    if log:
        return _log_slider(name, spec, start)
    if isinstance(spec, numbers.Real) and not isinstance(spec, bool) and not math.isfinite(spec):
        raise ValueError(f"slider {name!r}: the starting value must be a finite number, not {spec!r}")
    if _is_number(spec):
        low, high, step = _range_around(float(spec))
        start = spec
    elif isinstance(spec, tuple | list):
        low, high, step = _check_range(name, spec)
        if start is None:
            start = _middle(low, high, step)
        elif not _is_number(start):
            raise TypeError(f"slider {name!r}: the starting value must be a finite number, not {start!r}")
        elif not low <= start <= high:
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


def _log_slider(name: str, spec: Any, start: Any) -> widgets.FloatLogSlider:
    """``make_slider(..., log=True)``: the same checks and defaults, in powers of ten."""
    if _is_number(spec):
        start, spec = spec, (spec / 1000, spec * 1000)
    if start is not None and not (_is_number(start) and start > 0):
        raise ValueError(f"{name} must be a positive number (its slider has a log scale), got {start!r}")
    if not isinstance(spec, tuple | list) or len(spec) not in (2, 3) or not all(_is_number(v) for v in spec):
        raise TypeError(
            f"slider {name!r}: on a log scale give a positive number or a (min, max) or (min, max, step) "
            f"tuple, not {type(spec).__name__} {spec!r}"
        )
    if not 0 < spec[0] < spec[1]:
        raise ValueError(f"slider {name!r}: a log-scale range (min, max) needs 0 < min < max, got {spec!r}")
    low, high = math.floor(math.log10(spec[0])), math.ceil(math.log10(spec[1]))
    low, high, step = _check_range(name, (low, high, *spec[2:]))
    if start is None:
        start = 10.0 ** _middle(low, high, step)
    elif not 10.0**low <= start <= 10.0**high:
        raise ValueError(
            f"slider {name!r}: the starting value {start!r} is outside the range {10.0**low:g} … {10.0**high:g}"
        )
    return widgets.FloatLogSlider(
        value=float(start),
        base=10,
        min=low,
        max=high,
        step=step,
        description=name,
        continuous_update=True,
        readout_format=".3g",
        layout=widgets.Layout(width=SLIDER_WIDTH),
    )


def slider_value(slider: widgets.ValueWidget) -> float:
    """The slider's value as a float, snapped to its step: what a widget computes with.

    The browser computes a slider's value as ``min + k * step`` in binary floating point, so
    typing 0 on a slider from -1 by 0.01 gives -1.1e-16; snapped, it is exactly 0. A log
    slider is snapped in its exponent. Widgets without a step (text boxes) are used as they are.
    """
    value = float(slider.value)
    step = getattr(slider, "step", None)
    if not _is_number(step) or step <= 0 or not _is_number(value):
        return value
    if isinstance(slider, widgets.FloatLogSlider):
        exponent = math.log(value, slider.base)
        return float(slider.base ** _snap(exponent, slider.min, step))
    return _snap(value, getattr(slider, "min", 0.0), step)


def _snap(value: float, low: float, step: float) -> float:
    """``low + k * step`` nearest ``value``, rounded to the decimals of ``low`` and ``step`` (+0.0 for -0.0)."""
    decimals = max(_decimals(low), _decimals(step))
    return round(low + round((value - low) / step) * step, decimals) + 0.0


def _decimals(x: float) -> int:
    """How many decimals the shortest repr of ``x`` has: 0.01 → 2, 1e-05 → 5, 3.0 → 0."""
    exponent = decimal.Decimal(repr(float(x))).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def lr_slider(lr: float) -> widgets.FloatLogSlider:
    """The learning-rate slider of the training widgets: on a log scale over :data:`LR_RANGE`
    (wider if ``lr`` lies outside), 20 positions per factor of ten. It acts when released: each
    change trains or recomputes a whole path."""
    if not _is_number(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    slider = make_slider("lr", (min(LR_RANGE[0], lr), max(LR_RANGE[1], lr), 0.05), lr, log=True)
    slider.continuous_update = False
    return slider


def _middle(low: float, high: float, step: float) -> float:
    """The position of a slider nearest the middle of its range."""
    return low + round((high - low) / 2 / step) * step


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


# ----- a function and its controls ---------------------------------------------------------------
def function_name(fn: Callable[..., Any]) -> str:
    """The name messages call ``fn`` by: its ``__name__``, or ``fn`` for a lambda."""
    name = getattr(fn, "__name__", "<lambda>")
    return "fn" if name == "<lambda>" else name


def check_signature(
    fn: Callable[..., Any], name: str, specs: Mapping[str, Any], widget: str, control: str
) -> dict[str, Any]:
    """Each control's default from ``fn``'s signature (None if none), after checking names match.

    ``widget`` and ``control`` name the caller in the messages (``"graph_explorer"``,
    ``"slider"``): every control must name a parameter of ``fn`` (unless it takes ``**kwargs``),
    and every parameter without a default needs a control.
    """
    if not specs:
        raise ValueError(f"{widget} needs at least one {control}, e.g. {widget}(f, x=-2, y=5)")
    parameters = inspect.signature(fn).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    named = {n: p for n, p in parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    for given in specs:
        if given not in named and not takes_any:
            raise TypeError(
                f"{widget}: {control} {given!r} is not a parameter of {name} "
                f"(its parameters: {', '.join(named) or 'none'})"
            )
    for n, p in parameters.items():
        if p.kind is p.POSITIONAL_ONLY and p.default is p.empty:
            raise TypeError(
                f"{widget} passes inputs by name, but {name}'s parameter {n!r} is positional-only"
            )
        if n in named and p.default is p.empty and n not in specs:
            raise TypeError(
                f"{widget}: {name} needs a {control} for its parameter {n!r}, "
                f"e.g. {n}=1.0, {n}=(-5, 5) or {n}=widgets.FloatSlider(...)"
            )
    return {
        s: None if s not in named or named[s].default is named[s].empty else named[s].default for s in specs
    }


def check_limits(name: str, limits: Any) -> tuple[float, float] | None:
    """None, or a pair (low, high) of finite numbers with low < high (an axis' limits)."""
    if limits is None:
        return None
    if not isinstance(limits, tuple | list) or len(limits) != 2:
        raise TypeError(f"{name} must be a pair (low, high) of numbers, got {limits!r}")
    low, high = (_checks.number(name, value) for value in limits)
    if not low < high:
        raise ValueError(f"{name} must be (low, high) with low < high, got {limits!r}")
    return low, high


# ----- the optimiser menu and other arguments of the training widgets ------------------------------
def bounded_count(name: str, value: Any, low: int, high: int, why: str) -> int:
    """An integer argument in ``low … high`` (numpy integers too), or an error naming it.

    ``why`` says what the upper limit protects, e.g. ``"each step runs f once"``.
    """
    value = _checks.integer(name, value, minimum=low)
    if value > high:
        raise ValueError(f"{name} must be at most {high} ({why}), got {value}")
    return value


def optimizer_label(optimizer: optim.Optimizer | str) -> str:
    """The optimiser as its repr names it (or that repr), every number written by
    ``format_number``: ``SGD(lr=1.122)`` where the repr says ``SGD(lr=1.122018454301963)``."""
    text = optimizer if isinstance(optimizer, str) else repr(optimizer)
    return _NUMBER.sub(lambda match: format_number(float(match.group())), text)


_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d*(?:e[-+]?\d+)?|(?<![\w.])-?\d+e[-+]?\d+")


def optimizer_choices(
    optimizers: Sequence[str] | Mapping[str, OptimizerChoice],
) -> dict[str, OptimizerChoice]:
    """The optimiser menu: names from :data:`OPTIMIZERS`, or your own ``{name: (class, settings)}``."""
    if isinstance(optimizers, Mapping):
        choices = dict(optimizers)
        for name, choice in choices.items():
            if not (
                isinstance(choice, tuple)
                and len(choice) == 2
                and isinstance(choice[0], type)
                and issubclass(choice[0], optim.Optimizer)
                and isinstance(choice[1], Mapping)
            ):
                raise TypeError(
                    f"optimizer {name!r}: give a pair (bp.optim class, settings without lr), "
                    f"e.g. (bp.optim.Adam, {{'betas': (0.5, 0.999)}}); got {choice!r}"
                )
    else:
        if isinstance(optimizers, str):
            optimizers = [optimizers]
        unknown = [name for name in optimizers if name not in OPTIMIZERS]
        if unknown:
            raise ValueError(f"unknown optimizer {unknown[0]!r}: choose from {list(OPTIMIZERS)}")
        choices = {name: OPTIMIZERS[name] for name in optimizers}
    if not choices:
        raise ValueError("give at least one optimizer to choose from")
    return choices


# ----- where widgets cannot run -----------------------------------------------------------------
@dataclass
class Still:
    """A widget's still picture, made only when the widget is displayed (a PNG costs 0.1 to 0.5 s,
    which code that never displays the widget saves).

    Attributes:
        text: the state in words, for a terminal (``text/plain``, after :data:`STATIC_NOTE`).
        make_png: draws the picture as PNG bytes, or None where it cannot be made.
        make_html: the picture as HTML, used only when there is no PNG (e.g. inline SVG).
    """

    text: str
    make_png: Callable[[], bytes | None]
    make_html: Callable[[], str] = lambda: ""


def graph_still(dot_source: str, text: str, html_above: str = "", html_below: str = "") -> Still:
    """The still of a graph widget: ``dot_source`` with :data:`STATIC_NOTE` under it, drawn as a
    PNG without the system ``dot`` (:func:`~backprop_nb.viz.png.graph_png`); where that fails,
    the inline SVG between ``html_above`` and ``html_below``."""
    return Still(
        text,
        partial(graph_png, _with_note(dot_source)),
        lambda: html_above + graph_html(dot_source) + html_below,
    )


def _with_note(dot_source: str) -> str:
    """``dot_source`` (a graph ending in ``}``) with :data:`STATIC_NOTE` as its label: two
    left-aligned lines under the graph."""
    note = STATIC_NOTE.replace(": ", ":\\l", 1) + "\\l"
    return (
        f'{dot_source.rstrip()[:-1]}  label="{note}"; labelloc="b"; labeljust="l"; fontcolor="#555555";\n}}\n'
    )


def still_png(fig: Figure) -> bytes:
    """The figure with :data:`STATIC_NOTE` under it, as PNG bytes (the figure is closed: pyplot
    keeps no copy); the same figure gives the same bytes."""
    fig.supxlabel(STATIC_NOTE, fontsize="small", style="italic", color="#555555")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=72, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


class StaticFallbackBox(widgets.VBox):
    """A VBox that carries a still picture (as a rule, of its initial state) for places without
    live widgets.

    Its display has three entries: the live widget (``application/vnd.jupyter.widget-view+json``),
    which a front-end with a kernel and a widget manager (JupyterLab, Notebook 7, VS Code, Colab,
    Voilà) shows; the still picture as ``image/png``, with :data:`STATIC_NOTE` written under it
    (or, where no PNG can be made, as ``text/html``); and ``text/plain`` for a terminal, starting
    with the note. A saved notebook shows the picture once the widget view is dropped from it
    (:mod:`backprop_nb.stills`: the refresh tool and :func:`backprop_nb.export_html` do).
    Subclasses call :meth:`_remember_still` once their first state is shown.
    """

    _still: Still | None = None
    _still_entries: dict[str, str] | None = None

    def _remember_still(self, still: Still) -> None:
        self._still, self._still_entries = still, None

    def _still_bundle(self) -> dict[str, str]:
        """The still's entries of the display, drawn at the first display and kept."""
        if self._still_entries is None:
            still = self._still or Still("", lambda: None)
            entries = {"text/plain": f"{STATIC_NOTE}\n{still.text}".rstrip()}
            png = still.make_png()
            if png is not None:
                entries["image/png"] = base64.b64encode(png).decode("ascii")
            else:
                entries["text/html"] = (
                    f"<div class='backprop-nb-static'><p><em>{html.escape(STATIC_NOTE)}</em></p>\n"
                    f"{still.make_html()}</div>"
                )
            self._still_entries = entries
        return self._still_entries

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        return {**bundle, **self._still_bundle()}


class FigureFallbackBox(StaticFallbackBox):
    """Controls above a message line and a live plot drawn in the browser, with a matplotlib still.

    Subclasses pass their controls and their :class:`~backprop_nb.widgets.live_plot.LivePlot`
    to ``__init__``, show their state with :meth:`_show_message` and the plot's frames,
    and either implement :meth:`_still_figure` and call :meth:`_remember_initial_figure` once
    their initial state is shown (that figure, titled with the message, is the still picture), or
    remember a :class:`Still` of their own.
    """

    def __init__(self, controls: Sequence[widgets.Widget], plot: widgets.Widget) -> None:
        self._message = widgets.HTML()
        self._shown_message = ("", "info")
        self.plot = plot
        super().__init__([*controls, self._message, plot])

    def _show_message(self, text: str, error: bool = False) -> None:
        """One line above the plot; an error or a warning is red and starts with a warning sign."""
        self._shown_message = (text, "error" if error else "info")
        self._message.value = message_html(*self._shown_message)

    def _still_figure(self) -> Figure:
        """A matplotlib figure of the state now, for the still picture."""
        raise NotImplementedError

    def _remember_initial_figure(self) -> None:
        """Draw the state shown now, titled with the message, and keep it as the still."""
        fig = self._still_figure()
        plt.close(fig)  # pyplot keeps no copy; savefig still works
        message, kind = self._shown_message
        fig.suptitle(message, fontsize="small", color="#B00020" if kind == "error" else "black", wrap=True)
        self._remember_still(Still(message, partial(still_png, fig)))
