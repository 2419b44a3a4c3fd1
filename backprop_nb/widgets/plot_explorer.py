"""plot_explorer: controls for a function's arguments above the curves it returns, redrawn live.

For ideas where a slider teaches more than a table: the error of a finite difference as h
shrinks, an activation's shape as a parameter moves, a loss curve for each learning rate.
``fn`` takes the controls' values by name and returns the curves to draw, ``{label: (x, y)}``;
each move of a control calls it again and the page redraws the curves in place.

>>> def error(h):
...     '''How far the forward difference of sin at 1 is from the true slope cos(1).'''
...     return np.abs((np.sin(1 + h) - np.sin(1)) / h - np.cos(1))
>>> hs = np.logspace(-12, 0, 121)
>>> def slope_error(h):
...     curves = {"|error|": (hs, error(hs)), "chosen h": bp.widgets.Points([h], [error(h)])}
...     return curves, f"h = {h:.0e}: the slope is off by {error(h):.1e}"
>>> explorer = bp.widgets.plot_explorer(
...     slope_error, h=widgets.FloatLogSlider(value=1e-2, min=-12, max=0),
...     logx=True, logy=True, xlabel="h", ylabel="|error|")
>>> explorer.message                   # big h: the error is about h/2 · |f''(1)| = 0.42 h
'h = 1e-02: the slope is off by 4.2e-03'
>>> explorer.controls["h"].value = 1e-8    # what dragging the slider does
>>> explorer.message                   # near √ε ≈ 1e-8 rounding and truncation balance
'h = 1e-08: the slope is off by 3.0e-09'
>>> explorer.controls["h"].value = 1e-12
>>> explorer.message                   # tiny h: rounding error, about ε/h, takes over
'h = 1e-12: the slope is off by 4.3e-05'

The curves are drawn in the page by a :class:`~backprop_nb.widgets.live_plot.LivePlot` (uPlot):
the kernel sends only the numbers, so a drag redraws about as fast as ``fn`` runs. Fixed
``xlim`` and ``ylim`` keep the axes still while the curves move. Where widgets cannot run, the
still picture is a matplotlib figure of the starting state.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .._checks import boolean
from ..errors import ShapeError
from ..viz.dot import format_number
from ..viz.style import COLORS
from ._common import (
    FigureFallbackBox,
    check_limits,
    check_signature,
    function_name,
    make_slider,
    slider_value,
)
from .live_plot import LivePlot

__all__ = ["PlotExplorer", "Points", "plot_explorer"]


class Points(NamedTuple):
    """Points drawn as dots without a line: ``Points([h], [error])`` marks one chosen point on a
    curve. ``x`` and ``y`` are numbers or 1-D arrays of one length."""

    x: Any
    y: Any


Curve = tuple[np.ndarray, np.ndarray] | Points
"""A checked curve: 1-D float arrays of one length, x increasing (a line), or Points."""


class PlotExplorer(FigureFallbackBox):
    """The widget :func:`plot_explorer` returns; its attributes describe what it shows.

    Attributes:
        controls: parameter name → its widget (set ``.value`` to do what dragging does).
        values: parameter name → the value ``fn`` gets (a float slider's value snapped to its step).
        curves: label → ``(x, y)`` float arrays (x increasing), or :class:`Points`: what ``fn``
            returned for the last values that worked, as drawn.
        message: the message line's text: ``fn``'s message, or why the last call failed.
        error: None, or the error of ``fn`` for the current values (the plot shows the last
            values that worked).
        plot: the :class:`~backprop_nb.widgets.live_plot.LivePlot` drawing the curves; its
            ``state["curves"]`` holds the numbers sent to the page.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        specs: dict[str, Any],
        *,
        xlabel: str,
        ylabel: str,
        logx: bool,
        logy: bool,
        xlim: tuple[float, float] | None,
        ylim: tuple[float, float] | None,
        title: str,
    ) -> None:
        if not callable(fn):
            raise TypeError(f"plot_explorer needs a function of the controls, not {type(fn).__name__} {fn!r}")
        self.fn = fn
        self._name = function_name(fn)
        self.labels = {
            "xlabel": _text("xlabel", xlabel),
            "ylabel": _text("ylabel", ylabel),
            "title": _text("title", title),
        }
        self.logx, self.logy = boolean("logx", logx), boolean("logy", logy)
        self.xlim, self.ylim = _limits("xlim", xlim, self.logx), _limits("ylim", ylim, self.logy)
        defaults = check_signature(fn, self._name, specs, widget="plot_explorer", control="control")
        self.controls = {name: _control(name, spec, defaults[name]) for name, spec in specs.items()}
        self.error: str | None = None
        try:
            curves, message = self._compute()
        except Exception as error:
            error.add_note(f"plot_explorer: while running {self._call_text()} for the starting values")
            raise
        self.curves: dict[str, Curve] = {}
        super().__init__([widgets.VBox(list(self.controls.values()))], LivePlot([], log_scale=self.logy))
        self._message.layout.min_height = "1.5em"  # an empty message line takes its place: no jump
        self._show(curves, message)
        self._remember_initial_figure()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.add_class("bp-plot-explorer")  # a handle for page styles and browser tests

    @property
    def values(self) -> dict[str, Any]:
        return {name: _value(control) for name, control in self.controls.items()}

    @property
    def message(self) -> str:
        return self._shown_message[0]

    # ----- computing and showing ------------------------------------------------------------
    def _compute(self) -> tuple[dict[str, Curve], str]:
        return _read_result(self.fn(**self.values), self._name, self.logx)

    def _on_change(self, _change: dict[str, Any]) -> None:
        """A control moved: redraw; a failure is shown in red and the last curves stay."""
        try:
            curves, message = self._compute()
        except Exception as error:  # the user's function may raise anything; show it, don't crash
            self.error = f"{type(error).__name__}: {error}"
            self._show_message(
                f"{self._call_text()} failed: {self.error}  (The plot shows the last values that worked.)",
                error=True,
            )
            return
        self.error = None
        self._show(curves, message)

    def _show(self, curves: dict[str, Curve], message: str) -> None:
        if _series_kinds(curves) != _series_kinds(self.curves) or not self.plot.panels:
            self.plot.set_panels([self._panel(curves)])  # other labels: other series
        self.curves = curves
        self.plot.replace_series("curves", [(x, y) for x, y in curves.values()])
        self.plot.flush()
        self._show_message(message)

    def _call_text(self) -> str:
        arguments = ", ".join(f"{name}={_shown(value)}" for name, value in self.values.items())
        return f"{self._name}({arguments})"

    # ----- what the plot shows ------------------------------------------------------------
    def _panel(self, curves: dict[str, Curve]) -> dict[str, Any]:
        series = []
        for i, (label, curve) in enumerate(curves.items()):
            style = {"line": False, "points": True} if isinstance(curve, Points) else {}
            series.append({"label": label, "color": _color(i), "span_gaps": False, **style})
        return {
            "kind": "curves",
            "id": "curves",
            **self.labels,
            "series": series,
            "log_switch": self.logy,
            "logx": self.logx,
            "x_range": self.xlim and list(self.xlim),
            "y_range": self.ylim and list(self.ylim),
            "y_axis_size": 80,  # room for ticks such as 1.00e-11: the axis keeps its width
            "width": 560,
            "height": 340,
        }

    def _still_figure(self) -> Figure:
        fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
        for i, (label, (x, y)) in enumerate(self.curves.items()):
            y = np.where(np.isfinite(y), y, np.nan)  # inf too is a gap, as in the page
            if isinstance(self.curves[label], Points):
                ax.plot(x, y, ls="none", marker="o", ms=7, color=_color(i), label=label)
            else:
                ax.plot(x, y, lw=2, color=_color(i), label=label)
        if self.logx:
            ax.set_xscale("log")
        if self.logy:
            ax.set_yscale("log", nonpositive="mask")
        if self.xlim:
            ax.set_xlim(*self.xlim)
        if self.ylim:
            ax.set_ylim(*self.ylim)
        ax.set(xlabel=self.labels["xlabel"], ylabel=self.labels["ylabel"], title=self.labels["title"])
        ax.grid(color="#e6e6e6")
        if self.curves:
            ax.legend(fontsize="small")
        return fig


