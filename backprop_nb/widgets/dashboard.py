"""training_dashboard: train a model with Play / Pause / Step / Reset and watch it learn, live.

::

    X, y = bp.data.moons(n=100, noise=0.15)
    model = bp.nn.MLP([2, 16, 2], seed=0)
    dash = bp.widgets.training_dashboard(model, X, y, loss="cross_entropy")
    dash                                  # in the next cell: dash.history, dash.message ...

**One step is one epoch**: one call of ``bp.fit(model, X, y, loss, optimizer, epochs=1,
history=dash.history, ...)``, which continues the run, so the dashboard trains exactly as ``fit``
does (mini-batches in a shuffled order, then the whole training set, and the validation set if
any, evaluated): after n steps at one learning rate, the parameters and the History are those of
one call ``bp.fit(..., epochs=n, seed=seed)``.

The curves and the decision boundary are drawn in the browser by a
:class:`~backprop_nb.widgets.live_plot.LivePlot`: after each epoch the kernel sends the new
points (and the boundary as a small grid of class numbers), never a rendered figure. **Play**
trains one more epoch each time the page has painted one (with :data:`FRAMES_IN_FLIGHT` on
their way), so it goes as fast as both can and every epoch appears on the curves; nothing runs
in a background thread.

The curves start at epoch 0, the loss of the initial parameters. The learning rate can be turned
while training (``optimizer.lr`` changes, as a schedule would do it); a dashed marker on the
curves says where. The optimiser and the batch size define a run: changing either (or Reset)
starts a new run from the initial parameters, so runs are compared from the same start, and the
run before stays on the curves, faded, until **Clear**.

The message line warns when a run has gone wrong: a nan/inf loss stops it (until Reset); a loss
blown up to many times its start, accuracy at chance for many epochs, or a layer of dead ReLUs
is said in red while training goes on.
"""

from __future__ import annotations

import copy
import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import _checks
from ..data import check_dataset, train_test_split
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
from ..viz.plots import decision_regions, plot_decision_boundary, plot_history
from ..viz.style import COLORS
from . import _run_health
from ._common import (
    OPTIMIZERS,
    FigureFallbackBox,
    OptimizerChoice,
    Still,
    bounded_count,
    lr_slider,
    optimizer_choices,
    optimizer_label,
    still_png,
)
from .live_plot import LivePlot, link_log_switch

__all__ = ["TrainingDashboard", "training_dashboard"]

MAX_EPOCHS = 100_000
"""The longest run ``max_epochs`` may ask for."""

MAX_RESOLUTION = 400
"""The finest decision-boundary grid (the model runs on resolution² points after every epoch)."""

MAX_KEPT_RUNS = 4
"""Earlier runs kept faded on the curves (the oldest goes first)."""

BATCH_SIZES = (1, 8, 16, 32, 64, 128)
"""The batch sizes offered (those smaller than the data set), besides the whole set."""

FRAMES_IN_FLIGHT = 2
"""While playing, epochs sent but not yet painted: the kernel trains the next epoch while the page
paints the last, and each painted frame asks for one more, so Play never outruns the page."""

FADED = "#9a9a9a"

STILL_EPOCHS = 30
"""The still picture (what a saved notebook or an HTML page shows in place of the dashboard) is a
run of this many epochs from the initial parameters with the starting settings: real curves, not
epoch 0 alone. It is trained on a copy of the model when the dashboard is first displayed, never
when it is only created (measured on a busy 2-core machine: 0.15 s for 300 points and a
64-unit hidden layer, beside 0.5 s to draw and encode the picture)."""
"""The colour of earlier runs' curves (drawn thin and transparent)."""


@dataclass
class Run:
    """One run of the dashboard: its label and its curves, epoch 0 (before training) first.

    ``curves`` maps a series ("train loss", "validation accuracy" ...) to its values per epoch;
    ``markers`` are the changes made during the run, ``{"x": epoch, "label": "lr 0.3"}``.
    """

    label: str
    curves: dict[str, list[float]]
    markers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(next(iter(self.curves.values()))) - 1


