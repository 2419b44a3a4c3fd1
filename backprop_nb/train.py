"""The training loop of the lectures: mini-batch stochastic gradient descent, as ``bp.fit``.

One epoch is one pass over the training set in a fresh random order; each mini-batch is one
step of the lectures' loop::

    for rows in batches:                      # sample a mini-batch
        loss = loss_fn(model(X[rows]), y[rows])   # forward pass and loss
        optimizer.zero_grad()                 # forget the previous step's gradients
        loss.backward()                       # backward pass: fill p.grad
        optimizer.step()                      # update: p ← p − lr·p.grad (for plain SGD)

After each epoch the whole training set (and the validation set, if any) is evaluated in
evaluation mode (``model.eval()``, no graph recorded), so the train and validation curves are
measured the same way, at the same parameters. ``fit`` returns a :class:`History` of the losses
and accuracies; ``History.plot()`` draws them. ``fit(..., history=h)`` continues the run ``h``
(the training dashboard trains one epoch per call this way), and :func:`evaluate` measures a
model on any data set the way ``fit`` measures each epoch.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
from tqdm.auto import tqdm

from . import _checks
from ._memory import keep_freed_memory
from .data import check_dataset, train_test_split
from .errors import ShapeError
from .modes import no_grad
from .optim import Optimizer
from .tensor import Tensor

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "DivergenceWarning",
    "Evaluation",
    "History",
    "default_threshold",
    "evaluate",
    "fit",
    "infer_task",
    "predict",
    "predicted_classes",
]

Task = Literal["classification", "regression"]
LossFunction = Callable[[Tensor, Any], Tensor]


class DivergenceWarning(UserWarning):
    """Training (or an optimiser path) stopped because a value became nan or inf."""


@dataclass(repr=False)
class History:
    """What happened during :func:`fit`: losses and accuracies, and why training stopped.

    ``fit(..., history=h)`` continues the run ``h``: its lists grow and epochs and steps are
    counted over all the calls.

    Attributes:
        step_loss: the mini-batch loss of every step, in training mode (noisy: each batch is
            different).
        train_loss, val_loss: the loss over the whole training / validation set after each
            epoch, in evaluation mode. ``val_loss`` is None without validation data. If the
            loss diverged, the last loss recorded (of a step or an epoch) is the nan or inf.
        train_accuracy, val_accuracy: the fraction of examples classified correctly after each
            epoch; None for regression (and ``val_accuracy`` without validation data).
        steps_per_epoch: mini-batches per epoch, ceil(N / batch_size).
        stopped_epoch: the epoch (counted from 1) in which training ended.
        stop_reason: ``"completed"`` (all epochs ran), ``"early_stopping"`` (the validation loss
            stopped improving) or ``"diverged"`` (the loss, or a gradient, became nan or inf).
        best_epoch: the epoch with the lowest validation loss (None without validation data).
        restored_epoch: with early stopping, the epoch whose parameters were put back.
        message: the reason for stopping, in words.
    """

    step_loss: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] | None = None
    train_accuracy: list[float] | None = None
    val_accuracy: list[float] | None = None
    steps_per_epoch: int = 0
    stopped_epoch: int = 0
    stop_reason: Literal["completed", "early_stopping", "diverged"] = "completed"
    best_epoch: int | None = None
    restored_epoch: int | None = None
    message: str = ""

    @property
    def epochs(self) -> int:
        """The number of epochs completed (and evaluated)."""
        return len(self.train_loss)

    def plot(self, ax: Axes | None = None, log_scale: bool = False, metric: str = "loss") -> Axes:
        """Draw the learning curves; see :func:`backprop_nb.viz.curves.plot_history`."""
        from .viz.curves import plot_history  # here, so that importing training loads no matplotlib

        return plot_history(self, ax=ax, log_scale=log_scale, metric=metric)

    def __repr__(self) -> str:
        parts = [f"epochs={self.epochs}", f"stop_reason={self.stop_reason!r}"]
        for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
            values = getattr(self, name)
            if values:
                parts.append(f"{name}={values[-1]:.4g}")
        if self.restored_epoch is not None:
            parts.append(f"restored_epoch={self.restored_epoch}")
        return f"History({', '.join(parts)})"


# ----- predictions ------------------------------------------------------------------------
@contextlib.contextmanager
def _evaluation(model: Any) -> Iterator[None]:
    """Evaluation mode (if the model has one) and no graph, restoring the model's mode after."""
    previous = getattr(model, "training", None)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with no_grad():
            yield
    finally:
        if previous is not None and hasattr(model, "train"):
            model.train(previous)


