"""descent_explorer: watch an optimiser walk down a function of one or two variables.

::

    bp.widgets.descent_explorer("ravine")                 # a named preset (see PRESETS)
    bp.widgets.descent_explorer(lambda x: (x**2).sum(), start=1.0, lr=0.1)

The function ``f`` takes a Tensor of shape (d,), the point, with d = 1 or 2, and returns a
one-element Tensor, the loss there (``x[0]``, ``x[1]`` pick the coordinates). A number given as
``start`` is the 1-D point ``(start,)``. The path itself is :func:`backprop_nb.viz.plots.optimizer_run`:
the real ``bp.optim`` optimiser, stepped on the real gradient, exactly as in a training loop.

The controls: the learning rate (a logarithmic slider, since good rates span orders of
magnitude), the number of steps, and the optimisers to compare (:data:`OPTIMIZERS`, several at
once on one surface, as in Goh's "Why Momentum Really Works"). Every change recomputes the paths
from the start; a click on the picture moves the start. The kernel sends the paths and, once per
region, f on a grid; the page draws the contours, the paths and, beside them, f at each step
(:class:`~backprop_nb.widgets.live_plot.LivePlot`). A path that runs away stops there, the message
says at which step, and the region drawn widens to show where it went.

A long path is computed in pieces: each real step costs a forward and a backward pass (about
0.1 ms), so 2 × 1,000 steps take a few tenths of a second. The first :data:`FIRST_PIECE_S`
seconds' worth is drawn at once, the next pieces while the page paints the ones before, so the
plot answers a control within a frame and the paths grow to their end. The attributes
(``runs``, ``path``, ``message`` ...) always describe the whole path: reading one finishes it.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import _checks
from ..errors import ShapeError
from ..modes import no_grad
from ..tensor import Tensor
from ..viz.dot import format_number
from ..viz.plots import OptimizerRun, OptimizerWalk, loss_surface, plot_optimizer_paths
from ..viz.style import COLORS
from ._common import (
    OPTIMIZERS,
    SLIDER_WIDTH,
    FigureFallbackBox,
    OptimizerChoice,
    bounded_count,
    check_limits,
    lr_slider,
    optimizer_choices,
    optimizer_label,
)
from .live_plot import LivePlot, finite_or_none, link_log_switch

__all__ = ["MAX_STEPS", "OPTIMIZERS", "PRESETS", "DescentExplorer", "Preset", "descent_explorer"]


# ----- the functions to descend -------------------------------------------------------------
def parabola(x: Tensor) -> Tensor:
    """f(x) = x²: the lectures' first example; plain SGD multiplies x by (1 − 2·lr) each step."""
    return (x**2).sum()


def bowl(p: Tensor) -> Tensor:
    """f(x, y) = x² + y²: a round bowl, every direction equally steep."""
    return (p**2).sum()


def ravine(p: Tensor) -> Tensor:
    """f(x, y) = 0.1 x² + 10 y²: a long narrow valley, 100 times steeper across than along.

    A learning rate small enough for the steep walls crawls along the flat floor; momentum adds
    up the small, consistent steps along the floor while the zig-zags across it cancel.
    """
    return 0.1 * p[0] ** 2 + 10 * p[1] ** 2


def rosenbrock(p: Tensor) -> Tensor:
    """f(x, y) = (1 − x)² + 10 (y − x²)²: Rosenbrock's curved banana valley, minimum at (1, 1).

    The classic has 100 where this has 10; the gentler walls let a few hundred steps get there.
    """
    return (1 - p[0]) ** 2 + 10 * (p[1] - p[0] ** 2) ** 2


def double_well(x: Tensor) -> Tensor:
    """f(x) = (x² − 1)² + 0.3 x: two valleys, the left one (x ≈ −1.04) deeper than the right (x ≈ 0.96).

    From x = 2 plain gradient descent settles in the nearer, shallower valley; momentum can carry
    the point over the hump into the deeper one.
    """
    return ((x**2 - 1) ** 2 + 0.3 * x).sum()


