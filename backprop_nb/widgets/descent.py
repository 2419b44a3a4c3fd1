"""descent_explorer: watch an optimiser walk down a function of one or two variables.

::

    bp.widgets.descent_explorer("ravine")                 # a named preset (see PRESETS)
    bp.widgets.descent_explorer(lambda x: (x**2).sum(), start=1.0, lr=0.1)

The function ``f`` takes a Tensor of shape (d,), the point, with d = 1 or 2, and returns a
one-element Tensor, the loss there (``x[0]``, ``x[1]`` pick the coordinates). A number given as
``start`` is the 1-D point ``(start,)``. The path itself is :func:`backprop_nb.viz.plots.optimizer_run`:
the real ``bp.optim`` optimiser, stepped on the real gradient, exactly as in a training loop.

Three controls: the learning rate (a logarithmic slider, since good rates span orders of
magnitude), the number of steps and the optimiser (:data:`OPTIMIZERS`). Every change recomputes
the whole path from the start and redraws it: on the curve of f (1-D) or on its contour plot
(2-D). A path that runs away stops there, and the message says at which step.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import _checks, optim
from ..errors import ShapeError
from ..modes import no_grad
from ..tensor import Tensor
from ..viz.dot import format_number
from ..viz.plots import COLORS, optimizer_run, plot_optimizer_paths
from ._common import (
    OPTIMIZERS,
    SLIDER_WIDTH,
    FigureFallbackBox,
    OptimizerChoice,
    bounded_count,
    lr_slider,
    optimizer_choices,
)

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


# ----- the widget -----------------------------------------------------------------------------
def _point(values: np.ndarray) -> str:
    return "(" + ", ".join(format_number(float(v)) for v in values) + ")"


class DescentExplorer(FigureFallbackBox):
    """Gradient descent on a 1-D or 2-D function, redrawn for every setting of the controls.

    Use :func:`descent_explorer` to make one. State after each change (print it in a checked cell):

    Attributes:
        run: the :class:`~backprop_nb.viz.plots.OptimizerRun` shown, by
            :func:`~backprop_nb.viz.plots.optimizer_run`; ``path``, ``losses``, ``label`` and
            ``diverged`` are its fields.
        path: the points visited, shape (k + 1, d); row t is the point after t steps. It has
            ``steps + 1`` rows, fewer if the optimiser diverged.
        losses: f at each point of the path, shape (k + 1,).
        diverged: whether the path ran away (f or the point became nan/inf or left ``max_norm``).
        message: the outcome in words; after a divergence it names the step and suggests a
            smaller learning rate.
        controls: the widgets, ``{"lr": FloatLogSlider, "steps": IntSlider, "optimizer": Dropdown}``;
            set ``.value`` on them to drive the explorer from code.
        label: the optimiser with its settings, as its repr: ``"SGD(lr=0.1, momentum=0.9)"``.
        figure: the matplotlib figure drawn last (closed, but its lines hold the data).
        error: None, or why f failed for the setting last tried (the control was put back).
    """

    def __init__(
        self,
        f: Callable[[Tensor], Tensor],
        start: Any,
        lr: float,
        steps: int,
        optimizer: str,
        optimizers: Sequence[str] | Mapping[str, OptimizerChoice],
        xlim: tuple[float, float] | None,
        ylim: tuple[float, float] | None,
        max_norm: float,
        resolution: int,
    ) -> None:
        self.f = f
        self.start = _check_start(start)
        self._choices = optimizer_choices(optimizers)
        if optimizer not in self._choices:
            raise ValueError(f"optimizer {optimizer!r} is not among the choices {list(self._choices)}")
        steps = bounded_count("steps", steps, 1, MAX_STEPS, "each step runs f and its backward pass")
        self.xlim, self.ylim = _check_limits("xlim", xlim), _check_limits("ylim", ylim)
        self.max_norm = _checks.positive("max_norm", max_norm)
        self.resolution = bounded_count(
            "resolution", resolution, 2, MAX_RESOLUTION, "f runs once per grid point"
        )
        self.error: str | None = None
        self._reverting = False
        self.controls = {
            "lr": lr_slider(lr),
            "steps": widgets.IntSlider(
                value=int(steps),
                min=1,
                max=max(200, int(steps)),
                description="steps",
                continuous_update=False,
                layout=widgets.Layout(width=SLIDER_WIDTH),
            ),
            "optimizer": widgets.Dropdown(
                options=list(self._choices), value=optimizer, description="optimizer"
            ),
        }
        super().__init__(list(self.controls.values()))
        self.update()
        self._remember_initial_figure()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def _on_change(self, change: dict[str, Any]) -> None:
        """Recompute for the new setting; if f fails there, say so and put the control back."""
        if self._reverting:
            return
        try:
            self.update()
        except Exception as error:  # f is the user's: it may raise anything; show it, don't crash
            self.error = f"{type(error).__name__}: {error}"
            self._reverting = True
            try:
                change["owner"].value = change["old"]
            finally:
                self._reverting = False
            self.message = (
                f"f failed with {change['owner'].description} = {_shown(change['new'])}: {self.error}. "
                f"The {change['owner'].description} is back at {_shown(change['old'])}, the path shown."
            )
            self._show_message(self.message, error=True)

    def _optimizer_spec(self) -> tuple[type[optim.Optimizer], dict[str, Any]]:
        cls, settings = self._choices[self.controls["optimizer"].value]
        return cls, {**settings, "lr": self.controls["lr"].value}

    def update(self) -> None:
        """Recompute the path for the current settings and redraw (the controls call this)."""
        steps = self.controls["steps"].value
        self.error = None
        self.run = optimizer_run(self.f, self._optimizer_spec(), self.start, steps, max_norm=self.max_norm)
        self.path, self.losses, self.label = self.run.path, self.run.losses, self.run.label
        self.diverged = self.run.diverged
        self.message = self.run.divergence or (
            f"{self.label}, {steps} steps: x {_point(self.path[0])} → {_point(self.path[-1])}, "
            f"f {format_number(self.losses[0])} → {format_number(self.losses[-1])}"
        )
        self._show_message(self.message, error=self.diverged)
        self._show_figure(self._draw)

    def _draw(self) -> Figure:
        fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
        if len(self.start) == 2:
            plot_optimizer_paths(
                self.f,
                [self.run],
                self.start,
                self.controls["steps"].value,
                ax=ax,
                xlim=self.xlim,
                ylim=self.ylim,
                resolution=self.resolution,
            )
        else:
            self._draw_curve(ax)
        return fig

    def _draw_curve(self, ax: Any) -> None:
        """1-D: the curve of f and the path's points (x_t, f(x_t)) on it."""
        xs = self.path[:, 0]
        low, high = self.xlim or (
            xs.min() - max(0.5, 0.1 * np.ptp(xs)),
            xs.max() + max(0.5, 0.1 * np.ptp(xs)),
        )
        grid = np.linspace(low, high, 200)
        with no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            curve = np.array([self.f(Tensor([x])).item() for x in grid])
        ax.plot(grid, curve, color="0.35", lw=1.2, label="f")
        ax.plot(xs, self.losses, color=COLORS[0], marker="o", ms=3, lw=1, label=self.label)
        if self.diverged:
            ax.plot(xs[-1], self.losses[-1], color=COLORS[0], marker="X", ms=10, ls="none")
        ax.plot(xs[0], self.losses[0], color="black", marker="*", ms=12, ls="none", label="start")
        finite = curve[np.isfinite(curve)]
        if finite.size:
            margin = 0.08 * (finite.max() - finite.min() or 1.0)
            ax.set_ylim(finite.min() - margin, finite.max() + margin)
        ax.set_xlim(low, high)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.legend(fontsize="small")


def _shown(value: Any) -> str:
    return format_number(float(value)) if isinstance(value, numbers.Real) else str(value)


def _check_limits(name: str, limits: Any) -> tuple[float, float] | None:
    """None, or a pair (low, high) of finite numbers with low < high."""
    if limits is None:
        return None
    if not isinstance(limits, tuple | list) or len(limits) != 2:
        raise TypeError(f"{name} must be a pair (low, high) of numbers, got {limits!r}")
    low, high = (_checks.number(name, value) for value in limits)
    if not low < high:
        raise ValueError(f"{name} must be (low, high) with low < high, got {limits!r}")
    return low, high


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
    optimizer: str | None = None,
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
        optimizer: the one chosen at first (default: the first of the menu).
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
    return DescentExplorer(
        f,
        start,
        lr=0.1 if lr is None else lr,
        steps=50 if steps is None else steps,
        optimizer=optimizer or next(iter(choices)),
        optimizers=choices,
        xlim=xlim,
        ylim=ylim,
        max_norm=max_norm,
        resolution=resolution,
    )
