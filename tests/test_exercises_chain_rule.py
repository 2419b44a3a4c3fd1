"""The checkers of notebook 01: right answers pass, each usual mistake gets its own message."""

import math

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    check_best_steps,
    check_central_difference,
    check_central_difference_function,
    check_gormley_dJdx,
    check_softplus_derivative,
)

ONE_ANSWER_CHECKS = [check_central_difference, check_softplus_derivative, check_gormley_dJdx]


def _assert_wrong(feedback, *phrases):
    assert not feedback
    for phrase in phrases:
        assert phrase in feedback.message


# ----- placeholders and non-numbers ------------------------------------------------------------
@pytest.mark.parametrize("check", ONE_ANSWER_CHECKS)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_a_placeholder_asks_to_fill_in(check, placeholder):
    feedback = check(placeholder)
    _assert_wrong(feedback, "Fill in", "replace None")
    assert not feedback.hint  # the hint comes after a wrong attempt, not before the first


@pytest.mark.parametrize("check", ONE_ANSWER_CHECKS)
def test_an_answer_that_is_not_a_number_is_named(check):
    _assert_wrong(check("twelve"), "should be a single number", "'twelve'")


@pytest.mark.parametrize("answers", [(None, 1e-5), (1e-8, None), (None, None)])
def test_best_steps_placeholders_ask_to_fill_in(answers):
    _assert_wrong(check_best_steps(*answers), "Fill in best_h_forward and best_h_central")


# ----- the central difference of x³ at 2 with h = 0.1 -----------------------------------------
def test_central_difference_right_answer_passes_and_explains_the_truncation_error():
    feedback = check_central_difference((2.1**3 - 1.9**3) / 0.2)
    assert feedback
    assert "12.01" in feedback.message and "h²" in feedback.message
    assert check_central_difference(12.01)  # as a student types it


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ((2.1**3 - 8) / 0.1, "forward difference"),  # 12.61
        ((8 - 1.9**3) / 0.1, "backward difference"),  # 11.41
        ((2.1**3 - 1.9**3) / 0.1, "divided by h instead of 2h"),  # 24.02
        (12.0, "exact derivative 3x² = 12"),
        (-12.01, "sign is flipped"),
        (11.0, "which is not it"),
    ],
)
def test_central_difference_mistakes(answer, phrase):
    _assert_wrong(check_central_difference(answer), phrase)


# ----- d/dx ln(1 + eˣ) at 2 ---------------------------------------------------------------------
def test_softplus_derivative_from_the_engine_passes_and_is_the_sigmoid():
    x = bp.tensor(2.0, requires_grad=True)
    (1.0 + x.exp()).log().backward()
    assert x.grad == pytest.approx(1 / (1 + math.exp(-2.0)))
    feedback = check_softplus_derivative(x.grad)
    assert feedback and "σ(2)" in feedback.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (1 / (1 + math.exp(2)), "outer derivative 1/u alone"),
        (math.exp(2), "inner derivative eˣ alone"),
        (math.exp(2) / (1 + math.exp(2)) / math.log(10), "base-10 logarithm"),
        (0.5, "the derivative of ln x"),
        (-math.exp(2) / (1 + math.exp(2)), "sign is flipped"),
    ],
)
def test_softplus_derivative_mistakes(answer, phrase):
    _assert_wrong(check_softplus_derivative(answer), phrase)


# ----- the best steps of the error table -------------------------------------------------------
def _table_best_steps():
    """Recompute notebook 01's table (f = x³ − 2x at 1.5) and return the best forward and central h."""
    steps = np.array([10.0**-k for k in range(1, 13)])
    f, x, exact = (lambda v: v * v * v - 2 * v), 1.5, 4.75
    forward = [abs((f(x + h) - f(x)) / h - exact) for h in steps]
    central = [abs((f(x + h) - f(x - h)) / (2 * h) - exact) for h in steps]
    return steps[np.argmin(forward)], steps[np.argmin(central)]


def test_best_steps_are_those_of_the_table_and_near_the_theory():
    best_forward, best_central = _table_best_steps()
    assert (best_forward, best_central) == (1e-8, 1e-5)  # √ε ≈ 1e-8, ∛ε ≈ 5e-6
    feedback = check_best_steps(best_forward, best_central)
    assert feedback
    assert "Forward: h = 1e-8" in feedback.message and "Central: h = 1e-5" in feedback.message