def _forward(model: Callable[[Tensor], Any], X: np.ndarray) -> Tensor:
    out = model(Tensor(X))
    if not isinstance(out, Tensor):
        raise TypeError(f"the model must return a Tensor, it returned {type(out).__name__}")
    if out.ndim not in (1, 2) or out.shape[0] != len(X):
        raise ShapeError(
            f"the model must return one row per example, shape ({len(X)}, outputs) or ({len(X)},), "
            f"for an input of shape {X.shape}; it returned shape {out.shape}"
        )
    return out


def predict(model: Callable[[Tensor], Any], X: Any) -> np.ndarray:
    """The model's outputs for the rows of ``X``, as a numpy array, in evaluation mode (no graph)."""
    _check_model(model)
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"X must be an array of numbers: {err}") from err
    with _evaluation(model):
        return _forward(model, X).data


def predicted_classes(outputs: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """The class each row of outputs predicts.

    With several outputs per example (N, C): the index of the largest (argmax of the logits or
    probabilities). With one output per example, (N, 1) or (N,): class 1 where the output is
    greater than ``threshold``, else 0 (0.5 for a probability, 0 for a logit).
    """
    outputs = np.asarray(outputs)
    if outputs.ndim not in (1, 2):
        raise ShapeError(f"outputs must have one row per example, (N, C) or (N,), got shape {outputs.shape}")
    threshold = _checks.number("threshold", threshold)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    return (outputs.reshape(len(outputs)) > threshold).astype(np.intp)


# ----- checking what fit is given ---------------------------------------------------------
_LOSSES_BY_NAME = {
    "cross_entropy": "cross_entropy",
    "mse": "mse_loss",
    "binary_cross_entropy": "binary_cross_entropy",
    "binary_cross_entropy_with_logits": "binary_cross_entropy_with_logits",
    "multiclass_hinge": "multiclass_hinge",
}
"""The names ``fit(loss=...)`` accepts, and the ``bp.nn`` loss each one means."""


def _resolve_loss(loss: LossFunction | str) -> LossFunction:
    if isinstance(loss, str):
        if loss not in _LOSSES_BY_NAME:
            raise ValueError(f"loss must be a function or one of {sorted(_LOSSES_BY_NAME)}, got {loss!r}")
        from .nn import losses

        return getattr(losses, _LOSSES_BY_NAME[loss])
    if not callable(loss):
        raise TypeError(f"loss must be a function (pred, target) -> scalar Tensor, got {type(loss).__name__}")
    return loss


def _loss_name(loss: LossFunction | str) -> str:
    """The name of a loss given by name or as a function (checked: one of the two)."""
    _resolve_loss(loss)
    return loss if isinstance(loss, str) else getattr(loss, "__name__", "")


def infer_task(y: Any, loss: LossFunction | str) -> Task:
    """``"classification"`` or ``"regression"``, as ``fit`` decides when it is not told.

    From the loss's name if it tells (cross-entropy or hinge: classification; mse: regression),
    else from y's dtype: integers (as ``bp.data`` gives) mean class labels.
    """
    name = _loss_name(loss)
    if "cross_entropy" in name or "hinge" in name:
        return "classification"
    if "mse" in name:
        return "regression"
    return "classification" if np.asarray(y).dtype.kind in "biu" else "regression"


def default_threshold(loss: LossFunction | str) -> float:
    """Where a single-output classifier's output switches to class 1, unless you say otherwise.

    0 when the loss's name ends with ``_with_logits`` (the outputs are logits), else 0.5 (the
    outputs are probabilities).
    """
    return 0.0 if _loss_name(loss).endswith("_with_logits") else 0.5


def _check_model(model: Any) -> None:
    _checks.function("model", model, "a bp.nn module or any function from a Tensor of inputs to outputs")


def _threshold(threshold: float | None, loss: LossFunction | str) -> float:
    """The threshold given (a number), or the loss's :func:`default_threshold`."""
    return default_threshold(loss) if threshold is None else _checks.number("threshold", threshold)


def _task(task: Task | None, y: Any, loss: LossFunction | str) -> Task:
    """The task given (checked), or the one :func:`infer_task` finds."""
    task = task or infer_task(y, loss)
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    return task


def _count(name: str, value: Any, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(
            f"{name} must be a positive integer{' or None' if allow_none else ''}, got {value!r}"
        )
    return int(value)


def _split(
    X: np.ndarray, y: np.ndarray, validation: Any, task: Task, seed: int | None
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """The training rows and the validation set: given, split off (a fraction), or none."""
    if validation is None:
        return X, y, None
    if isinstance(validation, numbers.Real) and not isinstance(validation, bool):
        if not 0 < validation < 1:
            raise ValueError(f"a validation fraction must be between 0 and 1, got {validation}")
        X_train, y_train, X_val, y_val = train_test_split(
            X, y, test_fraction=float(validation), seed=seed, stratify=task == "classification"
        )
        return X_train, y_train, (X_val, y_val)
    if isinstance(validation, tuple) and len(validation) == 2:
        X_val, y_val = check_dataset(*validation, task=task)
        if X_val.shape[1] != X.shape[1]:
            raise ShapeError(f"validation X has {X_val.shape[1]} columns but X has {X.shape[1]}")
        return X, y, (X_val, y_val)
    raise TypeError(
        f"validation must be None, a fraction such as 0.2, or a pair (X_val, y_val); got {validation!r}"
    )


_CLASS_SCORE_LOSSES = ("cross_entropy", "multiclass_hinge")
"""Losses that compare one score per class with an int label, so they need two outputs or more."""


def _targets(y: np.ndarray, out: Tensor, task: Task, loss: LossFunction | str) -> np.ndarray:
    """y in the form the loss compares with outputs shaped like ``out`` (one example's row).

    Several outputs per example (classification): int labels (N,), each below the number of
    outputs. One output per example: float targets shaped like the outputs, (N, 1) or (N,), so
    a loss never broadcasts (N, 1) against (N,) into an (N, N) matrix; for classification the
    labels must then be 0 or 1, and the loss one for a single output (not ``cross_entropy``).
    """
    width = out.shape[1] if out.ndim == 2 else 1
    name = _loss_name(loss)
    if width == 1 and name in _CLASS_SCORE_LOSSES:
        classes = max(2, int(y.max()) + 1)
        raise ShapeError(
            f"the model gives one output per example, but {name} needs one score per class (with a "
            f"single score its loss is 0 whatever the model does): give the model's last layer {classes} "
            "outputs, one per class, or for two classes keep one output and use "
            "'binary_cross_entropy_with_logits'"
        )
    if task == "regression":
        if width != 1:
            raise ShapeError(
                f"the model gives {width} outputs per example but y holds one regression target per example"
            )
    elif width == 1:
        bad = np.flatnonzero(y > 1)
        if len(bad):
            raise ValueError(
                f"label {y[bad[0]]} at index {bad[0]}: a model with a single output separates two classes, "
                "labelled 0 and 1 (for more classes give it one output per class)"
            )
    else:
        bad = np.flatnonzero(y >= width)
        if len(bad):
            raise ValueError(
                f"label {y[bad[0]]} at index {bad[0]}, but the model gives {width} outputs (one score per "
                f"class), so labels must be 0 to {width - 1}"
            )
        return y
    return y.astype(np.float64).reshape((len(y), *out.shape[1:]))


def _scalar_loss(loss_fn: LossFunction, out: Tensor, targets: np.ndarray) -> Tensor:
    loss = loss_fn(out, targets)
    if not isinstance(loss, Tensor) or loss.size != 1:
        shape = loss.shape if isinstance(loss, Tensor) else type(loss).__name__
        raise TypeError(
            f"the loss must return a one-element Tensor (e.g. a .mean() over the batch), got {shape}"
        )
    return loss


def _check_optimizer(model: Any, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a bp.optim optimizer, got {type(optimizer).__name__}")
    if hasattr(model, "parameters"):
        model_params = list(model.parameters())
        held = {id(p) for p in optimizer.params}
        if model_params and not any(id(p) in held for p in model_params):
            raise ValueError(
                "the optimizer holds none of the model's parameters, so training would change nothing: "
                "create it from this model, e.g. bp.optim.SGD(model.parameters(), lr=0.1)"
            )


# ----- the loop ---------------------------------------------------------------------------
@dataclass
class _Split:
    """One data set ready for the loop: inputs, targets shaped for the loss, and int labels."""

    X: np.ndarray
    targets: np.ndarray
    labels: np.ndarray | None


def _evaluate(
    model: Any, loss_fn: LossFunction, data: _Split, threshold: float
) -> tuple[float, float | None]:
    """Loss and accuracy (None for regression) over a whole set, in evaluation mode."""
    with _evaluation(model):
        out = _forward(model, data.X)
        loss = _scalar_loss(loss_fn, out, data.targets).item()
    if data.labels is None:
        return loss, None
    return loss, float(np.mean(predicted_classes(out.data, threshold) == data.labels))


class Evaluation(NamedTuple):
    """What :func:`evaluate` returns: the loss, and the accuracy (None for regression)."""

    loss: float
    accuracy: float | None


def evaluate(
    model: Callable[[Tensor], Tensor],
    X: Any,
    y: Any,
    loss: LossFunction | str,
    task: Task | None = None,
    threshold: float | None = None,
) -> Evaluation:
    """The loss of ``model`` over the whole of (X, y), and its accuracy for classification.

    Measured as ``fit`` measures each epoch: in evaluation mode, without recording a graph,
    with the same checks, so labels that do not fit the model's outputs get the same clear
    error. Use it for a test set: ``bp.train.evaluate(model, X_test, y_test, "cross_entropy")``.
    ``loss``, ``task`` and ``threshold`` are as in :func:`fit`.
    """
    _check_model(model)
    task = _task(task, y, loss)
    X, y = check_dataset(X, y, task=task)
    threshold = _threshold(threshold, loss)
    data, _ = _prepare(model, X, y, None, task, None, loss)
    return Evaluation(*_evaluate(model, _resolve_loss(loss), data, threshold))


def _train_epoch(
    model: Any,
    loss_fn: LossFunction,
    optimizer: Optimizer,
    data: _Split,
    order: np.ndarray,
    batch_size: int,
    step_loss: list[float],
) -> str | None:
    """One pass over the data in ``order``; None, or why it stopped before a step's update."""
    if hasattr(model, "train"):
        model.train()
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        loss = _scalar_loss(loss_fn, _forward(model, data.X[rows]), data.targets[rows])
        step_loss.append(loss.item())
        if not math.isfinite(step_loss[-1]):
            return _bad_loss_message(step_loss[-1], optimizer, updated=len(step_loss) > 1)
        optimizer.zero_grad()
        loss.backward()
        for p in optimizer.params:
            if p.grad is not None and not np.isfinite(p.grad).all():
                return _bad_gradient_message(model, optimizer, p, step_loss[-1])
        optimizer.step()
    return None


def fit(
    model: Callable[[Tensor], Tensor],
    X: Any,
    y: Any,
    loss: LossFunction | str,
    optimizer: Optimizer,
    epochs: int = 10,
    batch_size: int | None = 32,
    validation: float | tuple[Any, Any] | None = None,
    early_stopping: int | None = None,
    seed: int | None = 0,
    progress: bool = True,
    task: Task | None = None,
    threshold: float | None = None,
    history: History | None = None,
) -> History:
    """Train ``model`` on (X, y) with mini-batch gradient descent; return a :class:`History`.

    Args:
        model: a callable from a Tensor of inputs (N, D) to outputs (N, C) or (N,), usually a
            ``bp.nn`` module. Its ``train()``/``eval()`` are used when it has them.
        X, y: the training set, checked by :func:`backprop_nb.data.check_dataset`: X (N, D),
            y (N,) with integer class labels or float regression targets.
        loss: a function (outputs, targets) -> one-element Tensor, such as
            ``bp.nn.cross_entropy``, or a name: ``"cross_entropy"``, ``"mse"`` (``mse_loss``),
            ``"binary_cross_entropy"``, ``"binary_cross_entropy_with_logits"`` or
            ``"multiclass_hinge"``. Targets are
            numpy arrays: int labels (N,) when the model gives several outputs per example,
            else floats shaped like the outputs.
        optimizer: a ``bp.optim`` optimizer over the model's parameters.
        epochs: passes over the training set (more passes, when continuing a ``history``).
        batch_size: examples per step (the last batch of an epoch may be smaller); None uses
            the whole training set each step (full-batch gradient descent).
        validation: None; a fraction such as 0.2 of (X, y) held out (stratified by class, with
            ``seed``); or a pair (X_val, y_val).
        early_stopping: a patience: stop when the validation loss has not improved for this
            many epochs. The parameters of the best epoch are then restored into the
            optimizer's parameters (also when training ends otherwise). Needs validation data.
        seed: seeds the shuffling (and the validation split), so two runs from the same initial
            parameters give the same result: epoch k of a run is shuffled by the k-th
            permutation that ``np.random.default_rng(seed)`` draws.
        progress: show a progress bar (tqdm) with the latest losses.
        task: ``"classification"`` (accuracy is reported) or ``"regression"``. By default it
            follows the loss's name (cross-entropy or hinge: classification; mse: regression),
            else y's dtype: integers (as ``bp.data`` gives) mean class labels.
        threshold: for a single-output classifier, class 1 is predicted where the output is
            greater than this; by default 0 when the loss's name ends with ``_with_logits``
            (outputs are logits), else 0.5 (outputs are probabilities): :func:`default_threshold`.
        history: continue this run: a History that ``fit`` returned (or an empty ``History()``,
            which starts the run). Its lists grow in place and it is returned; epochs and steps
            are counted over the whole run, and epoch k is still shuffled by the k-th
            permutation of the seed, so ``fit(..., epochs=3)`` and three calls of
            ``fit(..., epochs=1, history=h)`` (the same optimizer, data, validation, seed and
            batch size) give the same parameters and the same History. A run that diverged or
            stopped early cannot be continued, and ``early_stopping`` works within one call only.

    If the loss becomes nan or inf, or a gradient does while the loss is still finite, training
    stops before that step's update, the History says so (``stop_reason="diverged"``) and a
    :class:`DivergenceWarning` gives the cause: updates that overshoot (try a smaller learning
    rate), a model that gives nan before any update, or the op whose backward divided by zero.
    The parameters are left as they were before that step; they are nan or inf only if an
    earlier update overflowed, and then the message says so. numpy's own overflow warnings are
    silenced inside ``fit`` meanwhile.

    On Linux, glibc keeps the memory that training steps free for the next step while ``fit``
    runs, and hands it back after (see ``backprop_nb/_memory.py``).
    """
    _check_model(model)
    task = _task(task, y, loss)
    X, y = check_dataset(X, y, task=task)
    loss_fn = _resolve_loss(loss)
    _check_optimizer(model, optimizer)
    epochs = _count("epochs", epochs)
    patience = _count("early_stopping", early_stopping, allow_none=True)
    seed = None if seed is None else _checks.integer("seed", seed, 0)
    progress = _checks.boolean("progress", progress)
    threshold = _threshold(threshold, loss)
    train, valid = _prepare(model, X, y, validation, task, seed, loss)
    if patience is not None and valid is None:
        raise ValueError("early_stopping watches the validation loss: give validation=0.2 or (X_val, y_val)")
    batch_size = _count("batch_size", batch_size, allow_none=True) or len(train.X)
    steps_per_epoch = math.ceil(len(train.X) / batch_size)
    history = _run_history(history, task, valid is not None, steps_per_epoch, patience is not None)
    first = history.epochs + 1
    best = _BestEpoch(optimizer.params, keep_parameters=patience is not None)
    if history.val_loss:
        best.update(1 + int(np.argmin(history.val_loss)), min(history.val_loss))
    rng = _shuffling(seed, len(train.X), epochs_before=first - 1)
    bar = tqdm(range(first, first + epochs), desc="training", unit="epoch", disable=not progress)
    was_training = getattr(model, "training", None)
    try:
        with keep_freed_memory(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in bar:
                history.stopped_epoch = epoch
                order = rng.permutation(len(train.X))
                problem = _train_epoch(model, loss_fn, optimizer, train, order, batch_size, history.step_loss)
                if problem is not None:
                    _stop(history, f"step {len(history.step_loss)} (epoch {epoch})", problem)
                    break
                bad_loss = _record_epoch(history, model, loss_fn, train, valid, threshold)
                if bad_loss is not None:
                    _stop(
                        history, f"the evaluation after epoch {epoch}", _bad_loss_message(bad_loss, optimizer)
                    )
                    break
                bar.set_postfix(_postfix(history), refresh=False)
                if valid is not None:
                    history.best_epoch = best.update(epoch, history.val_loss[-1])
                if patience is not None and epoch - history.best_epoch >= patience:
                    history.stop_reason = "early_stopping"
                    history.message = (
                        f"early stopping at epoch {epoch}: the validation loss has not improved for "
                        f"{patience} epochs since epoch {history.best_epoch}"
                    )
                    break
    finally:
        bar.close()
        if was_training is not None and hasattr(model, "train"):
            model.train(was_training)
    if history.stop_reason == "completed":
        history.message = f"completed {history.epochs} epochs"
    if best.restore():
        history.restored_epoch = best.epoch
        history.message += f"; restored the parameters of epoch {best.epoch} (lowest validation loss)"
    if history.stop_reason == "diverged":
        warnings.warn(history.message, DivergenceWarning, stacklevel=2)
    return history


def _run_history(
    history: History | None, task: Task, validation: bool, steps_per_epoch: int, early_stopping: bool
) -> History:
    """The History this call of fit writes into: a new one, or ``history`` checked to fit this call."""
    new = History(
        val_loss=[] if validation else None,
        train_accuracy=[] if task == "classification" else None,
        val_accuracy=[] if task == "classification" and validation else None,
        steps_per_epoch=steps_per_epoch,
    )
    if history is None:
        return new
    if not isinstance(history, History):
        raise TypeError(f"history must be a History that fit returned, got {type(history).__name__}")
    if not history.step_loss and not history.train_loss:  # nothing trained yet: the run starts here
        for name in ("val_loss", "train_accuracy", "val_accuracy", "steps_per_epoch"):
            setattr(history, name, getattr(new, name))
        return history
    if history.stop_reason != "completed" or history.stopped_epoch != history.epochs:
        raise ValueError(
            f"history: this run has ended ({history.message or 'in an error'}); only a run whose epochs "
            "all completed can be continued. Start a new run from fresh parameters"
        )
    if early_stopping:
        raise ValueError(
            "early_stopping cannot continue a run (it could not restore parameters of earlier calls): "
            "train with early stopping in one call"
        )
    mismatches = [
        f"{what} {had} before, {now} now"
        for what, had, now in (
            ("task", _task_of(history), task),
            ("validation data", _yes(history.val_loss is not None), _yes(validation)),
            ("steps per epoch", history.steps_per_epoch, steps_per_epoch),
        )
        if had != now
    ]
    if mismatches:
        raise ValueError(
            f"history: cannot continue this run with other settings ({'; '.join(mismatches)}); "
            "give the same data, validation and batch_size"
        )
    return history


def _task_of(history: History) -> Task:
    return "regression" if history.train_accuracy is None else "classification"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _shuffling(seed: int | None, rows: int, epochs_before: int) -> np.random.Generator:
    """The generator whose next permutation shuffles epoch ``epochs_before + 1`` of a run.

    Epoch k of a run is shuffled by the k-th permutation ``default_rng(seed)`` draws; a
    continued run draws the earlier ones again and drops them (microseconds each), so it needs
    no state beyond its History.
    """
    rng = np.random.default_rng(seed)
    for _ in range(epochs_before):
        rng.permutation(rows)
    return rng


def _prepare(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    validation: Any,
    task: Task,
    seed: int | None,
    loss: LossFunction | str,
) -> tuple[_Split, _Split | None]:
    """The training and validation sets, with targets shaped for the model's outputs."""
    X_train, y_train, val = _split(X, y, validation, task, seed)
    with _evaluation(model):
        example = _forward(model, X_train[:1])

    def prepare(X: np.ndarray, y: np.ndarray) -> _Split:
        return _Split(X, _targets(y, example, task, loss), y if task == "classification" else None)

    return prepare(X_train, y_train), (prepare(*val) if val is not None else None)


class _BestEpoch:
    """The epoch with the lowest validation loss so far and, for early stopping, its parameters."""

    def __init__(self, params: list[Tensor], keep_parameters: bool) -> None:
        self.params = params
        self.keep_parameters = keep_parameters
        self.epoch: int | None = None
        self.loss = math.inf
        self.values: list[np.ndarray] | None = None

    def update(self, epoch: int, val_loss: float) -> int:
        """Note this epoch's validation loss; return the best epoch."""
        if val_loss < self.loss:
            self.epoch, self.loss = epoch, val_loss
            if self.keep_parameters:
                self.values = [p.data.copy() for p in self.params]
        return self.epoch

    def restore(self) -> bool:
        """Copy the best epoch's values back into the parameters (in place); False if none kept."""
        if self.values is None:
            return False
        for p, values in zip(self.params, self.values, strict=True):
            p.data[...] = values
        return True


def _record_epoch(
    history: History, model: Any, loss_fn: LossFunction, train: _Split, valid: _Split | None, threshold: float
) -> float | None:
    """Evaluate the training and validation sets into the history; return a non-finite loss if any."""
    bad = None
    for data, losses, accuracies in (
        (train, history.train_loss, history.train_accuracy),
        (valid, history.val_loss, history.val_accuracy),
    ):
        if data is None:
            continue
        loss, accuracy = _evaluate(model, loss_fn, data, threshold)
        losses.append(loss)
        if accuracies is not None:
            accuracies.append(accuracy)
        if not math.isfinite(loss):
            bad = loss
    return bad


def _stop(history: History, where: str, problem: str) -> None:
    history.stop_reason = "diverged"
    history.message = f"training stopped at {where}: {problem}"


def _bad_loss_message(loss: float, optimizer: Optimizer, updated: bool = True) -> str:
    """Why a loss became nan or inf (``updated``: after some update of this run), and what the parameters hold."""
    if not updated:
        return (
            f"the loss is {loss} at the starting parameters, before any update: the model or the loss "
            "computes nan or inf on this batch; run it inside `with bp.detect_anomaly():` to find the op"
        )
    lr = getattr(optimizer, "lr", None)
    message = f"the loss became {loss}. The updates overshoot: try a smaller learning rate" + (
        f" than lr={lr:g}" if lr is not None else ""
    )
    if not all(np.isfinite(p.data).all() for p in optimizer.params):
        message += (
            ". The last update left nan or inf in the parameters: draw or load new ones before training again"
        )
    return message


def _bad_gradient_message(model: Any, optimizer: Optimizer, parameter: Tensor, loss: float) -> str:
    """A gradient became nan or inf while the loss was finite: name the parameter and the cause."""
    names = (
        {id(p): name for name, p in model.named_parameters()} if hasattr(model, "named_parameters") else {}
    )
    name = names.get(id(parameter)) or parameter.name
    position = next(i for i, p in enumerate(optimizer.params) if p is parameter)  # not .index: no ==
    label = repr(name) if name else f"parameter {position}"
    values = "nan" if np.isnan(parameter.grad).any() else "inf"
    return (
        f"the loss was finite ({loss:.4g}) but the gradient of {label} contains {values}, so "
        "this step's update was not applied and the parameters are those from before it. An op's backward "
        "divided by zero or overflowed (e.g. sqrt or log at 0, or a division by 0); run a step inside "
        "`with bp.detect_anomaly():` to find it"
    )


def _postfix(history: History) -> dict[str, float]:
    shown = {"loss": history.train_loss[-1]}
    if history.val_loss:
        shown["val_loss"] = history.val_loss[-1]
    if history.train_accuracy:
        shown["acc"] = history.train_accuracy[-1]
    return shown