def plot_explorer(
    fn: Callable[..., Any],
    /,
    *,
    xlabel: str = "",
    ylabel: str = "",
    logx: bool = False,
    logy: bool = False,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    title: str = "",
    **controls: Any,
) -> PlotExplorer:
    """Controls for the arguments of ``fn`` above a plot of the curves it returns.

    ``fn`` takes the controls' values by name and returns ``{label: (x, y)}``: each (x, y) a
    pair of 1-D arrays of one length, drawn as a line (curves may have different x; x must
    increase or decrease along a curve). A value :class:`Points` ``(x, y)`` is drawn as dots
    without a line. ``fn`` may also return ``(curves, message)``: the message is shown above the
    plot. nan and inf in y are gaps in the line (so are y <= 0 with ``logy``). Keep the labels
    the same while a control moves: new labels make the page build the plot anew.

    Each keyword gives the control of the parameter of that name:

    * a number, ``(min, max)`` or ``(min, max, step)``: a float slider (as in
      :func:`graph_explorer`; a range starts at ``fn``'s default for the parameter if it has one);
    * a list or tuple of strings: a menu (``Dropdown``), at ``fn``'s default if it is one of them,
      else at the first;
    * True or False: a checkbox;
    * an ipywidgets widget with a ``.value`` (``IntSlider``, ``FloatLogSlider``,
      ``ToggleButtons`` ...): used as it is, its value passed to ``fn``.

    Args:
        xlabel, ylabel, title: the axis labels and the plot's title.
        logx, logy: log-scale axes (logx needs every x > 0).
        xlim, ylim: fixed axis limits (low, high), so the axes stay still while the curves move;
            None (the default) fits them to the curves.

    While dragging, an error of ``fn`` (or a return value that is not curves) is shown on the
    message line in red and the plot keeps the last curves that worked.

    Raises:
        TypeError: ``fn`` is not callable, a control names no parameter of ``fn``, a parameter
            without a default has no control, a control is of no kind above.
        ValueError, ShapeError: a bad range or limits; at the starting values, a return value
            that is not curves (named by its label: x and y of different lengths, not 1-D, x not
            finite or not monotonic). Errors of ``fn`` itself at the starting values propagate
            with a note.
    """
    return PlotExplorer(
        fn, controls, xlabel=xlabel, ylabel=ylabel, logx=logx, logy=logy, xlim=xlim, ylim=ylim, title=title
    )