class TrainingDashboard(FigureFallbackBox):
    """A live training run: controls, the learning curves and (2-D data) the decision boundary.

    Use :func:`training_dashboard` to make one. State (print it in a checked cell):

    Attributes:
        history: a :class:`~backprop_nb.train.History` of this run: ``step_loss`` (every
            mini-batch), ``train_loss`` and ``train_accuracy`` (after every epoch), and
            ``val_loss``/``val_accuracy`` with validation data.
        run: the current :class:`Run` as drawn: its curves from epoch 0 and its markers.
        previous_runs: the earlier runs drawn faded (Clear empties it).
        step_count: the epochs run since the start (the one that diverged included).
        message: what happened last, in words; after a nan/inf it says where and suggests a
            smaller learning rate.
        warning: None, or what looks wrong with the run (blown up, stuck at chance, dead ReLUs).
        stopped: True after a nan/inf loss or an error, until Reset.
        running: True while Play is on.
        optimizer: the ``bp.optim`` optimiser in use (its repr shows lr and settings).
        batch_size: the current batch size.
        controls: the widgets: ``play`` (a ToggleButton: Play/Pause), ``step``, ``reset`` and
            ``clear`` (Buttons), ``lr`` (FloatLogSlider), ``optimizer`` and ``batch_size``
            (Dropdowns), ``log_scale`` (Checkbox). Drive them from code with ``.value = ...``
            and ``.click()``.
        plot: the :class:`~backprop_nb.widgets.live_plot.LivePlot` drawing the curves.
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
        validation: tuple[np.ndarray, np.ndarray] | None,
    ) -> None:
        self.model, self.X, self.y, self.loss, self.task = model, X, y, loss, task
        self.validation = validation
        self.seed, self.boundary, self.threshold, self.resolution = seed, boundary, threshold, resolution
        self.max_epochs = max_epochs
        self._choices = optimizers
        self._params = _parameters(model)
        self._initial = [p.data.copy() for p in self._params]
        self._chance = _run_health.chance_level(y) if task == "classification" else None
        self.previous_runs: list[Run] = []
        self.controls: dict[str, widgets.Widget] = {
            "play": widgets.ToggleButton(
                value=False, description="▶ Play", tooltip="train epoch after epoch", layout=_fits_label()
            ),
            "step": widgets.Button(description="Step", tooltip="train one epoch", layout=_fits_label()),
            "reset": widgets.Button(
                description="Reset", tooltip="a new run from the initial parameters", layout=_fits_label()
            ),
            "clear": widgets.Button(
                description="Clear old runs", tooltip="forget the faded earlier runs", layout=_fits_label()
            ),
            "lr": lr_slider(lr),
            "optimizer": widgets.Dropdown(options=list(optimizers), value=optimizer, description="optimizer"),
            "batch_size": widgets.Dropdown(
                options=_batch_size_options(batch_size, len(X)), value=batch_size, description="batch size"
            ),
            "log_scale": widgets.Checkbox(value=False, description="log-scale loss", indent=False),
        }
        c = self.controls
        self._unpainted: set[int] = set()  # frames sent that the page has not yet painted
        super().__init__(
            [
                widgets.HBox([c["play"], c["step"], c["reset"], c["clear"], c["log_scale"]]),
                c["lr"],
                widgets.HBox([c["optimizer"], c["batch_size"]]),
            ],
            LivePlot(self._panels()),
        )
        self._start_run()
        self._show()
        start = (c["optimizer"].value, c["lr"].value, self.batch_size)
        self._remember_still(Still(self.message, partial(self._preview_png, *start)))
        self.add_class("bp-training-dashboard")
        self.plot.on_painted(self._on_painted)
        c["play"].observe(self._on_play, names="value")
        c["step"].on_click(lambda _: self.step())
        c["reset"].on_click(lambda _: self.reset())
        c["clear"].on_click(lambda _: self.clear())
        c["lr"].observe(self._on_lr, names="value")
        c["optimizer"].observe(self._on_run_setting, names="value")
        c["batch_size"].observe(self._on_run_setting, names="value")
        link_log_switch(c["log_scale"], self.plot)

    # ----- state --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return bool(self.controls["play"].value)

    @property
    def batch_size(self) -> int:
        return self.controls["batch_size"].value

    @property
    def step_count(self) -> int:
        return self.history.stopped_epoch

    # ----- actions ------------------------------------------------------------------------
    def step(self) -> None:
        """Train one more epoch (the Step button) and send its points to the plot."""
        if self.stopped:
            self._show()  # the stop message again: Reset starts a new run
            return
        if self.step_count >= self.max_epochs:
            self.controls["play"].value = False
            self._show(note=f"reached max_epochs={self.max_epochs}: Reset to train again.")
            return
        self._train_epoch()
        if self.stopped:
            self.controls["play"].value = False
        self._show()

    def reset(self) -> None:
        """A new run from the initial parameters (the Reset button); this one stays, faded."""
        self._new_run("reset to the initial parameters.")

    def clear(self) -> None:
        """Forget the earlier runs (the Clear button): only the current run stays on the curves."""
        self.previous_runs = []
        self._redraw_curves()
        self._show()

    def _new_run(self, note: str, marker: str | None = None) -> None:
        self.controls["play"].value = False
        if self.run.epochs > 0:
            self.previous_runs = [*self.previous_runs, self.run][-MAX_KEPT_RUNS:]
        self._start_run()
        if marker:
            self._mark(marker)
        self._show(note)

    def _start_run(self) -> None:
        """The initial parameters, a fresh optimiser and History, and epoch 0 on the curves."""
        for p, values in zip(self._params, self._initial, strict=True):
            p.data[...] = values
            p.grad = None
        cls, settings = self._choices[self.controls["optimizer"].value]
        self.optimizer: Optimizer = cls(self._params, lr=self.controls["lr"].value, **settings)
        self.history = History(steps_per_epoch=math.ceil(len(self.X) / self.batch_size))
        self.stopped = False
        self.warning: str | None = None
        label = f"{self.controls['optimizer'].value}, batch {self.batch_size}"
        self.run = Run(label, {name: [value] for name, value in self._evaluate_now().items()})
        self._redraw_curves()

    def _on_play(self, change: dict[str, Any]) -> None:
        play = self.controls["play"]
        play.description = "❚❚ Pause" if change["new"] else "▶ Play"
        if change["new"]:  # two frames in flight: the kernel trains one while the page paints the other
            for _ in range(FRAMES_IN_FLIGHT):
                self.step()

    def _on_painted(self, frame: int) -> None:
        """The page has painted a frame: while playing, train the next epoch."""
        if frame in self._unpainted:
            self._unpainted.discard(frame)
            if self.running:
                self.step()

    def _on_lr(self, change: dict[str, Any]) -> None:
        self.optimizer.lr = change["new"]
        self._mark(f"lr {format_number(change['new'])}")
        self._show()

    def _on_run_setting(self, change: dict[str, Any]) -> None:
        setting = change["owner"].description
        self._new_run(
            f"{setting} changed: a new run from the initial parameters.", f"{setting} {change['new']}"
        )

    def _mark(self, label: str) -> None:
        """A marker at the current epoch of the run's curves."""
        marker = {"x": self.run.epochs, "label": label}
        self.run.markers.append(marker)
        for panel in self._curve_panels():
            self.plot.append_points(panel, [], [[] for _ in self._series(panel)], markers=[marker])

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
                    validation=self.validation,
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
        self._add_epoch()
        self.warning = None if self.stopped else self._health()

    def _evaluate_now(self) -> dict[str, float]:
        """The curves' values for the parameters now (epoch 0 of a run)."""
        values = {}
        sets = [("train", self.X, self.y), *([("validation", *self.validation)] if self.validation else [])]
        for name, X, y in sets:
            with np.errstate(all="ignore"):
                loss, accuracy = evaluate(self.model, X, y, self.loss, self.task, self.threshold)
            values[f"{name} loss"] = loss
            if accuracy is not None:
                values[f"{name} accuracy"] = accuracy
        return values

    def _add_epoch(self) -> None:
        """Put the History's newest epoch on the curves (a gap where it diverged before evaluating)."""
        h = self.history
        latest = {
            "train loss": h.train_loss,
            "train accuracy": h.train_accuracy,
            "validation loss": h.val_loss,
            "validation accuracy": h.val_accuracy,
        }
        for name, values in self.run.curves.items():
            done = latest[name] or []
            values.append(done[-1] if len(done) == h.stopped_epoch else math.nan)
        self._send_epoch(self.run.epochs)

    def _health(self) -> str | None:
        """What looks wrong with the run now, if anything (see ``_run_health``)."""
        curves = self.run.curves
        checks = [
            lambda: _run_health.blown_up(
                curves["train loss"][0], curves["train loss"][-1], self.optimizer.lr
            ),
            lambda: (
                self._chance is not None
                and _run_health.stuck_at_chance(curves["train accuracy"][1:], self._chance)
            ),
            lambda: _run_health.dead_relu_layer(self.model, self.X),
        ]
        return next((found for check in checks if (found := check())), None)

    # ----- what the plot shows --------------------------------------------------------------
    def _curve_panels(self) -> list[str]:
        return ["loss", "accuracy"] if self.task == "classification" else ["loss"]

    def _series(self, panel: str) -> list[tuple[int | None, str]]:
        """The series of a curves panel in order: (earlier run's index or None, curve name)."""
        names = [f"{name} {panel}" for name in ("train", "validation") if self.validation or name == "train"]
        old = [(i, names[0]) for i in range(len(self.previous_runs))]
        return [*old, *((None, name) for name in names)]

    def _panels(self) -> list[dict[str, Any]]:
        panels = []
        for panel in self._curve_panels():
            series = []
            for run_index, name in self._series(panel):
                if run_index is None:
                    dashed = name.startswith("validation")
                    series.append(
                        {
                            "label": name,
                            "color": COLORS[1 if dashed else 0],
                            "dash": [6, 4] if dashed else None,
                            "points": True,  # epoch 0 alone is a point, not an empty plot
                        }
                    )
                else:
                    label = f"run {run_index + 1} ({self.previous_runs[run_index].label})"
                    series.append({"label": label, "color": FADED, "width": 1.5, "faded": True})
            panels.append(
                {
                    "kind": "curves",
                    "id": panel,
                    "title": panel,
                    "xlabel": "epoch",
                    "ylabel": panel,
                    "series": series,
                    "log_switch": panel == "loss",
                    "x_min": 0,
                    "x_span": 10,
                    "y_range": [0, 1] if panel == "accuracy" else None,
                    "width": 285,
                    "height": 250,
                }
            )
        if self.boundary:
            panels.append(
                {
                    "kind": "field",
                    "id": "boundary",
                    "xlabel": "x[0]",
                    "ylabel": "x[1]",
                    "colors": COLORS,
                    "points": [
                        {"x": self.X[:, 0].tolist(), "y": self.X[:, 1].tolist(), "c": self.y.tolist()}
                    ],
                    "width": 285,
                    "height": 270,
                }
            )
        return panels

    def _column(self, run: Run, name: str, epochs: int) -> list[float]:
        values = run.curves[name][: epochs + 1]
        return values + [math.nan] * (epochs + 1 - len(values))

    def _redraw_curves(self) -> None:
        """All the curves again (after a new run or Clear): the panels' series changed."""
        self.plot.set_panels(self._panels())
        epochs = max([self.run.epochs, *(run.epochs for run in self.previous_runs)])
        for panel in self._curve_panels():
            columns = [
                self._column(self.run if i is None else self.previous_runs[i], name, epochs)
                for i, name in self._series(panel)
            ]
            self.plot.replace_curves(panel, range(epochs + 1), columns, markers=self.run.markers)
        self._send_boundary()

    def _send_epoch(self, epoch: int) -> None:
        """The new epoch's points: appended, or (inside a longer earlier run's range) all again."""
        longest = max([run.epochs for run in self.previous_runs], default=0)
        if epoch <= longest:
            self._redraw_curves()
            return
        for panel in self._curve_panels():
            rows = [
                [self.run.curves[name][epoch] if i is None else math.nan] for i, name in self._series(panel)
            ]
            self.plot.append_points(panel, [epoch], rows)
        self._send_boundary()

    def _send_boundary(self) -> None:
        if not self.boundary:
            return
        with np.errstate(all="ignore"):
            try:
                xs, ys, regions, _ = decision_regions(self.model, self.X, self.resolution, self.threshold)
            except Exception:  # the model's own error; the message line says it
                return
        self.plot.set_field(
            "boundary",
            {
                "title": f"decision boundary, epoch {self.run.epochs}",
                "extent": [xs[0], xs[-1], ys[0], ys[-1]],
            },
            grid={"kind": "classes", "values": regions, "extent": [xs[0], xs[-1], ys[0], ys[-1]]},
        )

    def _summary(self) -> str:
        label = optimizer_label(self.optimizer)
        if self.step_count == 0:
            return (
                f"{label}, batch size {self.batch_size}: Play or Step to train "
                f"(a step is one epoch of {self.history.steps_per_epoch} mini-batches)"
            )
        text = f"epoch {self.step_count}, {label}: loss {format_number(self.history.train_loss[-1])}"
        if self.history.train_accuracy:
            text += f", accuracy {format_number(self.history.train_accuracy[-1])}"
        if self.history.val_loss:
            text += f"; validation loss {format_number(self.history.val_loss[-1])}"
        return text

    def _show(self, note: str = "") -> None:
        """Update the message (a note first, if any; a stop message stays) and send the frame."""
        if not self.stopped:
            self.message = f"{note} {self._summary()}" if note else self._summary()
            if self.warning:
                self.message += f". Warning: {self.warning}"
        self._show_message(self.message, error=self.stopped or self.warning is not None)
        frame = self.plot.flush()
        if frame is not None:
            self._unpainted.add(frame)

    def _preview_png(self, optimizer: str, lr: float, batch_size: int) -> bytes:
        """The still picture: :meth:`_preview_run` drawn as a PNG (the start alone if it fails)."""
        try:
            model, history, label = self._preview_run(optimizer, lr, batch_size)
        except Exception as error:  # the model is the user's: draw the start and say why
            return still_png(self._draw_still(self.model, History(), f"no still run: {_error_text(error)}"))
        title = (
            f"Still picture: {history.stopped_epoch} epochs of {label}, batch size {batch_size}, "
            "from the initial parameters (Play trains them live)"
        )
        return still_png(self._draw_still(model, history, title))

    def _preview_run(self, optimizer: str, lr: float, batch_size: int) -> tuple[Any, History, str]:
        """:data:`STILL_EPOCHS` epochs of ``fit`` from the initial parameters on a copy of the model
        (the dashboard's own run is left alone): the trained copy, its History and the optimiser's label."""
        model = copy.deepcopy(self.model)
        params = _parameters(model)
        for p, values in zip(params, self._initial, strict=True):
            p.data[...] = values
            p.grad = None
        cls, settings = self._choices[optimizer]
        trainer = cls(params, lr=lr, **settings)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", DivergenceWarning)
            history = fit(
                model,
                self.X,
                self.y,
                self.loss,
                trainer,
                epochs=min(STILL_EPOCHS, self.max_epochs),
                batch_size=batch_size,
                validation=self.validation,
                seed=self.seed,
                progress=False,
                task=self.task,
                threshold=self.threshold,
            )
        return model, history, optimizer_label(trainer)

    def _draw_still(self, model: Callable[[Tensor], Tensor], history: History, title: str) -> Figure:
        """The curves of ``history`` and the boundary of ``model`` as a matplotlib figure titled ``title``."""
        columns = 2 if self.boundary else 1
        fig, axes = plt.subplots(1, columns, figsize=(5.5 * columns, 4), squeeze=False, layout="constrained")
        fig.suptitle(title, fontsize="small", wrap=True)
        plot_history(history, ax=axes[0, 0])
        if self.boundary:
            try:
                with np.errstate(all="ignore"):
                    plot_decision_boundary(
                        model,
                        self.X,
                        self.y,
                        ax=axes[0, 1],
                        resolution=self.resolution,
                        threshold=self.threshold,
                    )
            except Exception as error:  # the model's own error: the message line says it too
                axes[0, 1].text(0.5, 0.5, f"no picture:\n{_error_text(error)}", ha="center", wrap=True)
            axes[0, 1].set_title(f"after epoch {history.stopped_epoch}", fontsize="small")
        return fig


