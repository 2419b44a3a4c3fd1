"""Switches that change how the engine records graphs: ``no_grad``, ``detect_anomaly``, ``scope``.

Each is a context manager. They change one shared setting and restore it on exit, even when the
block raises, so they nest the way you would expect::

    with bp.no_grad():          # nothing inside is recorded for backward
        y = w * x

    with bp.scope("layer1"):    # tensors made here remember they belong to "layer1"
        h = (W @ x + b).relu()  # (the graph picture can collapse them into one box)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from .errors import AnomalyError


class _Settings:
    """The engine's current settings; ops read them on every call, so they stay plain attributes.

    They are set on the instance (slots), not as class attributes: Python reads those faster.
    """

    __slots__ = ("detect_anomaly", "grad_enabled", "scope")

    def __init__(self) -> None:
        self.grad_enabled: bool = True
        self.detect_anomaly: bool = False
        self.scope: tuple[str, ...] = ()


settings = _Settings()


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Do not record operations for backward inside the block (like ``torch.no_grad``).

    Use it for evaluation and for parameter updates: results have ``requires_grad=False`` and
    keep no graph, which saves memory and time. Also works as a decorator.
    """
    previous = settings.grad_enabled
    settings.grad_enabled = False
    try:
        yield
    finally:
        settings.grad_enabled = previous


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Record operations again inside a ``no_grad`` block (like ``torch.enable_grad``)."""
    previous = settings.grad_enabled
    settings.grad_enabled = True
    try:
        yield
    finally:
        settings.grad_enabled = previous


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return settings.grad_enabled


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Stop at the first op whose forward or backward produces nan or inf.

    Inside the block every op checks its result and raises :class:`~backprop_nb.AnomalyError`
    naming the op and its inputs, instead of letting a nan travel silently to the loss. It costs
    one ``np.isfinite`` per op, so it is off by default (like ``torch.autograd.detect_anomaly``).
    """
    previous = settings.detect_anomaly
    settings.detect_anomaly = True
    try:
        yield
    finally:
        settings.detect_anomaly = previous


@contextlib.contextmanager
def scope(name: str) -> Iterator[None]:
    """Label every tensor computed inside the block with ``name`` (nested scopes join with '/').

    The graph picture uses the label to draw the block's ops as one cluster, or to collapse them
    into a single box; ``nn`` modules open a scope named after themselves.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"scope name must be a non-empty string, got {name!r}")
    previous = settings.scope
    settings.scope = (*previous, name)
    try:
        yield
    finally:
        settings.scope = previous


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
