"""training_dashboard: train a model with Play / Pause / Step / Reset and watch it learn.

::

    X, y = bp.data.moons(n=100, noise=0.15)
    model = bp.nn.MLP([2, 16, 2], seed=0)
    dash = bp.widgets.training_dashboard(model, X, y, loss="cross_entropy")
    dash                                  # in the next cell: dash.history, dash.message ...

**One step is one epoch**: one call of ``bp.fit(model, X, y, loss, optimizer, epochs=1,
history=dash.history, ...)``, which continues the run, so the dashboard trains exactly as ``fit``
does (mini-batches in a shuffled order, the loss of every batch, then the whole training set
evaluated): after n steps at one learning rate, the parameters and the History are those of one
call ``bp.fit(..., epochs=n, seed=seed)``. Play is an ``ipywidgets.Play`` counter: each tick
asks for one more epoch and the kernel trains it when the message arrives, so nothing runs in a
background thread and the page stays responsive. The counter *is* the state: the model has been
trained for ``controls["play"].value`` epochs from its initial parameters. Play's ■ button
rewinds the counter to 0, which (like Reset) puts the initial parameters back.

The learning rate can be turned while training (``optimizer.lr`` changes, as a schedule would do
it). The optimiser and the batch size define a run: changing either starts again from the
initial parameters, so runs are compared from the same start.

When a loss becomes nan or inf, training stops with a message (``fit`` stops before that update)
until Reset.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import _checks
from ..data import check_dataset
from ..errors import AnomalyError, GradError
from ..optim import Optimizer
from ..tensor import Tensor
from ..train import (
    DivergenceWarning,
    History,
    LossFunction,
    Task,
    default_threshold,
    evaluate,
    fit,
    infer_task,
)
from ..viz.dot import format_number
from ..viz.plots import plot_decision_boundary, plot_history
from ._common import (
    OPTIMIZERS,
    FigureFallbackBox,
    OptimizerChoice,
    bounded_count,
    lr_slider,
    optimizer_choices,
)

__all__ = ["TrainingDashboard", "training_dashboard"]

MAX_EPOCHS = 100_000
"""The longest run ``max_epochs`` may ask for."""

MAX_RESOLUTION = 400
"""The finest decision-boundary grid (the model runs on resolution² points after every epoch)."""

BATCH_SIZES = (1, 8, 16, 32, 64, 128)
"""The batch sizes offered (those smaller than the data set), besides the whole set."""


class TrainingDashboard(FigureFallbackBox):
    """A live training run: controls, the learning curves and (2-D data) the decision boundary.

    Use :func:`training_dashboard` to make one. State (print it in a checked cell):

    Attributes:
        history: a :class:`~backprop_nb.train.History` of this run: ``step_loss`` (every
            mini-batch), ``train_loss`` and ``train_accuracy`` (after every epoch).
        step_count: the epochs run since the start (the one that diverged included).
        message: what happened last, in words; after a nan/inf it says where and suggests a
            smaller learning rate.
        stopped: True after a nan/inf loss or an error, until Reset.
        running: True while Play is playing.
        optimizer: the ``bp.optim`` optimiser in use (its repr shows lr and settings).
        batch_size: the current batch size.
        controls: the widgets: ``play`` (ipywidgets.Play), ``step`` and ``reset`` (Buttons), ``lr``
            (FloatLogSlider), ``optimizer`` and ``batch_size`` (Dropdowns). Drive them from code
            with ``.value = ...`` and ``.click()``.
        figure, axes: the figure drawn last and its axes, ``{"loss": ax, "boundary": ax or None}``.
    """

    def __init__(
        self,
        model: Callable[[Tensor], Tensor],
        X: np.ndarray,
        y: np.ndarray,
        loss: LossFunction | str,
        task: Task,
        optimizer: str,
        optimizers: Mapping[str, OptimizerChoice],
        lr: float,
        batch_size: int,
        max_epochs: int,
        seed: int,
        boundary: bool,
        threshold: float,
        resolution: int,
        interval: int,
    ) -> None:
        self.model, self.X, self.y, self.loss, self.task = model, X, y, loss, task
        self.seed, self.boundary, self.threshold, self.resolution = seed, boundary, threshold, resolution
        self._choices = optimizers
        self._params = _parameters(model)
        self._initial = [p.data.copy() for p in self._params]
        play = widgets.Play(
            value=0, min=0, max=max_epochs, step=1, interval=interval, show_repeat=False, description="play"
        )
        self.controls: dict[str, widgets.Widget] = {
            "play": play,
            "step": widgets.Button(description="Step", tooltip="train one epoch"),
            "reset": widgets.Button(description="Reset", tooltip="back to the initial parameters"),
            "lr": lr_slider(lr),
            "optimizer": widgets.Dropdown(options=list(optimizers), value=optimizer, description="optimizer"),
            "batch_size": widgets.Dropdown(
                options=_batch_size_options(batch_size, len(X)), value=batch_size, description="batch size"
            ),
        }
        c = self.controls
        super().__init__(
            [
                widgets.HBox([c["play"], c["step"], c["reset"]]),
                c["lr"],
                widgets.HBox([c["optimizer"], c["batch_size"]]),
            ]
        )
        self._restore()
        self._show()
        self._remember_initial_figure()
        play.observe(self._on_play, names="value")
        c["step"].on_click(lambda _: self.step())
        c["reset"].on_click(lambda _: self.reset())
        c["lr"].observe(self._on_lr, names="value")
        c["optimizer"].observe(self._on_run_setting, names="value")
        c["batch_size"].observe(self._on_run_setting, names="value")

    # ----- state --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return bool(self.controls["play"].playing)

    @property
    def batch_size(self) -> int:
        return self.controls["batch_size"].value

    @property
    def step_count(self) -> int:
        return self.history.stopped_epoch

    # ----- actions ------------------------------------------------------------------------
    def step(self) -> None:
        """Train one more epoch (the Step button): advance the Play counter by one."""
        play = self.controls["play"]
        if self.stopped:
            self._show()  # the stop message again: Reset starts a new run
            return
        if self.step_count >= play.max:
            self._show(note=f"reached max_epochs={play.max}: Reset to train again.")
            return
        play.value = self.step_count + 1

    def reset(self) -> None:
        """Back to the start (the Reset button): initial parameters, a fresh optimiser, no history."""
        self._start_over("reset to the initial parameters.")

    def _start_over(self, note: str) -> None:
        play = self.controls["play"]
        play.playing = False
        self._restore()
        play.value = 0  # the counter follows; _on_play sees nothing left to do
        self._show(note)

    def _restore(self) -> None:
        for p, values in zip(self._params, self._initial, strict=True):
            p.data[...] = values
            p.grad = None
        cls, settings = self._choices[self.controls["optimizer"].value]
        self.optimizer: Optimizer = cls(self._params, lr=self.controls["lr"].value, **settings)
        self.history = History(steps_per_epoch=math.ceil(len(self.X) / self.batch_size))
        self.stopped = False

    def _on_play(self, change: dict[str, Any]) -> None:
        """Train (or rewind and train) until the model has had ``play.value`` epochs."""
        target = change["new"]
        if target < self.step_count:
            self._restore()
        elif target == self.step_count or self.stopped:
            return
        while self.step_count < target and not self.stopped:
            self._train_epoch()
        if self.stopped:
            self.controls["play"].playing = False
            self.controls["play"].value = self.step_count  # the counter tells the epochs run, as always
        self._show()

    def _on_lr(self, change: dict[str, Any]) -> None:
        self.optimizer.lr = change["new"]
        self._show(redraw_plots=False)

    def _on_run_setting(self, change: dict[str, Any]) -> None:
        self._start_over(f"{change['owner'].description} changed: started again from the initial parameters.")

    # ----- training -----------------------------------------------------------------------
    def _train_epoch(self) -> None:
        """One more epoch of the run, by ``bp.fit``; a nan/inf loss or an error stops it with a message."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DivergenceWarning)  # the message says it instead
                fit(
                    self.model,
                    self.X,
                    self.y,
                    self.loss,
                    self.optimizer,
                    epochs=1,
                    batch_size=self.batch_size,
                    seed=self.seed,
                    progress=False,
                    task=self.task,
                    threshold=self.threshold,
                    history=self.history,
                )
        except Exception as error:  # the model is the user's: it may raise anything; show it, don't crash
            self.stopped = True
            self.message = f"training failed: {_error_text(error)}. Reset to start again"
            return
        if self.history.stop_reason == "diverged":
            self.stopped = True
            self.message = f"{self.history.message}, then Reset"

    # ----- showing ------------------------------------------------------------------------
    def _summary(self) -> str:
        if self.step_count == 0:
            return (
                f"{self.optimizer!r}, batch size {self.batch_size}: Play or Step to train "
                f"(a step is one epoch of {self.history.steps_per_epoch} mini-batches)"
            )
        text = (
            f"epoch {self.step_count}, {self.optimizer!r}: loss {format_number(self.history.train_loss[-1])}"
        )
        if self.history.train_accuracy:
            text += f", accuracy {format_number(self.history.train_accuracy[-1])}"
        return text

    def _show(self, note: str = "", redraw_plots: bool = True) -> None:
        """Update the message (a note first, if any; a stop message stays) and the plots."""
        if not self.stopped:
            self.message = f"{note} {self._summary()}" if note else self._summary()
        self._show_message(self.message, error=self.stopped)
        if redraw_plots:
            self._show_figure(self._draw)

    def _draw(self) -> Figure:
        columns = 2 if self.boundary else 1
        fig, axes = plt.subplots(1, columns, figsize=(5.5 * columns, 4), squeeze=False, layout="constrained")
        self.axes = {"loss": axes[0, 0], "boundary": axes[0, 1] if self.boundary else None}
        plot_history(self.history, ax=self.axes["loss"])
        if self.boundary:
            # after a divergence the parameters are huge: overflow in the picture is expected
            try:
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    plot_decision_boundary(
                        self.model,
                        self.X,
                        self.y,
                        ax=self.axes["boundary"],
                        resolution=self.resolution,
                        threshold=self.threshold,
                    )
            except Exception as error:  # the model's own error: the message line says it too
                self.axes["boundary"].text(
                    0.5, 0.5, f"no picture:\n{_error_text(error)}", ha="center", wrap=True
                )
            self.axes["boundary"].set_title(f"after epoch {self.step_count}", fontsize="small")
        return fig


