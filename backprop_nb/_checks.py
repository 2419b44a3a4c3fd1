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
