"""Argument checks shared by the modules: each returns the value or raises naming the argument."""

from __future__ import annotations

import math
import numbers


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


def flag(name: str, value: object) -> bool:
    """``value`` as a bool: True or False (numpy bools too); anything else is a TypeError.

    ``bool("False")`` is True, so a string or a number is refused rather than converted.
    """
    if value is True or value is False:
        return value
    import numpy as np  # here: the module's other checks need no numpy

    if not isinstance(value, np.bool_):
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