@dataclass(frozen=True)
class Preset:
    """A function to descend with a start, a learning rate and a view that show something."""

    f: Callable[[Tensor], Tensor]
    start: tuple[float, ...]
    lr: float
    steps: int
    xlim: tuple[float, float]
    ylim: tuple[float, float] | None = None  # None for a 1-D function


PRESETS: dict[str, Preset] = {
    "parabola": Preset(parabola, (1.0,), lr=0.1, steps=20, xlim=(-1.5, 1.5)),
    "bowl": Preset(bowl, (-1.5, 1.0), lr=0.1, steps=30, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0)),
    "ravine": Preset(ravine, (-4.0, 1.0), lr=0.02, steps=80, xlim=(-5.0, 5.0), ylim=(-2.0, 2.0)),
    "rosenbrock": Preset(rosenbrock, (-1.5, 2.0), lr=0.005, steps=200, xlim=(-2.0, 2.0), ylim=(-1.0, 3.0)),
    "double_well": Preset(double_well, (2.0,), lr=0.01, steps=100, xlim=(-2.0, 2.3)),
}
"""Named functions for :func:`descent_explorer`, each with a start, lr, steps and view that work."""


MAX_STEPS = 10_000
"""The most steps :func:`descent_explorer` takes: every step runs f and its backward pass (about
0.1 ms), and every change of a control recomputes the whole path."""

MAX_RESOLUTION = 300
"""The finest grid of the contour plot: f runs once per grid point (300 × 300 takes seconds)."""

FIRST_PIECE_S = 0.004
"""Seconds of path computing before the plot first repaints after a change (then PIECE_S a piece)."""

PIECE_S = 0.3
"""Seconds of path computing per later piece: the second at once, each next one when the page has
painted a piece (so the page paints one while the kernel computes the next)."""

_STEPS_AT_ONCE = 10
"""Steps each path takes before the clock is read again (the paths grow side by side)."""


# ----- the widget -----------------------------------------------------------------------------
def _point(values: np.ndarray) -> str:
    return "(" + ", ".join(format_number(float(v)) for v in values) + ")"


