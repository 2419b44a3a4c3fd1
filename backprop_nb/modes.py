"""Switches that change how the engine records graphs: ``no_grad``, ``detect_anomaly``, ``scope``.

Each is a context manager. It changes the current settings and restores them on exit, even
when the block raises, so they nest the way you would expect::

    with bp.no_grad():          # nothing inside is recorded for backward
        y = w * x

    with bp.scope("layer1"):    # tensors made here remember they belong to "layer1"
        h = (W @ x + b).relu()  # (the graph picture can collapse them into one box)

``no_grad``, ``enable_grad`` and ``detect_anomaly`` also decorate functions, with or without
parentheses (``@bp.no_grad`` or ``@bp.no_grad()``), as in PyTorch.

**The settings belong to one thread**, as PyTorch's grad mode does: ``no_grad()`` in one thread
does not stop recording in another, and a new thread starts with the defaults (recording on,
no anomaly detection, no scope). They are kept in a :class:`contextvars.ContextVar` rather
than a ``threading.local``: a context variable is per thread too, and also per asyncio task
(a kernel runs cells and widget callbacks as tasks on one thread, so a block left open across
an ``await`` stays in its own task), and reading it costs about as much as reading an
attribute, while a ``threading.local`` attribute costs several times more, on every op.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from .errors import AnomalyError

F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """The engine's settings in the current thread; ops read them on every call.

    Never changed in place: a switch puts a changed copy in place for its block.
    """

    grad_enabled: bool = True
    detect_anomaly: bool = False
    scope: tuple[str, ...] = ()


_settings: contextvars.ContextVar[Settings] = contextvars.ContextVar(
    "backprop_nb_settings",
    default=Settings(),  # noqa: B039 (a frozen dataclass: never changed in place)
)

current_settings: Callable[[], Settings] = _settings.get
"""The settings in force in this thread (and asyncio task): ``current_settings().grad_enabled``."""


class _Switch:
    """A context manager (and decorator) that applies ``change`` to the settings inside its block."""

    __slots__ = ("_change", "_saved")

    def __init__(self, change: Callable[[Settings], Settings]) -> None:
        self._change = change
        self._saved: list[Settings] = []  # a stack: the same switch may be entered again inside

    def __enter__(self) -> None:
        previous = _settings.get()
        self._saved.append(previous)
        _settings.set(self._change(previous))

    def __exit__(self, *exc_info: object) -> None:
        _settings.set(self._saved.pop())

    def __call__(self, func: F) -> F:
        """Decorate ``func``: it runs with the changed settings each time it is called."""

        @functools.wraps(func)
        def run_switched(*args: Any, **kwargs: Any) -> Any:
            with _Switch(self._change):
                return func(*args, **kwargs)

        return run_switched  # type: ignore[return-value]


def _switch_or_decorate(change: Callable[[Settings], Settings], func: Callable | None, name: str) -> Any:
    """``name()`` gives a switch; ``name(func)`` (``@name`` without parentheses) the decorated ``func``."""
    switch = _Switch(change)
    if func is None:
        return switch
    if not callable(func):
        raise TypeError(
            f"{name}() takes no arguments: use it as `with bp.{name}():`, `@bp.{name}()` or "
            f"`@bp.{name}`, got {func!r}"
        )
    return switch(func)


def _without_grad(settings: Settings) -> Settings:
    return dataclasses.replace(settings, grad_enabled=False)


def _with_grad(settings: Settings) -> Settings:
    return dataclasses.replace(settings, grad_enabled=True)


def _with_anomaly_detection(settings: Settings) -> Settings:
    return dataclasses.replace(settings, detect_anomaly=True)


def no_grad(func: Callable | None = None) -> Any:
    """Do not record operations for backward inside the block (like ``torch.no_grad``).

    Use it for evaluation and for parameter updates: results have ``requires_grad=False`` and
    keep no graph, which saves memory and time. In-place operators (``w -= lr * w.grad``) then
    change a tensor's values in place. Also a decorator: ``@bp.no_grad`` or ``@bp.no_grad()``.
    """
    return _switch_or_decorate(_without_grad, func, "no_grad")


def enable_grad(func: Callable | None = None) -> Any:
    """Record operations again inside a ``no_grad`` block (like ``torch.enable_grad``)."""
    return _switch_or_decorate(_with_grad, func, "enable_grad")


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward (in this thread)."""
    return _settings.get().grad_enabled


def detect_anomaly(func: Callable | None = None) -> Any:
    """Stop at the first op whose forward or backward produces nan or inf.

    Inside the block every op checks its result and raises :class:`~backprop_nb.AnomalyError`
    naming the op and its inputs, instead of letting a nan travel silently to the loss. It costs
    one ``np.isfinite`` per op, so it is off by default (like ``torch.autograd.detect_anomaly``).
    """
    return _switch_or_decorate(_with_anomaly_detection, func, "detect_anomaly")


def scope(name: str) -> _Switch:
    """Label every tensor computed inside the block with ``name`` (nested scopes join with '/').

    The graph picture uses the label to draw the block's ops as one cluster, or to collapse them
    into a single box; ``nn`` modules open a scope named after themselves.
    """
    if not isinstance(name, str):
        raise TypeError(f"scope name must be a non-empty string, got a {type(name).__name__}: {name!r}")
    if not name:
        raise ValueError("scope name must be a non-empty string, got ''")

    def enter_scope(settings: Settings) -> Settings:
        return dataclasses.replace(settings, scope=(*settings.scope, name))

    return _Switch(enter_scope)


def check_finite(values: np.ndarray, op: Any, stage: str, inputs: tuple[Any, ...]) -> None:
    """Under ``detect_anomaly()``: raise AnomalyError if ``values`` holds nan or inf."""
    if np.isfinite(values).all():
        return
    kind = "nan" if np.isnan(values).any() else "inf"
    names = ", ".join(
        f"{t.name!r} (shape {t.shape})" if t.name is not None else f"unnamed (shape {t.shape})"
        for t in inputs
    )
    raise AnomalyError(
        f"{type(op).__name__} ({op.label}) produced {kind} in its {stage} pass; inputs: {names or 'none'}"
    )
