"""The building blocks of the self-checking exercises: compare an answer, explain a mistake.

Every ``check_*`` function in :mod:`backprop_nb.exercises` returns a :class:`Feedback`, which
shows as a short coloured box in a notebook and as plain text elsewhere, and is truthy when the
answer is right, so a notebook (or a test) can also ``assert check_...(...)``.

An exercise checker compares the student's answer with the expected one and, when they differ,
looks for the usual mistakes (a flipped sign, a missing factor, a transposed shape) to say
something more useful than "wrong": :func:`diagnose_number` and :func:`compare_array` do that.

Typed numbers follow one rule, :data:`TOLERANCE_RULE`: an answer is right when it agrees with the
truth to 3 significant figures (:func:`agrees`), and every rejection says so.

>>> agrees(2.04, 2.0399), agrees(0.88, 0.8808), agrees(7.89e-31, 0.25**50)
(True, False, True)
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: right or not, what to say, and a hint when it is wrong."""

    correct: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        mark = "✔ Correct" if self.correct else "✘ Not yet"
        text = f"{mark}: {self.message}"
        return f"{text}\n  Hint: {self.hint}" if self.hint and not self.correct else text

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.correct else "#D55E00"  # Okabe–Ito green / vermillion
        mark = "✔ Correct" if self.correct else "✘ Not yet"
        hint = f"<br><i>Hint:</i> {html.escape(self.hint)}" if self.hint and not self.correct else ""
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 8px">'
            f"<b>{mark}</b>: {html.escape(self.message)}{hint}</div>"
        )


def right(message: str) -> Feedback:
    return Feedback(True, message)


def wrong(message: str, hint: str = "") -> Feedback:
    return Feedback(False, message, hint)