class DescentExplorer(FigureFallbackBox):
    """Gradient descent on a 1-D or 2-D function: several optimisers at once, drawn live.

    Use :func:`descent_explorer` to make one. State after each change (print it in a checked cell;
    reading it finishes a path the page is still being sent piece by piece):

    Attributes:
        runs: ``{name: OptimizerRun}`` for each optimiser shown, in menu order (see
            :func:`~backprop_nb.viz.plots.optimizer_run`: ``path``, ``losses``, ``label``,
            ``diverged``).
        run, path, losses, label, diverged: those of the first optimiser shown. ``path`` has
            ``steps + 1`` rows (fewer if it diverged); row t is the point after t steps.
        message: the outcome in words, one sentence per optimiser; a divergence names the step
            and suggests a smaller learning rate.
        start: the first point; :meth:`set_start` (or a click on the picture) moves it.
        view: the region drawn, ``(xlim, ylim)`` (``ylim`` None in 1-D): the given one, widened
            to hold every path, the diverging ones too.
        error: None, or why f failed for the setting last tried (that control was put back).
        controls: ``{"lr": FloatLogSlider, "steps": IntSlider, "optimizers": SelectMultiple,
            "log_scale": Checkbox}``; set ``.value`` on them to drive the explorer from code.
        plot: the :class:`~backprop_nb.widgets.live_plot.LivePlot` drawing the surface and the
            loss-vs-step curves.
    """

    def __init__(
        self,
        f: Callable[[Tensor], Tensor],
        start: Any,
        lr: float,
        steps: int,
        chosen: Sequence[str],
        optimizers: Mapping[str, OptimizerChoice],
        xlim: tuple[float, float] | None,
        ylim: tuple[float, float] | None,
        max_norm: float,
        resolution: int,
    ) -> None:
        self.f = f
        self.start = _check_start(start)
        self._choices = dict(optimizers)
        self.xlim, self.ylim = xlim, ylim
        self.max_norm = max_norm
        self.resolution = resolution
        self.error: str | None = None
        self._reverting = False
        self._walks: dict[str, OptimizerWalk] = {}  # the paths being computed, piece by piece
        self._runs: dict[str, OptimizerRun] = {}  # the paths as far as computed and drawn
        self._view: Any = None  # (xlim, ylim) of the paths as far as computed
        self._outcome = ""
        self._undo: tuple[str, Any, Any, Callable[[Any], None]] | None = None  # see _attempt
        self._in_flight: set[int] = set()  # frames of unfinished paths sent, not yet painted
        self._surface: tuple[Any, np.ndarray] | None = None  # (view, f on its grid), kept
        self._grid_view: Any = None  # the view whose surface the page has
        self.controls = {
            "lr": lr_slider(lr),
            "steps": widgets.IntSlider(
                value=steps,
                min=1,
                max=max(200, steps),
                description="steps",
                continuous_update=False,
                layout=widgets.Layout(width=SLIDER_WIDTH),
            ),
            "optimizers": widgets.SelectMultiple(
                options=list(self._choices),
                value=tuple(chosen),
                rows=min(6, len(self._choices)),
                description="optimizers",
                tooltip="ctrl- or shift-click to compare several",
            ),
            "log_scale": widgets.Checkbox(value=False, description="log-scale f", indent=False),
        }
        c = self.controls
        super().__init__(
            [widgets.HBox([widgets.VBox([c["lr"], c["steps"], c["log_scale"]]), c["optimizers"]])],
            LivePlot(self._panels()),
        )
        self.update()
        self._remember_initial_figure()
        self.add_class("bp-descent-explorer")
        self.plot.on_painted(self._on_painted)
        for name in ("lr", "steps", "optimizers"):
            c[name].observe(self._on_change, names="value")
        link_log_switch(c["log_scale"], self.plot)
        self.plot.on_click(lambda _panel, x, y: self.set_start((x, y)[: len(self.start)]))

    # ----- the state: always of whole paths ---------------------------------------------------
    @property
    def runs(self) -> dict[str, OptimizerRun]:
        self._finish()
        return self._runs

    @property
    def run(self) -> OptimizerRun | None:
        return next(iter(self.runs.values()), None)

    @property
    def path(self) -> np.ndarray:
        return self.run.path if self.run else np.empty((0, len(self.start)))

    @property
    def losses(self) -> np.ndarray:
        return self.run.losses if self.run else np.empty(0)

    @property
    def label(self) -> str:
        return self.run.label if self.run else ""

    @property
    def diverged(self) -> bool:
        return any(run.diverged for run in self.runs.values())

    @property
    def view(self) -> tuple[tuple[float, float], tuple[float, float] | None]:
        self._finish()
        return self._view

    @property
    def message(self) -> str:
        self._finish()
        return self._outcome

    # ----- controls -------------------------------------------------------------------------
    def _on_change(self, change: dict[str, Any]) -> None:
        """Recompute for the new setting; if f fails there, say so and put the control back."""
        if self._reverting:
            return
        name = change["owner"].description
        self._attempt(name, change["new"], change["old"], lambda old: self._put_back(change, old))

    def _put_back(self, change: dict[str, Any], old: Any) -> None:
        self._reverting = True
        try:
            change["owner"].value = old
        finally:
            self._reverting = False

    def set_start(self, point: Any) -> None:
        """Start the paths at ``point`` (a click on the picture does this) and recompute."""
        old, self.start = self.start, _check_start(point)
        self._attempt("start", _point(self.start), _point(old), lambda _: setattr(self, "start", old))

    def _attempt(self, name: str, new: Any, old: Any, put_back: Callable[[Any], None]) -> None:
        """Start the paths for the setting ``name`` changed from ``old`` to ``new``; if f fails on
        the way (in this piece or a later one), ``put_back(old)`` undoes the change."""
        self._undo = (name, new, old, put_back)
        self._guarded(self._begin)

    def _guarded(self, compute: Callable[[], None]) -> None:
        try:
            compute()
        except Exception as error:  # f is the user's: it may raise anything; show it, don't crash
            if self._undo is None:  # update() called from code: no control to put back
                raise
            name, new, old, put_back = self._undo
            put_back(old)
            self.update()  # the paths of the setting put back, drawn again
            self.error = f"{type(error).__name__}: {error}"
            self._outcome = (
                f"f failed with {name} = {_shown(new)}: {self.error}. "
                f"The {name} is back at {_shown(old)}, the path shown."
            )
            self._show_message(self._outcome, error=True)

    def _on_painted(self, frame: int) -> None:
        """The page painted a piece of the paths: compute the next one."""
        if frame in self._in_flight:
            self._in_flight.discard(frame)
            if self._computing:
                self._guarded(lambda: self._advance(PIECE_S))

    # ----- computing ------------------------------------------------------------------------
    def update(self) -> None:
        """Recompute every path for the current settings and draw them, whole, now."""
        self._undo = None
        self._begin()
        self._finish()

    def _begin(self) -> None:
        """Start a walk for each optimiser shown, at the current settings; draw the first piece."""
        lr = self.controls["lr"].value
        self._walks = {
            name: OptimizerWalk(
                self.f, (cls, {**settings, "lr": lr}), self.start, self.controls["steps"].value, self.max_norm
            )
            for name, (cls, settings) in self._choices.items()
            if name in self.controls["optimizers"].value
        }
        self._in_flight = set()
        self._advance(FIRST_PIECE_S)
        if self._computing:
            self._advance(PIECE_S)  # two pieces in flight: the kernel computes while the page paints

    @property
    def _computing(self) -> bool:
        """True while some path is not yet computed to its end."""
        return any(not walk.done for walk in self._walks.values())

    def _finish(self) -> None:
        """Compute what is left of the paths, now."""
        if self._computing:
            self._guarded(lambda: self._advance(float("inf")))

    def _advance(self, seconds: float) -> None:
        """Walk the unfinished paths on, side by side, for about ``seconds`` (on to the end if
        what is left takes less than that again); draw how far they got."""
        begin, taken = time.perf_counter(), 0
        walking = [walk for walk in self._walks.values() if not walk.done]
        while walking:
            for walk in walking:
                walk.advance(_STEPS_AT_ONCE)
            taken += _STEPS_AT_ONCE * len(walking)
            walking = [walk for walk in walking if not walk.done]
            elapsed = time.perf_counter() - begin
            left = sum(walk.steps + 1 - len(walk.losses) for walk in walking)
            if elapsed >= seconds and left * elapsed / taken > seconds:
                break
        self._runs = {name: _relabelled(walk.run()) for name, walk in self._walks.items()}
        self._view = self._view_of(self._runs)
        steps = self.controls["steps"].value
        frame = self._send_paths(steps, finished=not walking)  # first: the plot is what the student waits for
        if walking:
            self._in_flight.add(frame)
            reached = min(len(walk.losses) for walk in walking) - 1
            self._show_message(f"computing the paths: step {reached} of {steps} …")
        else:
            self.error = None
            runs = self._runs.values()
            self._outcome = "; ".join(run.divergence or self._outcome_of(run, steps) for run in runs) or (
                "choose an optimiser to see its path"
            )
            self._show_message(self._outcome, error=any(run.diverged for run in runs))

    def _outcome_of(self, run: OptimizerRun, steps: int) -> str:
        return (
            f"{run.label}, {steps} steps: x {_point(run.path[0])} → {_point(run.path[-1])}, "
            f"f {format_number(run.losses[0])} → {format_number(run.losses[-1])}"
        )

    def _view_of(
        self, runs: Mapping[str, OptimizerRun]
    ) -> tuple[tuple[float, float], tuple[float, float] | None]:
        """The given region, widened (with a margin) to hold every point of every path."""
        points = np.concatenate([self.start[None, :], *(run.path for run in runs.values())])
        low, high = points.min(axis=0), points.max(axis=0)
        margin = np.maximum(0.1 * (high - low), 0.5)
        given = [self.xlim, self.ylim]
        view = []
        for axis in range(len(self.start)):
            lo, hi = float(low[axis] - margin[axis]), float(high[axis] + margin[axis])
            if given[axis] is not None:
                g_lo, g_hi = given[axis]
                inside = g_lo <= low[axis] and high[axis] <= g_hi
                lo, hi = (g_lo, g_hi) if inside else (min(g_lo, lo), max(g_hi, hi))
            view.append((lo, hi))
        return view[0], (view[1] if len(view) == 2 else None)

    def _values_on(self, view: Any) -> np.ndarray:
        """f on the view's grid (2-D: resolution × resolution; 1-D: 200 points), kept until it moves."""
        if self._surface is None or self._surface[0] != view:
            if view[1] is not None:
                values = loss_surface(self.f, *view, resolution=self.resolution)[2]
            else:
                xs = np.linspace(*view[0], 200)
                with no_grad(), np.errstate(all="ignore"):
                    values = np.array([self.f(Tensor([x])).item() for x in xs])
            self._surface = (view, values)
        return self._surface[1]

    # ----- what the plot shows --------------------------------------------------------------
    def _panels(self) -> list[dict[str, Any]]:
        two_d = len(self.start) == 2
        chosen = self.controls["optimizers"].value
        series = [
            {"label": name, "color": COLORS[i % len(COLORS)]}
            for i, name in enumerate(self._choices)
            if name in chosen
        ]
        return [
            {
                "kind": "field",
                "id": "surface",
                "xlabel": "θ[0]" if two_d else "x",
                "ylabel": "θ[1]" if two_d else "f(x)",
                "clickable": True,
                "width": 400,
                "height": 340,
            },
            {
                "kind": "curves",
                "id": "loss",
                "title": "f at each step",
                "xlabel": "step",
                "ylabel": "f",
                "series": series,
                "log_switch": True,
                "x_min": 0,
                "width": 400,
                "height": 320,
            },
        ]

    def _send_paths(self, steps: int, finished: bool) -> int | None:
        """Send the paths as far as computed; return the frame's id.

        f on a grid (the contours; in 1-D the curve) is computed for a new view only once the
        paths are finished: a piece on the way draws over the last one."""
        if [series["label"] for series in self.plot.panels[1]["series"]] != list(self._runs):
            self.plot.set_panels(self._panels())  # other optimisers: other curves
            self._grid_view = None
        surface_view = self._view if finished or self._grid_view is None else self._grid_view
        values = self._values_on(surface_view)
        colors = {name: COLORS[i % len(COLORS)] for i, name in enumerate(self._choices)}
        paths = []
        for name, run in self._runs.items():
            y = run.path[:, 1] if len(self.start) == 2 else run.losses
            label = run.label + (" (diverged)" if run.diverged else "")
            paths.append(
                {"x": finite_or_none(run.path[:, 0]), "y": finite_or_none(y), "color": colors[name]}
                | {"label": label, "diverged": run.diverged}
            )
        (xlim, ylim), grid = self._view, None
        if ylim is None:  # 1-D: the curve of f under the paths, the view's height set by it
            finite = values[np.isfinite(values)]
            low, high = (finite.min(), finite.max()) if finite.size else (-1.0, 1.0)
            pad = 0.08 * (high - low or 1.0)
            ylim = (float(low - pad), float(high + pad))
            curve = {
                "x": finite_or_none(np.linspace(*surface_view[0], len(values))),
                "y": finite_or_none(values),
                "color": "#595959",
                "points": False,
            }
            paths.insert(0, curve | {"label": "f"})
            field = {"start": [float(self.start[0]), float(self._f_at_start())]}
        else:
            field = {"start": [float(v) for v in self.start]}
            if surface_view != self._grid_view:
                extent = [*surface_view[0], *surface_view[1]]
                grid = {"kind": "surface", "values": _ranks(values), "extent": extent, "levels": 20}
        field |= {"title": "click to move the start ★", "extent": [*xlim, *ylim], "paths": paths}
        self.plot.set_field("surface", field, grid=grid)
        self._grid_view = surface_view
        columns = [list(run.losses) + [np.nan] * (steps + 1 - len(run.losses)) for run in self._runs.values()]
        self.plot.replace_curves("loss", range(steps + 1), columns)
        return self.plot.flush()

    def _f_at_start(self) -> float:
        with no_grad(), np.errstate(all="ignore"):
            return self.f(Tensor(self.start)).item()

    def _still_figure(self) -> Figure:
        fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
        if not self.runs:
            ax.set_title(self.message)
        elif len(self.start) == 2:
            plot_optimizer_paths(
                self.f,
                {run.label: run for run in self.runs.values()},
                self.start,
                self.controls["steps"].value,
                ax=ax,
                xlim=self.view[0],
                ylim=self.view[1],
                resolution=self.resolution,
            )
        else:
            self._draw_curve(ax)
        return fig

    def _draw_curve(self, ax: Any) -> None:
        """1-D: the curve of f and each path's points (x_t, f(x_t)) on it."""
        values = self._values_on(self.view)
        grid = np.linspace(*self.view[0], len(values))
        ax.plot(grid, values, color="0.35", lw=1.2, label="f")
        for i, run in enumerate(self.runs.values()):
            color = COLORS[i % len(COLORS)]
            xs = run.path[:, 0]
            ax.plot(xs, run.losses[: len(xs)], color=color, marker="o", ms=3, lw=1, label=run.label)
            if run.diverged:
                ax.plot(xs[-1], run.losses[len(xs) - 1], color=color, marker="X", ms=10, ls="none")
        ax.plot(self.start[0], self._f_at_start(), color="black", marker="*", ms=12, ls="none", label="start")
        ax.set_xlim(*self.view[0])
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.legend(fontsize="small")


