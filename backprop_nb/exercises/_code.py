"""Grading a function the student writes: run it on fresh random inputs, compare, explain.

:func:`check_function` calls the student's function on inputs the CHECKER makes (seeded, new ones
every trial, of several shapes) and compares what it returns with the checker's own reference
computation. When they differ it says why, in this order: the function is missing or still the
stub; it raised; it returned the wrong type or shape (a transposed shape is named); it changed
an input in place; its values differ (compared at relative tolerance 1e-6). On a value mismatch
it runs each known :class:`Mistake` on the same inputs, and names the first one that reproduces
the student's output.

A complete exercise, "write ``relu_backward(dout, x)``, the gradient of ReLU":

>>> import numpy as np
>>> from backprop_nb.exercises import Mistake, check_function
>>> def make_inputs(rng):
...     shape = tuple(rng.integers(2, 6, size=2))
...     return {"dout": rng.normal(size=shape), "x": rng.normal(size=shape)}
>>> def reference(dout, x):
...     return dout * (x > 0)
>>> def check_relu_backward(relu_backward):
...     return check_function(
...         "relu_backward(dout, x)",
...         relu_backward,
...         reference,
...         make_inputs,
...         mistakes=[
...             Mistake(lambda dout, x: (x > 0) * 1.0, "you dropped the upstream gradient dout."),
...             Mistake(lambda dout, x: dout * (x >= 0), "you let the gradient through where x = 0."),
...         ],
...         hint="ReLU passes dout where x > 0 and blocks it elsewhere: dout * (x > 0).",
...     )
>>> def relu_backward(dout, x):
...     pass  # the stub a student starts from
>>> print(check_relu_backward(relu_backward))
✘ Not yet: Fill in relu_backward(dout, x): write its body (it returns None) and run the cell again.
>>> def relu_backward(dout, x):
...     return (x > 0) * 1.0
>>> print(check_relu_backward(relu_backward))
✘ Not yet: relu_backward(dout, x): on inputs dout (5, 4), x (5, 4): you dropped the upstream gradient dout.
  Hint: ReLU passes dout where x > 0 and blocks it elsewhere: dout * (x > 0).
>>> def relu_backward(dout, x):
...     return np.where(x > 0, dout, 0.0)
>>> print(check_relu_backward(relu_backward))
✔ Correct: relu_backward(dout, x) agrees with the reference on 4 random inputs (dout (5, 4), x (5, 4); dout (3, 3), x (3, 3); dout (4, 3), x (4, 3); dout (5, 5), x (5, 5)) to relative tolerance 1e-06.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ._feedback import Feedback, fill_in, is_placeholder, right, wrong

CODE_RTOL = 1e-6
"""Relative tolerance of code exercises: a correct function differs only by float rounding."""

CODE_ATOL = 1e-9
"""Absolute tolerance next to CODE_RTOL, for entries that should be 0."""


class Mistake(NamedTuple):
    """A typical wrong implementation and what to say when the student's output matches it.

    ``wrong`` is called like the reference (with the inputs as keyword arguments).
    """

    wrong: Callable[..., Any]
    explanation: str


def upstream_ignored(reference: Callable[..., Any], upstream: str = "dout") -> Mistake:
    """The mistake of ignoring the upstream gradient: the reference with ``upstream`` all ones.

    A backward function must multiply its local derivative by the gradient that arrives from
    above; one that forgets returns what the reference returns when that gradient is 1 everywhere.
    """

    def with_ones(**inputs: Any) -> Any:
        return reference(**{**inputs, upstream: np.ones_like(inputs[upstream])})

    return Mistake(
        with_ones, f"you forgot the upstream gradient {upstream}: multiply the local derivative by it."
    )


InputMaker = Callable[[np.random.Generator], Mapping[str, Any]]


def check_function(
    what: str,
    student: Any,
    reference: Callable[..., Any],
    make_inputs: InputMaker,
    *,
    outputs: Sequence[str] | None = None,
    mistakes: Sequence[Mistake] = (),
    hint: str,
    trials: int = 4,
    seed: int = 0,
) -> Feedback:
    """Grade the student's function ``student`` against ``reference`` on ``trials`` random inputs.

    ``make_inputs(rng)`` returns the arguments as a dict in the order of the function's
    parameters; it is called once per trial with one seeded generator, so every trial gets new
    inputs (vary their shapes) and a run is reproducible. The student's function is called with
    them positionally (a student may rename parameters), ``reference`` and each mistake with
    keywords. ``outputs`` names the parts when the function returns a tuple, e.g.
    ``("dx", "dW", "db")``.
    """
    if is_placeholder(student) or not callable(student):
        got = "" if is_placeholder(student) else f" (got {student!r}, which is not a function)"
        return fill_in(f"{what}{got}", todo="define the function, then run the cell again")
    rng = np.random.default_rng(seed)
    shapes_seen = []  # (each distinct one is listed once in the verdict)
    for _ in range(trials):
        inputs = dict(make_inputs(rng))
        shapes = _describe_shapes(inputs)
        shapes_seen.append(shapes)
        expected = _parts(reference(**_copies(inputs)), outputs)
        given = _copies(inputs)
        try:
            result = student(*given.values())
        except Exception as error:  # the student's code may raise anything: report it
            return wrong(f"{what} raised {type(error).__name__}: {error} (on inputs {shapes}).", hint)
        if result is None:
            return fill_in(what, todo="write its body (it returns None) and run the cell again")
        problem = _shape_problem(result, expected, outputs)
        if problem is not None:
            explanation = _matching_mistake(result, inputs, mistakes, outputs)
            because = "" if explanation is None else f" {explanation}"
            return wrong(f"{what}: {problem} (on inputs {shapes}).{because}", hint)
        changed = _changed(inputs, given)
        if changed:
            return wrong(
                f"{what} changed its input {', '.join(changed)} in place; work on a copy "
                "(x.copy(), np.where, or a new array): the caller still needs the original.",
                hint,
            )
        got = _parts(result, outputs)
        differing = _first_difference(got, expected, outputs)
        if differing is not None:
            explanation = _matching_mistake(result, inputs, mistakes, outputs)
            if explanation is not None:
                return wrong(f"{what}: on inputs {shapes}: {explanation}", hint)
            return wrong(f"{what}: on inputs {shapes}, {differing}", hint)
    return right(
        f"{what} agrees with the reference on {trials} random inputs ({'; '.join(dict.fromkeys(shapes_seen))}) "
        f"to relative tolerance {CODE_RTOL:g}."
    )


def _copies(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Fresh copies of the inputs, so that no function can change what another one sees."""
    return {name: copy.deepcopy(value) for name, value in inputs.items()}


