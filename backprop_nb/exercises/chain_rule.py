"""Exercises of notebook 01: derivatives, finite differences and the chain rule.

Each ``check_*`` takes your answer and returns a :class:`Feedback`: ✔ when it is right, else the
mistake that most likely explains it and a hint. Leave an answer as ``None`` to see what is asked.
"""

from __future__ import annotations

import math
from typing import Any

from ._feedback import Feedback, all_parts, as_number, diagnose_number, fill_in, is_placeholder, right, wrong

__all__ = [
    "check_best_steps",
    "check_central_difference",
    "check_gormley_dJdx",
    "check_softplus_derivative",
]


# ----- 1. the central difference by hand -------------------------------------------------------
CENTRAL_POINT = 2.0
CENTRAL_STEP = 0.1


def _cube(x: float) -> float:
    return x * x * x


def check_central_difference(answer: Any) -> Feedback:
    """The central difference of f(x) = x³ at x = 2 with h = 0.1, worked out by hand."""
    x, h = CENTRAL_POINT, CENTRAL_STEP
    hint = "(f(x + h) − f(x − h)) / (2h) with f(x) = x³, x = 2, h = 0.1: (2.1³ − 1.9³) / 0.2."
    if is_placeholder(answer):
        return fill_in("answer_central, the central difference of x³ at x = 2 with h = 0.1", hint)
    forward = (_cube(x + h) - _cube(x)) / h
    backward = (_cube(x) - _cube(x - h)) / h
    feedback = diagnose_number(
        "the central difference",
        answer,
        (_cube(x + h) - _cube(x - h)) / (2 * h),
        hint=hint,
        figures=4,  # the exact derivative 12 differs from 12.01 only in the 4th figure
        mistakes=[
            (
                lambda _: forward,
                "that is the forward difference (f(x + h) − f(x))/h, which steps one way only.",
            ),
            (
                lambda _: backward,
                "that is the backward difference (f(x) − f(x − h))/h, which steps one way only.",
            ),
            (lambda e: 2 * e, "you divided by h instead of 2h: the two points are 2h apart."),
            (
                lambda _: 3 * x * x,
                "that is the exact derivative 3x² = 12. Compute the difference quotient itself: "
                "with h = 0.1 it is not exactly 12.",
            ),
        ],
    )
    if feedback:
        return right(
            f"{feedback.message} The exact derivative is 3x² = 12; the difference, 0.01 = h², is the "
            "central difference's truncation error (f‴/6 · h² with f‴ = 6)."
        )
    return feedback


# ----- 2. the chain rule on a composite --------------------------------------------------------
SOFTPLUS_POINT = 2.0


def check_softplus_derivative(answer: Any) -> Feedback:
    """d/dx ln(1 + eˣ) (the softplus activation) at x = 2, by the chain rule."""
    x = SOFTPLUS_POINT
    hint = "Outer g(u) = ln u with g'(u) = 1/u, inner u = 1 + eˣ with u' = eˣ: multiply g'(u(x)) by u'(x)."
    if is_placeholder(answer):
        return fill_in("answer_softplus, the derivative of ln(1 + eˣ) at x = 2", hint)
    inner = 1.0 + math.exp(x)
    expected = math.exp(x) / inner
    feedback = diagnose_number(
        "d/dx ln(1 + eˣ) at x = 2",
        answer,
        expected,
        hint=hint,
        mistakes=[
            (
                lambda _: 1.0 / inner,
                "that is the outer derivative 1/u alone: multiply by the inner derivative eˣ.",
            ),
            (
                lambda _: math.exp(x),
                "that is the inner derivative eˣ alone: multiply by the outer derivative 1/(1 + eˣ).",
            ),
            (
                lambda e: e / math.log(10),
                "you used the base-10 logarithm; ln is the natural log (d ln u/du = 1/u).",
            ),
            (
                lambda _: 1.0 / x,
                "that is 1/x, the derivative of ln x: here the outer derivative is 1/u at u = 1 + eˣ, "
                "times the inner derivative eˣ.",
            ),
        ],
    )
    if feedback:
        return right(f"{feedback.message} It equals σ(2): the derivative of softplus is the sigmoid.")
    return feedback


# ----- 3. the best step for finite differences -------------------------------------------------
STEPS = tuple(10.0**-k for k in range(1, 13))
"""The steps of notebook 01's error table: 1e-1, 1e-2, …, 1e-12."""


def _table_function(x: float) -> float:
    """Notebook 01's running example f(x) = x³ − 2x (only × and −: the same digits on every machine)."""
    return x * x * x - 2 * x


TABLE_POINT = 1.5