def _fits_label() -> widgets.Layout:
    """A button as wide as its label: ipywidgets' fixed default width cuts "Clear old runs" short."""
    return widgets.Layout(width="auto", min_width="fit-content")


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


def _split_validation(
    X: np.ndarray, y: np.ndarray, validation: Any, task: Task, seed: int
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """The training set and the validation set (None, a fraction split off once, or a pair)."""
    if validation is None:
        return X, y, None
    if isinstance(validation, tuple) and len(validation) == 2:
        X_val, y_val = check_dataset(*validation, task=task)
        return X, y, (X_val, y_val)
    if isinstance(validation, bool) or not isinstance(validation, numbers.Real):
        raise TypeError(
            f"validation must be None, a fraction such as 0.2, or a pair (X_val, y_val); got {validation!r}"
        )
    fraction = float(validation)
    if not 0 < fraction < 1:
        raise ValueError(f"a validation fraction must be between 0 and 1, got {validation!r}")
    X_train, y_train, X_val, y_val = train_test_split(
        X, y, test_fraction=fraction, seed=seed, stratify=task == "classification"
    )
    return X_train, y_train, (X_val, y_val)


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
    resolution: int = 50,
    validation: float | tuple[Any, Any] | None = None,
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
        resolution: grid points per axis of the decision-boundary picture (the model runs on
            resolution² points after each epoch; the page smooths the picture).
        validation: None; a fraction such as 0.2 of (X, y) held out (stratified by class, with
            ``seed``), as in ``fit``; or a pair (X_val, y_val). Its loss (and accuracy) is drawn
            beside the training curves.

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
    X, y, validation = _split_validation(X, y, validation, task, seed)
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
        validation,
    )