def _error_text(error: Exception) -> str:
    """An exception as one line: our own errors by their message, the user's with their type."""
    if isinstance(error, GradError | AnomalyError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _parameters(model: Any) -> list[Tensor]:
    if not hasattr(model, "parameters"):
        raise TypeError(
            f"the model must have a parameters() method (a bp.nn.Module has one), got {type(model).__name__}: "
            "Reset needs to know which tensors to put back"
        )
    return list(model.parameters())


def _check_batch_size(batch_size: int | None, rows: int) -> int:
    """The batch size as a number of rows: None (or more than there are) means all of them."""
    if batch_size is None:
        return rows
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer or None (the whole set), got {batch_size!r}")
    return min(int(batch_size), rows)


def _batch_size_options(batch_size: int, rows: int) -> list[tuple[str, int]]:
    """Dropdown options (label, size): the usual sizes below ``rows``, the chosen one, the whole set."""
    sizes = {size for size in BATCH_SIZES if size < rows} | ({batch_size} if batch_size < rows else set())
    return [*((str(size), size) for size in sorted(sizes)), (f"all {rows}", rows)]


def training_dashboard(
    model: Callable[[Tensor], Tensor],
    X: Any,
    y: Any,
    loss: LossFunction | str = "cross_entropy",
    optimizer: str = "SGD",
    lr: float = 0.1,
    batch_size: int | None = 32,
    optimizers: Sequence[str] | Mapping[str, OptimizerChoice] = tuple(OPTIMIZERS),
    max_epochs: int = 200,
    seed: int = 0,
    task: Task | None = None,
    boundary: bool | None = None,
    threshold: float | None = None,
    resolution: int = 100,
    interval: int = 400,
) -> TrainingDashboard:
    """A training run you control: Play / Pause / Step / Reset, lr, optimiser and batch size.

    Args:
        model: a model with ``parameters()``, e.g. ``bp.nn.MLP([2, 16, 2], seed=0)``. Its
            parameters at this call are the ones Reset restores.
        X, y: any data set :func:`backprop_nb.data.check_dataset` accepts: X (N, D), y (N,).
        loss: as in :func:`backprop_nb.fit`: a function or a name (``"cross_entropy"``, ``"mse"`` ...).
        optimizer: the optimiser chosen at first, a name of the menu ``optimizers``.
        lr: the starting learning rate.
        batch_size: the starting batch size; None trains on the whole set each step.
        optimizers: the optimiser menu, as in :func:`~backprop_nb.widgets.descent.descent_explorer`.
        max_epochs: Play stops after this many epochs.
        seed: the seed of ``fit``'s shuffling: epoch k of the run is shuffled by the k-th
            permutation ``np.random.default_rng(seed)`` draws (the run is that of one ``fit`` call).
        task: ``"classification"`` or ``"regression"``; by default inferred as ``fit`` does.
        boundary: draw the decision boundary; by default for classification of 2-D inputs.
        threshold: for a single-output classifier, class 1 is predicted above it; by default 0
            for a ``*_with_logits`` loss, else 0.5 (as in ``fit``).
        resolution: grid points per axis of the decision-boundary picture.
        interval: milliseconds between Play's ticks (one epoch each).

    If the model raises while training, the message line shows the error (the widget keeps
    working; Reset starts again).

    Raises:
        ShapeError, ValueError, TypeError: for a data set with bad shapes, non-finite values or
            bad labels (from ``check_dataset``), labels or targets that do not fit the model's
            outputs (from :func:`~backprop_nb.train.evaluate`), an unknown optimiser or batch
            size, or another bad argument, named (``max_epochs`` above :data:`MAX_EPOCHS`,
            ``resolution`` above :data:`MAX_RESOLUTION`, a negative ``seed`` ...).
    """
    task = task or infer_task(y, loss)
    X, y = check_dataset(X, y, task=task)
    choices = optimizer_choices(optimizers)
    if optimizer not in choices:
        raise ValueError(f"optimizer {optimizer!r} is not among the choices {list(choices)}")
    if boundary is None:
        boundary = task == "classification" and X.shape[1] == 2
    elif boundary and (task != "classification" or X.shape[1] != 2):
        raise ValueError(
            f"the decision boundary needs a classification task with 2 input features; "
            f"this is {task} with X of shape {X.shape}"
        )
    threshold = default_threshold(loss) if threshold is None else _checks.number("threshold", threshold)
    max_epochs = bounded_count("max_epochs", max_epochs, 1, MAX_EPOCHS, "Play trains that many epochs")
    seed = _checks.integer("seed", seed, minimum=0)
    resolution = bounded_count(
        "resolution", resolution, 2, MAX_RESOLUTION, "the model runs on every grid point"
    )
    interval = bounded_count("interval", interval, 10, 60_000, "milliseconds between Play's ticks")
    if boundary is not None and not isinstance(boundary, bool):
        raise TypeError(f"boundary must be True, False or None (by the data), got {boundary!r}")
    evaluate(model, X, y, loss, task, threshold)  # labels that do not fit the outputs fail here, not at Play
    return TrainingDashboard(
        model,
        X,
        y,
        loss,
        task,
        optimizer,
        choices,
        lr,
        _check_batch_size(batch_size, len(X)),
        max_epochs,
        seed,
        boundary,
        threshold,
        resolution,
        interval,
    )
