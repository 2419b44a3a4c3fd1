"""Argument checks shared by the modules: each returns the value or raises naming the argument."""

from __future__ import annotations

import math
import numbers

import numpy as np


def integer(name: str, value: object, minimum: int) -> int:
    """``value`` as an int, or a TypeError/ValueError naming the argument and the bad value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def number(name: str, value: object) -> float:
    """``value`` as a float, or an error unless it is a finite real number (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def positive(name: str, value: object) -> float:
    """A finite number > 0."""
    value = number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def non_negative(name: str, value: object) -> float:
    """A finite number >= 0."""
    value = number(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def boolean(name: str, value: object) -> bool:
    """``value`` as a bool: True or False (numpy's too); anything else, "False" included, is refused."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def optional_text(name: str, value: object) -> str | None:
    """``value`` if it is a str or None, else a TypeError naming the argument."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, got a {type(value).__name__}: {value!r}")
    return value


def integer_in_range(name: str, value: object, minimum: int, maximum: int) -> int:
    """An int (numpy integers too) from ``minimum`` to ``maximum``; the maximum keeps a typo
    such as ``steps=10**9`` from hanging the kernel."""
    value = integer(name, value, minimum)
    if value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def interval(name: str, value: object) -> tuple[float, float]:
    """A pair ``(low, high)`` of finite numbers with low < high, e.g. a plot's ``xlim``."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high) of numbers, got {value!r}")
    low, high = number(f"{name}[0]", value[0]), number(f"{name}[1]", value[1])
    if not low < high:
        raise ValueError(f"{name} must have low < high, got {value!r}")
    return low, high


def seed(name: str, value: object) -> int | np.random.Generator | None:
    """A seed for ``np.random.default_rng``: None (fresh numbers), an int >= 0, or a Generator."""
    if value is None or isinstance(value, np.random.Generator):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be None, an integer >= 0 or a numpy Generator, got {value!r}")
    return integer(name, value, 0)


def function(name: str, value: object, example: str) -> None:
    """Raise a TypeError naming the argument unless ``value`` can be called (``example`` shows how)."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, {example}; got {type(value).__name__}")
