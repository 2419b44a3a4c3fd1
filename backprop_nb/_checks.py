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
