"""The plots a lecture on training needs, drawn with matplotlib.

* :func:`plot_history`: learning curves (also ``History.plot()``; it lives in
  :mod:`backprop_nb.viz.curves`, which needs nothing from training, so ``train.py`` can use it
  while these plots use the training types);
* :func:`plot_decision_boundary`: which class a 2-D classifier predicts where;
* :func:`plot_gradient_norms`: the size of each layer's gradient (the vanishing-gradient picture);
* :func:`plot_optimizer_paths`: optimisers racing on a 2-D loss surface, each run by
  :func:`optimizer_run`.

Every function draws into ``ax`` (a new figure's axes when it is None) and returns the axes,
so plots combine: ``fig, (a, b) = plt.subplots(1, 2); plot_history(h, ax=a); ...``. None calls
``plt.show()``: Jupyter shows the figure at the end of the cell. Colours are the Okabe–Ito
palette (readable with any colour vision), and classes also differ by marker shape.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
from matplotlib.axes import Axes

from .._checks import boolean, integer_in_range, interval, number, positive
from ..data import check_dataset
from ..errors import ShapeError
from ..modes import no_grad
from ..optim import Optimizer
from ..tensor import Tensor
from ..train import DivergenceWarning, predict, predicted_classes
from .curves import axes_or_new, line_color, plot_history
from .style import COLORS, MARKERS

__all__ = [
    "COLORS",
    "MARKERS",
    "OptimizerRun",
    "OptimizerWalk",
    "decision_regions",
    "gradient_norms",
    "loss_surface",
    "optimizer_path",
    "optimizer_run",
    "plot_decision_boundary",
    "plot_gradient_norms",
    "plot_history",
    "plot_optimizer_paths",
]

MAX_RESOLUTION = 2000
"""The most grid points per axis of a decision boundary or loss surface (f runs at each one)."""

MAX_STEPS = 100_000
"""The most optimiser steps one path may take: beyond that a path is a typo that hangs the kernel."""


OptimizerSpec = Callable[[list[Tensor]], Optimizer] | tuple[type[Optimizer], Mapping[str, Any]]
"""How to make an optimiser for a list of parameters: ``lambda p: bp.optim.SGD(p, lr=0.1)``
or ``(bp.optim.SGD, {"lr": 0.1})``."""


# ----- decision boundary ------------------------------------------------------------------
def decision_regions(
    model: Callable[[Tensor], Tensor], X: np.ndarray, resolution: int, threshold: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The class the model predicts on a grid over the data: ``(xs, ys, regions, classes)``.

    The grid covers X (N, 2) with a 10% margin, ``resolution`` points per axis;
    ``regions[i, j]`` is the class predicted at ``(xs[j], ys[i])`` and ``classes`` the number of
    classes the outputs can tell (2 at least). :func:`plot_decision_boundary` and the training
    dashboard both draw it.
    """
    resolution = integer_in_range("resolution", resolution, 2, MAX_RESOLUTION)
    threshold = number("threshold", threshold)
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.where(high > low, high - low, 10.0)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    outputs = predict(model, np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    regions = predicted_classes(outputs, threshold).reshape(grid_x.shape)
    classes = int(max(regions.max() + 1, outputs.shape[1] if outputs.ndim == 2 else 2, 2))
    return xs, ys, regions, classes


def plot_decision_boundary(
    model: Callable[[Tensor], Tensor],
    X: Any,
    y: Any,
    ax: Axes | None = None,
    resolution: int = 200,
    threshold: float = 0.5,
) -> Axes:
    """Colour the plane by the class the model predicts there, and scatter the data on top.

    The model is evaluated (in evaluation mode, without recording a graph) on a
    ``resolution`` × ``resolution`` grid covering the data with a 10% margin; a point's class is
    the argmax of the outputs, or, for a single output, whether it exceeds ``threshold``
    (0.5 for probabilities; pass 0 for logits). See :func:`backprop_nb.train.predicted_classes`.

    Args:
        model: a classifier of 2-D inputs, e.g. ``bp.nn.MLP([2, 16, 3])``.
        X, y: the points, shape (N, 2), and their integer labels, shape (N,).
    """
    X, y = check_dataset(X, y, task="classification")
    if X.shape[1] != 2:
        raise ShapeError(
            f"plot_decision_boundary draws the plane of two input features, so X must have shape (N, 2); "
            f"got {X.shape}"
        )
    ax = axes_or_new(ax)
    xs, ys, regions, classes = decision_regions(model, X, resolution, threshold)
    classes = max(classes, int(y.max()) + 1)
    grid_x, grid_y = np.meshgrid(xs, ys)
    colors = [line_color(k) for k in range(classes)]
    ax.contourf(grid_x, grid_y, regions, levels=np.arange(classes + 1) - 0.5, colors=colors, alpha=0.25)
    for k in range(classes):
        mine = y == k
        if mine.any():
            marker = MARKERS[k % len(MARKERS)]
            ax.scatter(
                *X[mine].T,
                color=colors[k],
                marker=marker,
                s=18,
                edgecolors="black",
                linewidths=0.4,
                label=f"class {k}",
            )
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    ax.legend(loc="best", fontsize="small")
    return ax


# ----- gradient norms ---------------------------------------------------------------------
def gradient_norms(source: Any, weights_only: bool = True) -> dict[str, float]:
    """The Frobenius norm ‖∂L/∂W‖ of each parameter's gradient, by name, in order.

    Args:
        source: a model after ``loss.backward()`` (anything with ``named_parameters()``), or
            the named gradients themselves: a dict or pairs of name → gradient array (or tensor,
            whose ``.grad`` is used).
        weights_only: keep only tensors with two or more dimensions (weight matrices), leaving
            out biases and other vectors.
    """
    weights_only = boolean("weights_only", weights_only)
    items = source.named_parameters() if hasattr(source, "named_parameters") else source
    if isinstance(items, Mapping):
        items = items.items()
    norms = {}
    for name, value in items:
        grad = value.grad if isinstance(value, Tensor) else value
        if grad is None:
            raise ValueError(
                f"parameter {name!r} has no gradient: call loss.backward() before looking at gradients"
            )
        grad = np.asarray(grad, dtype=np.float64)
        if grad.ndim >= 2 or not weights_only:
            norms[name] = float(np.linalg.norm(grad))
    if not norms:
        raise ValueError(
            "no gradients to show" + (" (weights_only=True keeps only matrices)" if weights_only else "")
        )
    return norms


def plot_gradient_norms(
    source: Any, ax: Axes | None = None, log_scale: bool = True, weights_only: bool = True
) -> Axes:
    """One bar per layer: how large its weight gradient ‖∂L/∂W‖ is, input layer first.

    In a deep sigmoid network the bars shrink by orders of magnitude towards the input: the
    vanishing gradient. That is why the y axis is logarithmic by default (an exactly zero
    gradient then has no bar). ``source`` and ``weights_only`` are as in :func:`gradient_norms`.
    """
    log_scale = boolean("log_scale", log_scale)
    norms = gradient_norms(source, weights_only=weights_only)
    ax = axes_or_new(ax)
    positions = np.arange(len(norms))
    ax.bar(positions, list(norms.values()), color=line_color(0))
    ax.set_xticks(positions, list(norms), rotation=90 if len(norms) > 8 else 0, fontsize="small")
    ax.set_ylabel("gradient norm ‖∂L/∂W‖")
    if log_scale:
        ax.set_yscale("log")
    return ax


# ----- optimiser paths on a loss surface ----------------------------------------------------
def _make_optimizer(spec: OptimizerSpec, params: list[Tensor]) -> Optimizer:
    if isinstance(spec, tuple) and len(spec) == 2:
        optimizer_class, kwargs = spec
        optimizer = optimizer_class(params, **kwargs)
    elif callable(spec):
        optimizer = spec(params)
    else:
        raise TypeError(
            "give each optimiser as a function of the parameters, lambda p: bp.optim.SGD(p, lr=0.1), "
            f"or as a pair (bp.optim.SGD, {{'lr': 0.1}}); got {spec!r}"
        )
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"the optimiser factory returned {type(optimizer).__name__}, not a bp.optim optimizer"
        )
    return optimizer