def as_number(answer: Any, what: str) -> float | Feedback:
    """The answer as a float, or a Feedback explaining why it is not a number."""
    value = getattr(answer, "data", answer)  # accept a Tensor too
    try:
        number = float(np.asarray(value, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return wrong(f"{what} should be a single number, got {answer!r}.")
    if not np.isfinite(number):
        return wrong(f"{what} should be a finite number, got {number}.")
    return number


def read_only(values: Any) -> np.ndarray:
    """``values`` as a float array that cannot be changed: an exercise's input, shared by the
    notebook (which prints it) and the checker (which computes the answer from it)."""
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


def as_shape(answer: Any) -> tuple[int, ...] | None:
    """The answer as a tuple of ints (an int n counts as (n,)), or None if it is not a shape."""
    if isinstance(answer, int | np.integer) and not isinstance(answer, bool):
        return (int(answer),)
    if isinstance(answer, tuple | list) and all(
        isinstance(n, int | np.integer) and not isinstance(n, bool) for n in answer
    ):
        return tuple(int(n) for n in answer)
    return None


# ----- the one tolerance rule for typed numbers ----------------------------------------------
SIGNIFICANT_FIGURES = 3
"""How many significant figures of a typed number are checked, in every exercise."""

TOLERANCE_RULE = (
    f"Numbers are checked to {SIGNIFICANT_FIGURES} significant figures: give at least "
    f"{SIGNIFICANT_FIGURES} (2.04, 0.000788, 7.89e-31); more digits are fine."
)
"""The rule in one sentence, as each notebook's first exercise states it."""

ZERO_TOLERANCE = 1e-9
"""How far from 0 an answer may be when the truth is exactly 0 (0 has no significant figures)."""


def half_unit(truth: float, figures: int = SIGNIFICANT_FIGURES) -> float:
    """Half a unit in the last checked figure of ``truth``: 0.005 for 2.0399 at 3 figures."""
    if truth == 0:
        return ZERO_TOLERANCE
    exponent = math.floor(math.log10(abs(truth)))
    return 0.5 * 10.0 ** (exponent - figures + 1)


def agrees(answer: float, truth: float, figures: int = SIGNIFICANT_FIGURES) -> bool:
    """True when ``answer`` is ``truth`` to ``figures`` significant figures.

    That is |answer − truth| ≤ half a unit in the last checked figure of the truth, so at 3
    figures 2.04 and 2.0399 agree with 2.0399, 2.0 does not; 7.89e-31 agrees with (1/4)⁵⁰ =
    7.8886e-31, 7.9e-31 does not. A truth of exactly 0 accepts |answer| ≤ ``ZERO_TOLERANCE``.
    """
    return abs(answer - truth) <= half_unit(truth, figures) * (1 + 1e-9)  # (1e-9: float rounding)


def figures_given(number: float) -> int:
    """The significant figures of ``number`` as Python writes it: 2 for 0.88, 7.9e-31 and 1200."""
    mantissa = repr(abs(float(number))).split("e")[0].replace(".", "")
    return len(mantissa.strip("0"))


def checked_to(figures: int = SIGNIFICANT_FIGURES) -> str:
    """The note every rejected number ends with."""
    return f"(checked to {figures} significant figures)"


def _explain_miss(
    number: float, expected: float, explanations: Sequence[tuple[float, str]], figures: int
) -> str | None:
    """Why ``number`` misses ``expected``: the first known explanation whose value it agrees with
    to ``figures`` figures; else "you gave too few figures" when it is right to the figures it
    gives (without saying more of the truth); else None."""
    for value, text in explanations:
        if agrees(number, value, figures):
            return text
    given = figures_given(number)
    if 0 < given < figures and agrees(number, expected, given):
        return f"you gave {given} significant figure{'' if given == 1 else 's'}; give {figures}."
    return None


NumberMistake = tuple[Callable[[float], float], str]
"""A common mistake: how it turns the right answer into the wrong one, and what to say about it."""


def diagnose_number(
    what: str,
    answer: Any,
    expected: float,
    *,
    hint: str,
    mistakes: Sequence[NumberMistake] = (),
    rounded: Sequence[tuple[float, str]] = (),
    figures: int = SIGNIFICANT_FIGURES,
) -> Feedback:
    """Check a number to ``figures`` significant figures (see :func:`agrees`) and explain a miss.

    In order: a sign error, then ``mistakes`` (exercise-specific ones, e.g.
    ``(lambda e: e / 2, "you may have dropped the factor 2 of x²")``), then ``rounded``: values
    computed from rounded intermediates, e.g. ``(-math.log(0.13), "p to 0.13 before taking the
    log")``, named as "you rounded p to 0.13 before taking the log"; then an answer right only to
    fewer figures ("you gave 2 significant figures; give 3"). Every rejection ends with the rule.
    Pass ``figures`` other than 3 only where the exercise needs it (and say why there).
    """
    number = as_number(answer, what)
    if isinstance(number, Feedback):  # not a number at all: say so, with the exercise's hint
        return wrong(number.message, hint)
    if agrees(number, expected, figures):
        return right(f"{what} = {expected:.6g}.")
    explanations = [
        (-expected, "the sign is flipped."),
        *[(transform(expected), text) for transform, text in mistakes],
        *[(value, f"you rounded {text}. Keep every digit until the end.") for value, text in rounded],
    ]
    explanation = _explain_miss(number, expected, explanations, figures)
    verdict = ", which is not it." if explanation is None else f"; {explanation}"
    return wrong(f"{what}: you wrote {number:.6g}{verdict} {checked_to(figures)}", hint)


def _agree_entrywise(value: np.ndarray, expected: np.ndarray, figures: int) -> np.ndarray:
    """Entry by entry, does ``value`` agree with ``expected`` to ``figures`` significant figures?"""
    return np.vectorize(agrees, otypes=[bool])(value, expected, figures) if value.size else np.ones(0, bool)


def compare_array(
    what: str, answer: Any, expected: np.ndarray, *, hint: str, figures: int = SIGNIFICANT_FIGURES
) -> Feedback:
    """Check an array: shape first (with a transposition diagnosis), then every entry by :func:`agrees`."""
    value = np.asarray(getattr(answer, "data", answer), dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    rule = checked_to(figures)
    if value.shape != expected.shape:
        if value.shape == expected.shape[::-1] and _agree_entrywise(value.T, expected, figures).all():
            return wrong(
                f"{what} has shape {value.shape} but should have {expected.shape}: it is transposed.", hint
            )
        return wrong(f"{what} should have shape {expected.shape}, got {value.shape}.", hint)
    close = _agree_entrywise(value, expected, figures)
    if close.all():
        return right(f"{what} matches.")
    if _agree_entrywise(value, -expected, figures).all():
        return wrong(f"{what}: every sign is flipped. {rule}", hint)
    bad = np.argwhere(~close)
    first = tuple(int(i) for i in bad[0])
    too_few = _explain_miss(float(value[first]), float(expected[first]), [], figures)
    if too_few is not None:
        return wrong(f"{what}: at index {first} you have {value[first]:.6g}: {too_few} {rule}", hint)
    return wrong(
        f"{what}: {len(bad)} of {value.size} entries differ, the first at index {first} "
        f"(you have {value[first]:.6g}). {rule}",
        hint,
    )


# ----- placeholders: an exercise cell starts with ``answer = None`` -----------------------------
FILL_IN_TODO = "replace None with your answer and run the cell again"


def is_placeholder(answer: Any) -> bool:
    """True for the placeholders a notebook leaves in an exercise cell: None or ``...``."""
    return answer is None or answer is Ellipsis


def fill_in(what: str, todo: str = FILL_IN_TODO) -> Feedback:
    """The friendly answer to a placeholder: what to write where, not a verdict. It carries no
    hint: hints come after a wrong attempt, never before the first."""
    return wrong(f"Fill in {what}: {todo}.")


def unanswered(answer: Any, what: str, todo: str = FILL_IN_TODO) -> Feedback | None:
    """``fill_in(what)`` when ``answer`` is still the placeholder, else None (check it)."""
    return fill_in(what, todo=todo) if is_placeholder(answer) else None


Checker = Callable[[Any], Feedback]


def answer_required(what: str) -> Callable[[Checker], Checker]:
    """Decorate a one-answer checker so that the placeholder gets a "fill in" Feedback."""

    def decorate(check: Checker) -> Checker:
        @functools.wraps(check)
        def checked(answer: Any) -> Feedback:
            missing = unanswered(
                answer, "your answer", todo=f"replace None with {what}, then run the cell again"
            )
            return check(answer) if missing is None else missing  # (a Feedback is falsy when wrong)

        return checked

    return decorate


def all_parts(parts: Sequence[Feedback]) -> Feedback:
    """One Feedback for an answer in several parts: right when every part is, else the wrong ones."""
    missed = [part for part in parts if not part]
    if not missed:
        return right(" ".join(part.message for part in parts))
    return wrong(" ".join(part.message for part in missed), missed[0].hint)


ArrayMistake = tuple[Any, str]
"""A common mistake: the array it produces, and what to say about it."""


def diagnose_array(
    what: str,
    answer: Any,
    expected: Any,
    *,
    hint: str,
    mistakes: Sequence[ArrayMistake] = (),
    figures: int = SIGNIFICANT_FIGURES,
) -> Feedback:
    """Compare an array with ``compare_array``; if it is wrong, name the first mistake it matches."""
    try:
        value = np.asarray(getattr(answer, "data", answer), dtype=np.float64)
    except (TypeError, ValueError):
        return wrong(f"{what} should be an array of numbers, got {answer!r}.", hint)
    verdict = compare_array(what, value, expected, hint=hint, figures=figures)
    if verdict:
        return verdict
    for mistaken, explanation in mistakes:
        mistaken = np.asarray(mistaken, dtype=np.float64)
        if value.shape == mistaken.shape and _agree_entrywise(value, mistaken, figures).all():
            return wrong(f"{what}: {explanation} {checked_to(figures)}", hint)
    return verdict