def _relabelled(run: OptimizerRun) -> OptimizerRun:
    """The run with its optimiser named as the menu shows it (``SGD(lr=0.01)``, numbers shortened)."""
    label = optimizer_label(run.label)
    return run._replace(label=label, divergence=run.divergence and run.divergence.replace(run.label, label))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each grid value's rank among the finite ones, scaled to 0 … 255 (nan/inf: 255), as bytes.

    Contours at evenly spaced ranks give lines both in a narrow valley and on its steep walls,
    as :func:`~backprop_nb.viz.plots.plot_optimizer_paths` draws them."""
    finite = np.isfinite(values)
    ordered = np.sort(values[finite])
    ranks = np.full(values.shape, 255.0)
    if ordered.size:
        ranks[finite] = 255 * np.searchsorted(ordered, values[finite]) / max(1, ordered.size - 1)
    return np.clip(np.round(ranks), 0, 255).astype(np.uint8)


def _shown(value: Any) -> str:
    return format_number(float(value)) if isinstance(value, numbers.Real) else str(value)


def _check_start(start: Any) -> np.ndarray:
    start = np.atleast_1d(np.asarray(start, dtype=np.float64))
    if start.ndim != 1 or len(start) not in (1, 2):
        raise ShapeError(
            f"start must be a number or a point (x,) or (x, y): the explorer draws functions of one or "
            f"two variables; got shape {start.shape}"
        )
    if not np.all(np.isfinite(start)):
        raise ValueError(f"start must be finite, got {start}")
    return start


def descent_explorer(
    f: str | Callable[[Tensor], Tensor] = "ravine",
    start: Any = None,
    optimizers: Sequence[str] | Mapping[str, OptimizerChoice] = tuple(OPTIMIZERS),
    optimizer: str | Sequence[str] | None = None,
    lr: float | None = None,
    steps: int | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    max_norm: float = 1e3,
    resolution: int = 60,
) -> DescentExplorer:
    """Gradient descent you can steer: learning rate, steps and optimiser, with the path drawn.

    Args:
        f: a preset name from :data:`PRESETS` (``"parabola"``, ``"bowl"``, ``"ravine"``,
            ``"rosenbrock"``, ``"double_well"``), or a function from a Tensor of shape (d,),
            d = 1 or 2, to a one-element Tensor.
        start: the first point, a number (1-D) or a pair (2-D); a preset has its own.
        optimizers: the optimiser menu: names from :data:`OPTIMIZERS`, or a dict of your own
            ``{"Adam β1=0.5": (bp.optim.Adam, {"betas": (0.5, 0.999)})}`` (the slider gives lr).
        optimizer: the one shown at first, or a list of several to compare on one surface
            (default: the first of the menu). More can be chosen in the menu (ctrl-click).
        lr, steps: the starting learning rate and number of steps (a preset has its own;
            else 0.1 and 50).
        xlim, ylim: the region drawn (a preset has its own; else the box around the path).
        max_norm: a path that gets farther than this from the origin has diverged.
        resolution: grid points per axis for the contour plot of a 2-D function (at most
            :data:`MAX_RESOLUTION`).

    If f raises for a setting of the controls, the widget says so in its message line and puts
    that control back to the last setting that worked (``error`` holds the message).

    Raises:
        ValueError, TypeError: a bad argument, named: ``steps`` above :data:`MAX_STEPS` or not
            a positive integer, ``max_norm`` not positive, ``resolution`` below 2 or above
            :data:`MAX_RESOLUTION`, limits that are not (low, high) with low < high, an unknown
            preset or optimiser.

    Returns:
        A :class:`DescentExplorer` widget; its ``path``, ``losses``, ``diverged`` and ``message``
        follow the controls.
    """
    if isinstance(f, str):
        if f not in PRESETS:
            raise ValueError(f"unknown preset {f!r}: choose from {list(PRESETS)} or pass a function")
        preset = PRESETS[f]
        f = preset.f
        start = preset.start if start is None else start
        lr = preset.lr if lr is None else lr
        steps = preset.steps if steps is None else steps
        xlim = preset.xlim if xlim is None else xlim
        ylim = preset.ylim if ylim is None else ylim
    elif not callable(f):
        raise TypeError(f"f must be a preset name or a function of a Tensor, got {type(f).__name__}")
    elif start is None:
        raise ValueError("give the first point: start=1.0 for a function of one variable, (x, y) for two")
    choices = optimizer_choices(optimizers)
    chosen = (
        [next(iter(choices))]
        if optimizer is None
        else [optimizer]
        if isinstance(optimizer, str)
        else list(optimizer)
    )
    if not chosen:
        raise ValueError("optimizer: give at least one name to show (or None for the first of the menu)")
    for name in chosen:
        if name not in choices:
            raise ValueError(f"optimizer {name!r} is not among the choices {list(choices)}")
    steps = bounded_count(
        "steps", 50 if steps is None else steps, 1, MAX_STEPS, "each step runs f and its backward pass"
    )
    return DescentExplorer(
        f,
        start,
        lr=0.1 if lr is None else lr,
        steps=steps,
        chosen=chosen,
        optimizers=choices,
        xlim=check_limits("xlim", xlim),
        ylim=check_limits("ylim", ylim),
        max_norm=_checks.positive("max_norm", max_norm),
        resolution=bounded_count("resolution", resolution, 2, MAX_RESOLUTION, "f runs once per grid point"),
    )