# ----- controls ------------------------------------------------------------------------------------
def _control(name: str, spec: Any, default: Any) -> widgets.ValueWidget:
    """The widget for one keyword of :func:`plot_explorer` (see there)."""
    if isinstance(spec, widgets.ValueWidget):
        if hasattr(spec, "description") and not spec.description:
            spec.description = name  # a control without a name would leave the reader guessing
        return spec
    if isinstance(spec, widgets.Widget):
        raise TypeError(
            f"control {name!r}: a widget must have a .value (IntSlider, Dropdown, Checkbox ...), "
            f"not {type(spec).__name__}"
        )
    if isinstance(spec, bool):
        return widgets.Checkbox(value=spec, description=name, indent=False)
    if isinstance(spec, list | tuple) and spec and all(isinstance(option, str) for option in spec):
        start = default if default in spec else spec[0]
        return widgets.Dropdown(options=list(spec), value=start, description=name)
    if isinstance(spec, numbers.Real | list | tuple):
        return make_slider(name, spec, default)
    raise TypeError(
        f"control {name!r}: give a number, a (min, max) or (min, max, step) tuple, a list of strings "
        f"(a menu), True or False (a checkbox) or an ipywidgets widget, not {type(spec).__name__} {spec!r}"
    )


def _value(control: widgets.ValueWidget) -> Any:
    """What ``fn`` gets: a float slider's value snapped to its step, any other widget's as it is."""
    if isinstance(control, widgets.FloatSlider | widgets.FloatLogSlider):
        return slider_value(control)
    return control.value