def _difference_errors() -> dict[str, list[float]]:
    """|difference quotient − f'(x)| for f(x) = x³ − 2x at x = 1.5 for each step, forward and central."""
    f, x = _table_function, TABLE_POINT
    exact = 3 * x * x - 2
    return {
        "forward": [abs((f(x + h) - f(x)) / h - exact) for h in STEPS],
        "central": [abs((f(x + h) - f(x - h)) / (2 * h) - exact) for h in STEPS],
    }


def _step_text(h: float) -> str:
    """A step of the table as the notebook prints it: 1e-8, not 1e-08."""
    return f"{h:.0e}".replace("e-0", "e-")


def _check_step(method: str, answer: Any, errors: dict[str, list[float]]) -> Feedback:
    other = "central" if method == "forward" else "forward"
    best = {name: STEPS[column.index(min(column))] for name, column in errors.items()}
    hint = "In each column of the table, find the row with the smallest error and read its h."
    step = as_number(answer, f"The best step for the {method} difference")
    if isinstance(step, Feedback):
        return step
    matches = [i for i, h in enumerate(STEPS) if math.isclose(step, h, rel_tol=1e-9)]
    if not matches:
        return wrong(f"{method.capitalize()}: {step:g} is not one of the table's steps 1e-1, …, 1e-12.", hint)
    i = matches[0]
    error, smallest = errors[method][i], min(errors[method])
    said = f"{method.capitalize()}: h = {_step_text(STEPS[i])}"
    if STEPS[i] == best[method]:
        return right(f"{said} gives the smallest error, {error:.1e}.")
    if STEPS[i] == best[other]:
        return wrong(f"{said} is where the {other} difference is most accurate.", hint)
    if i == len(STEPS) - 1:
        reason = "the smallest h is not the best: rounding error, about 1e-16·|f|/h, grows as h shrinks."
    elif i == 0:
        reason = "the largest h has the largest truncation error (the error of the linear approximation)."
    else:
        reason = f"its error is {error:.1e}, but another row of the column reaches {smallest:.1e}."
    return wrong(f"{said}: {reason}", hint)


def check_best_steps(forward: Any, central: Any) -> Feedback:
    """The steps h from notebook 01's table that give the smallest error, for each difference."""
    if is_placeholder(forward) or is_placeholder(central):
        return fill_in(
            "best_h_forward and best_h_central, the steps with the smallest error in each column",
            "In each column of the table, find the row with the smallest error and read its h.",
        )
    errors = _difference_errors()
    feedback = all_parts([_check_step(m, a, errors) for m, a in (("forward", forward), ("central", central))])
    if feedback:
        return right(
            f"{feedback.message} Truncation error (∝ h forward, ∝ h² central) meets rounding error "
            "(∝ 1e-16/h): the forward difference is best near √1e-16 = 1e-8, the central one near "
            "∛1e-16 ≈ 5e-6, and it is far more accurate there."
        )
    return feedback


# ----- 4. dJ/dx for the Gormley example --------------------------------------------------------
GORMLEY_POINT = 1.0


def check_gormley_dJdx(answer: Any) -> Feedback:
    """dJ/dx for J = cos(sin(x²) + 3x²) at x = 1 (t = x², u1 = sin t, u2 = 3t, u = u1 + u2, J = cos u)."""
    x = GORMLEY_POINT
    hint = (
        "Walk back from J: dJ/du = −sin u; the + gate hands it to u1 and u2; t receives one "
        "contribution through sin (local derivative cos t) and one through 3t (local derivative 3), "
        "which add; then dt/dx = 2x."
    )
    if is_placeholder(answer):
        return fill_in("answer_dJdx, dJ/dx of J = cos(sin(x²) + 3x²) at x = 1", hint)
    t = x * x
    dJ_du = -math.sin(math.sin(t) + 3 * t)
    path_sin, path_3t, dt_dx = dJ_du * math.cos(t), dJ_du * 3, 2 * x
    feedback = diagnose_number(
        "dJ/dx at x = 1",
        answer,
        (path_sin + path_3t) * dt_dx,
        hint=hint,
        mistakes=[
            (
                lambda _: path_sin * dt_dx,
                "that is only the path through u1 = sin t: t also reaches u through u2 = 3t, and the two paths add.",
            ),
            (
                lambda _: path_3t * dt_dx,
                "that is only the path through u2 = 3t: t also reaches u through u1 = sin t, and the two paths add.",
            ),
            (lambda e: e / dt_dx, "that is dJ/dt: multiply by the last local derivative dt/dx = 2x."),
        ],
    )
    if feedback:
        return right(
            f"{feedback.message} The path through u1 = sin t gives {path_sin * dt_dx:.4f}, the path "
            f"through u2 = 3t gives {path_3t * dt_dx:.4f}: at the branch t they add."
        )
    return feedback