def _value(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    out = f(x)
    if not isinstance(out, Tensor) or out.size != 1:
        got = f"shape {out.shape}" if isinstance(out, Tensor) else type(out).__name__
        raise TypeError(f"f must return a one-element Tensor (the loss at the point), got {got}")
    return out


class OptimizerRun(NamedTuple):
    """What :func:`optimizer_run` returns: where an optimiser went, and whether it ran away.

    Attributes:
        path: the points visited, shape (k + 1, d): row 0 is the start, row t the point after t
            calls of ``step()``. k is the number of steps asked for, fewer if the run diverged.
        losses: f at each point of the path, shape (k + 1,).
        label: the optimiser with its settings, as its repr: ``"SGD(lr=0.1, momentum=0.9)"``.
        divergence: None if the run went well; else why it stopped, in words (which step, and
            a hint), the text :func:`optimizer_path` warns with.
    """

    path: np.ndarray
    losses: np.ndarray
    label: str
    divergence: str | None

    @property
    def diverged(self) -> bool:
        """True if f or the point became nan or inf, or the point left the ball of ``max_norm``."""
        return self.divergence is not None


class OptimizerWalk:
    """:func:`optimizer_run` in pieces: an optimiser that takes its steps when asked.

    ``advance(n)`` takes up to n more steps; ``run()`` is the :class:`OptimizerRun` so far (the
    points reached, each with f there); ``done`` says whether the walk has reached ``steps`` or
    diverged. The descent explorer draws the first steps of a long walk while it computes the rest.
    """

    def __init__(
        self, f: Callable[[Tensor], Tensor], optimizer: OptimizerSpec, start: Any, steps: int, max_norm: float
    ) -> None:
        start = np.asarray(start, dtype=np.float64)
        if start.ndim != 1:
            raise ShapeError(f"start must be a point, a 1-D array such as (x, y), got shape {start.shape}")
        self.f = f
        self.steps = integer_in_range("steps", steps, 0, MAX_STEPS)
        self.max_norm = positive("max_norm", max_norm)
        self.x = Tensor(start, requires_grad=True, name="θ")
        self.optimizer = _make_optimizer(optimizer, [self.x])
        self.label = repr(self.optimizer)
        self.points, self.losses = [start.copy()], []
        self.problem: str | None = None

    @property
    def done(self) -> bool:
        return self.problem is not None or len(self.losses) == self.steps + 1

    def advance(self, n: int) -> None:
        """Up to n more steps of the training loop: ``zero_grad()``, f(θ), ``backward()``, ``step()``
        (at the last point only f)."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for _ in range(n):
                if self.done:
                    return
                step = len(self.losses)  # steps taken so far: f at the point they reached
                self.optimizer.zero_grad()
                loss = _value(self.f, self.x)
                self.losses.append(loss.item())
                if not np.isfinite(self.losses[-1]):
                    self.problem = f"f became {self.losses[-1]} at the point reached after {step} steps"
                elif step < self.steps:
                    loss.backward()
                    self.optimizer.step()
                    norm = np.linalg.norm(self.x.data)
                    if not norm <= self.max_norm:  # also true for nan
                        self.problem = f"step {step + 1} took the point to ‖θ‖ = {norm:.3g}"
                    else:
                        self.points.append(self.x.data.copy())

    def run(self) -> OptimizerRun:
        """The points reached so far, each with f there (the whole run once ``done``)."""
        divergence = None
        if self.problem is not None:
            divergence = (
                f"{self.label} diverged: {self.problem}; the path stops at the last point before "
                "(try a smaller lr)"
            )
        return OptimizerRun(
            np.array(self.points[: len(self.losses)]), np.array(self.losses), self.label, divergence
        )


def optimizer_run(
    f: Callable[[Tensor], Tensor], optimizer: OptimizerSpec, start: Any, steps: int, max_norm: float = 1e6
) -> OptimizerRun:
    """Let an optimiser minimise ``f`` from ``start`` for ``steps`` steps; return the :class:`OptimizerRun`.

    Each step is the training loop's: ``zero_grad()``, the loss f(θ), ``backward()``, ``step()``.
    If the optimiser diverges (f or the point becomes nan or inf, or the point leaves the ball of
    radius ``max_norm``), the run stops at the last point where f could be evaluated and
    ``divergence`` says at which step. Arguments as in :func:`optimizer_path`.
    """
    walk = OptimizerWalk(f, optimizer, start, steps, max_norm)
    walk.advance(walk.steps + 1)
    return walk.run()


def optimizer_path(
    f: Callable[[Tensor], Tensor], optimizer: OptimizerSpec, start: Any, steps: int, max_norm: float = 1e6
) -> np.ndarray:
    """The points an optimiser visits minimising ``f``, from ``start``: an array (steps + 1, 2).

    Row 0 is ``start``; row t is the point after t calls of ``step()``. If the optimiser
    diverges (f or the point becomes nan or inf, or the point leaves the ball of radius
    ``max_norm``), the path stops at the last good point, so it has fewer than steps + 1 rows,
    and a :class:`~backprop_nb.train.DivergenceWarning` says at which step.
    (:func:`optimizer_run` gives the losses too, and the reason as a value.)

    Args:
        f: the loss, a function of a Tensor of shape (2,) (any length works) returning a
            one-element Tensor, e.g. ``lambda p: p[0] ** 2 + 10 * p[1] ** 2``.
        optimizer: ``lambda params: bp.optim.Adam(params, lr=0.1)`` or ``(bp.optim.Adam, {"lr": 0.1})``.
        start: the first point, e.g. ``(-1.5, 2.0)``.
        steps: how many updates to make.
    """
    run = optimizer_run(f, optimizer, start, steps, max_norm)
    if run.diverged:
        warnings.warn(run.divergence, DivergenceWarning, stacklevel=2)
    return run.path


def loss_surface(
    f: Callable[[Tensor], Tensor], xlim: tuple[float, float], ylim: tuple[float, float], resolution: int = 60
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``f`` on a grid: (X, Y, Z) for ``ax.contour``, Z[i, j] = f((X[i, j], Y[i, j])).

    f is called once per grid point (without recording graphs), about 30 µs per call for a
    small formula: cache the result when redrawing.
    """
    xlim, ylim = interval("xlim", xlim), interval("ylim", ylim)
    resolution = integer_in_range("resolution", resolution, 2, MAX_RESOLUTION)
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    with no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        values = [
            _value(f, Tensor([a, b])).item() for a, b in zip(grid_x.ravel(), grid_y.ravel(), strict=True)
        ]
    return grid_x, grid_y, np.array(values).reshape(grid_x.shape)


def plot_optimizer_paths(
    f: Callable[[Tensor], Tensor],
    optimizers: Mapping[str, OptimizerSpec | OptimizerRun] | Sequence[OptimizerSpec | OptimizerRun],
    start: Any,
    steps: int,
    ax: Axes | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    resolution: int = 60,
    levels: int = 25,
) -> Axes:
    """Race several optimisers on a 2-D loss surface: their paths over a contour plot of ``f``.

    Args:
        f, start, steps: as in :func:`optimizer_path`.
        optimizers: a dict from legend label to optimiser (``{"SGD": lambda p: bp.optim.SGD(p, lr=0.1)}``),
            or a list of optimisers, labelled by their repr (``SGD(lr=0.1)``). An
            :class:`OptimizerRun` you computed before with :func:`optimizer_run` (from
            ``start``) may stand in place of an optimiser: it is drawn as it is, not run again.
        xlim, ylim: the region drawn; by default the box around the paths that did not diverge.
        resolution: grid points per axis for the contours.
        levels: the number of contour lines, spaced evenly in rank (quantiles of f over the
            grid), so that both a narrow valley and its steep walls get lines.

    A path that diverged ends with an ✕ and its label says so; for the optimisers it runs
    itself, a :class:`~backprop_nb.train.DivergenceWarning` also says why.
    """
    labelled = (
        list(optimizers.items()) if isinstance(optimizers, Mapping) else [(None, o) for o in optimizers]
    )
    if not labelled:
        raise ValueError("give at least one optimiser to plot")
    levels = integer_in_range("levels", levels, 2, 1000)
    xlim = None if xlim is None else interval("xlim", xlim)
    ylim = None if ylim is None else interval("ylim", ylim)
    start = np.asarray(start, dtype=np.float64)
    runs = []
    for label, optimizer in labelled:
        if isinstance(optimizer, OptimizerRun):
            run = optimizer
            if not np.array_equal(run.path[0], start):
                raise ValueError(f"the run of {run.label} starts at {run.path[0]}, not at start {start}")
        else:
            run = optimizer_run(f, optimizer, start, steps)
            if run.diverged:
                warnings.warn(run.divergence, DivergenceWarning, stacklevel=2)
        if run.path.shape[1] != 2:
            raise ShapeError(
                f"the paths must lie in a plane, points (x, y); {run.label} has shape {run.path.shape}"
            )
        runs.append((run.label if label is None else label, run))
    ax = axes_or_new(ax)
    xlim, ylim = _extent(
        [run.path for _, run in runs if not run.diverged] or [run.path for _, run in runs], xlim, ylim
    )
    grid_x, grid_y, Z = loss_surface(f, xlim, ylim, resolution)
    finite = Z[np.isfinite(Z)]
    if finite.size:
        contour_levels = np.unique(np.quantile(finite, np.linspace(0, 1, levels)))
        if len(contour_levels) > 1:
            ax.contour(grid_x, grid_y, Z, levels=contour_levels, cmap="viridis", linewidths=0.7)
    for i, (label, run) in enumerate(runs):
        ax.plot(
            *run.path.T,
            color=line_color(i),
            marker="o",
            ms=2.5,
            lw=1.2,
            label=label + (" (diverged)" if run.diverged else ""),
        )
        if run.diverged:
            ax.plot(*run.path[-1], color=line_color(i), marker="X", ms=10, ls="none")
    ax.plot(*start, color="black", marker="*", ms=12, ls="none", label="start")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("θ[0]")
    ax.set_ylabel("θ[1]")
    ax.legend(fontsize="small")
    return ax


def _extent(
    paths: Iterable[np.ndarray], xlim: tuple[float, float] | None, ylim: tuple[float, float] | None
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The given limits, or the box around the paths with a 10% margin (at least 0.5)."""
    points = np.concatenate(list(paths))
    low, high = points.min(axis=0), points.max(axis=0)
    margin = np.maximum(0.1 * (high - low), 0.5)
    box = [(float(lo - m), float(hi + m)) for lo, hi, m in zip(low, high, margin, strict=True)]
    return xlim or box[0], ylim or box[1]