def _shown(value: Any) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return format_number(float(value))
    return repr(value)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {value!r}")
    return value


def _limits(name: str, limits: Any, log: bool) -> tuple[float, float] | None:
    limits = check_limits(name, limits)
    if log and limits and limits[0] <= 0:
        raise ValueError(f"{name} must be positive on a log scale, got {limits!r}")
    return limits


# ----- what fn returns -----------------------------------------------------------------------------
def _read_result(result: Any, name: str, logx: bool) -> tuple[dict[str, Curve], str]:
    """``fn``'s return value checked: the curves (each checked) and the message ("" if none)."""
    message = ""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Mapping):
        result, message = result
        if not isinstance(message, str):
            raise TypeError(
                f"{name} returned (curves, message) with a message that is "
                f"{type(message).__name__}, not str: {message!r}"
            )
    if not isinstance(result, Mapping):
        raise TypeError(
            f"{name} must return a dict {{label: (x, y)}} of curves, or a pair (that dict, a message), "
            f"not {type(result).__name__}"
        )
    for label in result:
        if not isinstance(label, str):
            raise TypeError(
                f"{name} must label its curves with strings, not {type(label).__name__} {label!r}"
            )
    return {label: _curve(label, value, logx) for label, value in result.items()}, message


def _curve(label: str, value: Any, logx: bool) -> Curve:
    """One curve checked: float arrays of one length, x finite and increasing (Points sorted)."""
    is_points = isinstance(value, Points)
    what = f"points {label!r}" if is_points else f"curve {label!r}"
    if not is_points and not (isinstance(value, tuple | list) and len(value) == 2):
        raise TypeError(
            f"{what}: give a pair (x, y) of 1-D arrays or bp.widgets.Points(x, y), not {type(value).__name__}"
        )
    try:
        x, y = (np.asarray(v, dtype=np.float64) for v in value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what}: x and y must be arrays of numbers ({error})") from None
    if is_points:
        x, y = np.atleast_1d(x), np.atleast_1d(y)
    for axis, values in (("x", x), ("y", y)):
        if values.ndim != 1:
            raise ShapeError(f"{what}: {axis} must be 1-D, got shape {values.shape}")
    if len(x) != len(y):
        raise ShapeError(f"{what}: x has {len(x)} values but y has {len(y)}")
    for problem, bad in (
        ("x must be finite (nan or inf in y is a gap)", ~np.isfinite(x)),
        ("logx needs x > 0", logx & (x <= 0)),
    ):
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{what}: {problem}, but x[{i}] = {x[i]}")
    if is_points:
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
        if (np.diff(x) == 0).any():
            raise ValueError(
                f"{what}: two points at x = {x[np.argmax(np.diff(x) == 0)]}; give one y for each x"
            )
        return Points(x, y)
    steps = np.diff(x)
    if len(x) > 1 and (steps < 0).all():
        return x[::-1], y[::-1]  # the same line, drawn from the left
    if (steps <= 0).any():
        i = int(np.argmax(steps <= 0))
        raise ValueError(
            f"{what}: x must increase (or decrease) along the curve, but x[{i + 1}] = {x[i + 1]} "
            f"follows x[{i}] = {x[i]}"
        )
    return x, y


def _series_kinds(curves: dict[str, Curve]) -> list[tuple[str, bool]]:
    """What the panel's series are: labels, and which are points."""
    return [(label, isinstance(curve, Points)) for label, curve in curves.items()]


def _color(i: int) -> str:
    return COLORS[i % len(COLORS)]