def _describe_shapes(inputs: Mapping[str, Any]) -> str:
    """The inputs in words: arrays by their shape, anything else (a learning rate) by its value."""
    return ", ".join(
        f"{name} {value.shape}" if isinstance(value, np.ndarray) else f"{name} = {value!r}"
        for name, value in inputs.items()
    )


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The names of the array inputs whose values differ between ``before`` and ``after``."""
    return [
        name
        for name, value in before.items()
        if isinstance(value, np.ndarray) and not np.array_equal(value, after[name], equal_nan=True)
    ]


def _parts(result: Any, outputs: Sequence[str] | None) -> list[np.ndarray]:
    """A function's result as a list of float arrays (one per named output)."""
    values = list(result) if outputs is not None else [result]
    return [np.asarray(getattr(value, "data", value), dtype=np.float64) for value in values]


def _shape_problem(result: Any, expected: list[np.ndarray], outputs: Sequence[str] | None) -> str | None:
    """What is wrong with the type or shape of ``result``, or None."""
    if outputs is not None:
        names = ", ".join(outputs)
        if not isinstance(result, tuple | list) or len(result) != len(outputs):
            count = f"{len(result)} values" if isinstance(result, tuple | list) else type(result).__name__
            return f"it should return a tuple of {len(outputs)} arrays ({names}), got {count}"
    labels = list(outputs) if outputs is not None else ["the result"]
    values = list(result) if outputs is not None else [result]
    for label, value, truth in zip(labels, values, expected, strict=True):
        try:
            array = np.asarray(getattr(value, "data", value), dtype=np.float64)
        except (TypeError, ValueError):
            return f"{label} should be an array of numbers, got {type(value).__name__}"
        if array.shape == truth.shape:
            continue
        if array.shape == truth.shape[::-1]:
            return f"{label} has shape {array.shape} but should have {truth.shape}: it is transposed"
        return f"{label} should have shape {truth.shape}, got {array.shape}"
    return None


def _first_difference(
    got: list[np.ndarray], expected: list[np.ndarray], outputs: Sequence[str] | None
) -> str | None:
    """The first entry where ``got`` and ``expected`` differ, in words, or None when all agree."""
    labels = list(outputs) if outputs is not None else ["the result"]
    for label, value, truth in zip(labels, got, expected, strict=True):
        close = np.isclose(value, truth, rtol=CODE_RTOL, atol=CODE_ATOL)
        if not close.all():
            index = tuple(int(i) for i in np.argwhere(~close)[0])
            return (
                f"{label} differs in {int((~close).sum())} of {close.size} entries; the first at index "
                f"{index}: you return {value[index]:.6g}, the reference {truth[index]:.6g} "
                f"(compared at relative tolerance {CODE_RTOL:g})."
            )
    return None


def _matching_mistake(
    result: Any, inputs: Mapping[str, Any], mistakes: Sequence[Mistake], outputs: Sequence[str] | None
) -> str | None:
    """The explanation of the first mistake whose output on ``inputs`` equals ``result``, or None."""
    if outputs is not None and not isinstance(result, tuple | list):
        return None
    try:
        got = _parts(result, outputs)
    except (TypeError, ValueError):
        return None
    for mistake in mistakes:
        try:
            mistaken = _parts(mistake.wrong(**_copies(inputs)), outputs)
        except Exception:  # a mistake that does not apply to these inputs explains nothing
            continue
        if len(mistaken) == len(got) and all(
            a.shape == b.shape and np.allclose(a, b, rtol=CODE_RTOL, atol=CODE_ATOL)
            for a, b in zip(got, mistaken, strict=True)
        ):
            return mistake.explanation
    return None