@pytest.mark.parametrize(
    ("answers", "phrases"),
    [
        ((1e-5, 1e-8), ["Forward: h = 1e-5 is where the central", "Central: h = 1e-8 is where the forward"]),
        ((1e-12, 1e-5), ["Forward: h = 1e-12", "rounding error"]),
        ((1e-8, 1e-1), ["Central: h = 1e-1", "truncation error"]),
        ((1e-8, 1e-6), ["Central: h = 1e-6", "its error is 4.5e-10", "reaches 1.3e-10"]),
        ((3e-7, 1e-5), ["3e-07 is not one of the table's steps"]),
    ],
)
def test_best_steps_mistakes(answers, phrases):
    feedback = check_best_steps(*answers)
    _assert_wrong(feedback, *phrases)
    if answers[1] == 1e-5:  # a right part is not reported as a mistake
        assert "Central" not in feedback.message


# ----- dJ/dx for J = cos(sin(x²) + 3x²) at 1 --------------------------------------------------
def _gormley(x):
    return ((x * x).sin() + 3.0 * x * x).cos()


def test_gormley_dJdx_from_the_engine_passes_and_agrees_with_finite_differences():
    x = bp.tensor(1.0, requires_grad=True)
    _gormley(x).backward()
    assert x.grad == pytest.approx(bp.numerical_grad(_gormley, 1.0), rel=1e-7)
    feedback = check_gormley_dJdx(x.grad)
    assert feedback and "add" in feedback.message


_DJ_DU = -math.sin(math.sin(1.0) + 3.0)


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (_DJ_DU * math.cos(1.0) * 2, "only the path through u1 = sin t"),
        (_DJ_DU * 3 * 2, "only the path through u2 = 3t"),
        (_DJ_DU * (math.cos(1.0) + 3), "that is dJ/dt"),
        (-_DJ_DU * (math.cos(1.0) + 3) * 2, "sign is flipped"),
    ],
)
def test_gormley_dJdx_mistakes(answer, phrase):
    _assert_wrong(check_gormley_dJdx(answer), phrase)


# ----- central_difference(f, x, h) as code -----------------------------------------------------
def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def forward_difference(f, x, h):
    return (f(x + h) - f(x)) / h


def divided_by_h(f, x, h):
    return (f(x + h) - f(x - h)) / h


def times_h(f, x, h):
    return (f(x + h) - f(x - h)) / 2 * h


def unbracketed(f, x, h):
    return f(x + h) - f(x - h) / (2 * h)


def one_point_at_a_time(f, x, h):
    """Right, with a loop: the checker accepts any way of computing it."""
    return np.array([(f(v + h) - f(v - h)) / (2 * h) for v in x])


@pytest.mark.parametrize(
    ("student", "phrase"),
    [
        (forward_difference, "that is the forward difference"),
        (lambda f, x, h: (f(x) - f(x - h)) / h, "that is the backward difference"),
        (divided_by_h, "you divided by h instead of 2h"),
        (times_h, "MULTIPLIES by h"),
        (unbracketed, "only f(x − h) is divided"),
        (lambda f, x, h: 3 * x**2, "differs in"),  # a derivative, not the difference quotient with this h
        (lambda f, x, h: None, "Fill in central_difference"),
        (lambda f, x, h: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_central_difference_function_mistakes(student, phrase):
    _assert_wrong(check_central_difference_function(student), phrase)


def test_central_difference_function_right_answers_are_tried_on_fresh_cubics():
    for student in (central_difference, one_point_at_a_time):
        feedback = check_central_difference_function(student)
        assert feedback and "4 random inputs" in feedback.message and "x³" in feedback.message


CASES = {
    "check_central_difference": {"right": [12.01], "wrong": [12.61, 24.02, 12.0, None]},
    "check_softplus_derivative": {
        "right": [1 / (1 + math.exp(-2.0))],
        "wrong": [1 / (1 + math.exp(2)), math.exp(2), 0.5, "twelve"],
    },
    "check_best_steps": {
        "right": [lambda: check_best_steps(1e-8, 1e-5)],
        "wrong": [
            lambda: check_best_steps(1e-5, 1e-8),
            lambda: check_best_steps(1e-12, 1e-5),
            lambda: check_best_steps(1e-8, 1e-1),
            lambda: check_best_steps(None, 1e-5),
        ],
    },
    "check_gormley_dJdx": {
        "right": [_DJ_DU * (math.cos(1.0) + 3) * 2],
        "wrong": [_DJ_DU * math.cos(1.0) * 2, _DJ_DU * 3 * 2, _DJ_DU * (math.cos(1.0) + 3), None],
    },
    "check_central_difference_function": {
        "right": [central_difference, one_point_at_a_time],
        "wrong": [forward_difference, divided_by_h, times_h, unbracketed],
    },
}
