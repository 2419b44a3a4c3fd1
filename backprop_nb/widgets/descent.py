"""descent_explorer: watch an optimiser walk down a function of one or two variables.

::

    bp.widgets.descent_explorer("ravine")                 # a named preset (see PRESETS)
    bp.widgets.descent_explorer(lambda x: (x**2).sum(), start=1.0, lr=0.1)

The function ``f`` takes a Tensor of shape (d,), the point, with d = 1 or 2, and returns a
one-element Tensor, the loss there (``x[0]``, ``x[1]`` pick the coordinates). A number given as
``start`` is the 1-D point ``(start,)``. The path itself is :func:`backprop_nb.viz.plots.optimizer_path`:
the real ``bp.optim`` optimiser, stepped on the real gradient, exactly as in a training loop.

Three controls: the learning rate (a logarithmic slider, since good rates span orders of
magnitude), the number of steps and the optimiser (:data:`OPTIMIZERS`). Every change recomputes
the whole path from the start and redraws it: on the curve of f (1-D) or on its contour plot
(2-D). A path that runs away stops there, and the message says at which step.
"""

from __future__ import annotations

import base64
import io
import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.figure import Figure

from .. import optim
from ..errors import ShapeError
from ..modes import no_grad
from ..tensor import Tensor
from ..train import DivergenceWarning
from ..viz.dot import format_number
from ..viz.plots import COLORS, optimizer_path, plot_optimizer_paths
from ._common import SLIDER_WIDTH, StaticFallbackBox, message_html, redraw

__all__ = ["OPTIMIZERS", "PRESETS", "DescentExplorer", "Preset", "descent_explorer"]

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


# ----- helpers shared with the training dashboard ---------------------------------------------
def _optimizer_choices(
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


def _lr_slider(lr: float) -> widgets.FloatLogSlider:
    """A learning-rate slider on a log scale, 1e-4 … 100 (wider if ``lr`` lies outside)."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < math.inf:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    exponent = math.log10(lr)
    return widgets.FloatLogSlider(
        value=float(lr),
        base=10,
        min=min(-4, math.floor(exponent)),
        max=max(2, math.ceil(exponent)),
        step=0.05,
        description="lr",
        readout_format=".3g",
        continuous_update=False,
        layout=widgets.Layout(width=SLIDER_WIDTH),
    )


def _figure_html(fig: Figure) -> str:
    """The figure as an inline PNG ``<img>``, for the still fallback."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=72)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img alt='plot' src='data:image/png;base64,{data}'/>"


def _display_and_close(fig: Figure) -> None:
    """Display the figure (inside an Output region) and close it, so pyplot keeps no copies."""
    display(fig)
    plt.close(fig)


class _FigureFallbackBox(StaticFallbackBox):
    """A still fallback made of a message and a matplotlib figure, turned into a PNG only when the
    widget is displayed (rendering costs about 0.1 s, which code that never displays it saves)."""

    _still: tuple[Figure, str, str] | None = None

    def _remember_initial_figure(self, fig: Figure, message: str, kind: str = "info") -> None:
        self._still = (fig, message, kind)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        if self._still is not None:
            fig, message, kind = self._still
            self._remember_initial_state(f"{message_html(message, kind)}\n{_figure_html(fig)}", message)
            self._still = None
        return super()._repr_mimebundle_(**kwargs)


# ----- the widget -----------------------------------------------------------------------------
def _point(values: np.ndarray) -> str:
    return "(" + ", ".join(format_number(float(v)) for v in values) + ")"


class DescentExplorer(_FigureFallbackBox):
    """Gradient descent on a 1-D or 2-D function, redrawn for every setting of the controls.

    Use :func:`descent_explorer` to make one. State after each change (print it in a checked cell):

    Attributes:
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
        self._choices = _optimizer_choices(optimizers)
        if optimizer not in self._choices:
            raise ValueError(f"optimizer {optimizer!r} is not among the choices {list(self._choices)}")
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}")
        self.xlim, self.ylim = xlim, ylim
        self.max_norm = max_norm
        self.resolution = resolution
        self.controls = {
            "lr": _lr_slider(lr),
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
        self._message = widgets.HTML()
        self._output = widgets.Output()
        super().__init__([*self.controls.values(), self._message, self._output])
        self.update()
        self._remember_initial_figure(self.figure, self.message, "error" if self.diverged else "info")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def _on_change(self, change: dict[str, Any]) -> None:
        self.update()

    def _optimizer_spec(self) -> tuple[type[optim.Optimizer], dict[str, Any]]:
        cls, settings = self._choices[self.controls["optimizer"].value]
        return cls, {**settings, "lr": self.controls["lr"].value}

    def update(self) -> None:
        """Recompute the path for the current settings and redraw (the controls call this)."""
        spec = self._optimizer_spec()
        steps = self.controls["steps"].value
        # the optimiser's repr names its settings, e.g. "SGD(lr=0.1, momentum=0.9)"
        self.label = repr(spec[0]([Tensor(self.start, requires_grad=True)], **spec[1]))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DivergenceWarning)
            self.path = optimizer_path(self.f, spec, self.start, steps, max_norm=self.max_norm)
        problems = _divergences(caught)
        self.losses = self._values(self.path)
        self.diverged = bool(problems)
        if self.diverged:
            self.message = problems[0]
        else:
            self.message = (
                f"{self.label}, {steps} steps: x {_point(self.path[0])} → {_point(self.path[-1])}, "
                f"f {format_number(self.losses[0])} → {format_number(self.losses[-1])}"
            )
        self._message.value = message_html(self.message, "error" if self.diverged else "info")
        redraw(self._output, self._draw)

    def _values(self, points: np.ndarray) -> np.ndarray:
        """f at each point (no graph recorded; an overflow gives inf, not a warning)."""
        with no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.array([self.f(Tensor(point)).item() for point in points])

    def _draw(self) -> None:
        fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
        if len(self.start) == 2:
            with warnings.catch_warnings():  # the divergence is already in the message
                warnings.simplefilter("ignore", DivergenceWarning)
                plot_optimizer_paths(
                    self.f,
                    {self.label: self._optimizer_spec()},
                    self.start,
                    self.controls["steps"].value,
                    ax=ax,
                    xlim=self.xlim,
                    ylim=self.ylim,
                    resolution=self.resolution,
                )
        else:
            self._draw_curve(ax)
        self.figure = fig
        _display_and_close(fig)

    def _draw_curve(self, ax: Any) -> None:
        """1-D: the curve of f and the path's points (x_t, f(x_t)) on it."""
        xs = self.path[:, 0]
        low, high = self.xlim or (
            xs.min() - max(0.5, 0.1 * np.ptp(xs)),
            xs.max() + max(0.5, 0.1 * np.ptp(xs)),
        )
        grid = np.linspace(low, high, 200)
        curve = self._values(grid.reshape(-1, 1))
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


def _divergences(caught: list[warnings.WarningMessage]) -> list[str]:
    """The DivergenceWarning texts among ``caught``; any other warning is issued again."""
    problems = []
    for w in caught:
        if issubclass(w.category, DivergenceWarning):
            problems.append(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return problems


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
        resolution: grid points per axis for the contour plot of a 2-D function.

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
    choices = _optimizer_choices(optimizers)
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
