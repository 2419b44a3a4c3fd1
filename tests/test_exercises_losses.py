"""Tests for the notebook 05 exercise checkers: right answers pass, each known mistake is named."""

import math

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    check_hinge_loss,
    check_numerical_gradient,
    check_sgd_update,
    check_softmax_ce_backward,
    check_softmax_loss,
)

CHECKERS = [check_hinge_loss, check_softmax_loss, check_numerical_gradient, check_sgd_update]


@pytest.mark.parametrize("check", CHECKERS)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_the_placeholder_asks_to_fill_in(check, placeholder):
    feedback = check(placeholder)
    assert not feedback
    assert str(feedback).startswith("✘ Not yet: Fill in your answer: replace None with")


@pytest.mark.parametrize("check", CHECKERS)
def test_a_non_number_is_explained_not_raised(check):
    feedback = check("two")
    assert not feedback
    assert "should be a single number, got 'two'" in str(feedback)


# ----- hinge loss of the cat image: scores (cat 3.2, car 5.1, frog −1.7), correct class cat ------------
def test_hinge_loss_right_answer_agrees_with_the_package():
    # max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1) = 2.9 + 0
    assert bp.nn.multiclass_hinge([3.2, 5.1, -1.7], [0]).item() == pytest.approx(2.9)
    assert check_hinge_loss(2.9)
    assert check_hinge_loss(np.float64(2.9000001))
    assert check_hinge_loss(bp.tensor(2.9))


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (3.9, "you also counted j = y (cat itself)"),  # + max(0, 3.2 − 3.2 + 1) = 1
        (-1.0, "you added the frog's margin −3.9 as it is"),  # 2.9 + (−3.9)
        (5.9, "you wrote the margins as s_y − s_j + 1"),  # max(0, 3.2 − 5.1 + 1) + max(0, 3.2 + 1.7 + 1)
        (2.9 / 3, "you divided by the number of classes"),
        (-2.9, "the sign is flipped"),
    ],
)
def test_hinge_loss_mistakes_are_named(answer, diagnosis):
    feedback = check_hinge_loss(answer)
    assert not feedback
    assert diagnosis in feedback.message
    assert "add max(0, s_j − s_cat + 1)" in feedback.hint


def test_hinge_loss_unknown_wrong_answer_gets_the_hint():
    feedback = check_hinge_loss(1.0)
    assert not feedback
    assert feedback.message.endswith("which is not it. (checked to 3 significant figures)")


# ----- softmax loss of the frog image: scores (2.2, 2.5, −3.1), correct class frog -------------------
FROG_LOSS = math.log(math.exp(2.2) + math.exp(2.5) + math.exp(-3.1)) + 3.1  # −ln(e^{−3.1} / Σ e^{s_j})


def test_softmax_loss_right_answer_agrees_with_the_package():
    assert round(FROG_LOSS, 5) == 6.15648
    assert bp.nn.cross_entropy([2.2, 2.5, -3.1], [2]).item() == pytest.approx(FROG_LOSS)
    assert check_softmax_loss(FROG_LOSS)
    assert "= 6.15648" in str(check_softmax_loss(6.1565))


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (FROG_LOSS / math.log(10), "that is −log₁₀"),
        (math.exp(-FROG_LOSS), "that is the frog's probability"),
        (math.log(math.exp(2.2) + math.exp(2.5) + math.exp(-3.1)) - 2.2, "that is −ln of the cat's"),
        (math.log(math.exp(2.2) + math.exp(2.5) + math.exp(-3.1)) - 2.5, "that is −ln of the car's"),
        (-FROG_LOSS, "the sign is flipped"),
    ],
)
def test_softmax_loss_mistakes_are_named(answer, diagnosis):
    feedback = check_softmax_loss(answer)
    assert not feedback
    assert diagnosis in feedback.message


# ----- one numerical-gradient entry: (1.25363 − 1.25347) / 0.0001 = 1.6 ------------------------------
@pytest.mark.parametrize(
    ("answer", "correct", "diagnosis"),
    [
        (1.6, True, "= 1.6"),
        (0.00016, False, "that is the change in the loss; divide it by h"),
        (0.8, False, "you divided by 2h"),
        (-1.6, False, "the sign is flipped"),
        (16.0, False, "which is not it"),
    ],
)
def test_numerical_gradient_entry(answer, correct, diagnosis):
    feedback = check_numerical_gradient(answer)
    assert bool(feedback) is correct
    assert diagnosis in feedback.message


# ----- one SGD step: 0.5 − 0.01 · (−2.5) = 0.525 ------------------------------------------------------
def test_sgd_update_agrees_with_the_optimizer():
    w = bp.tensor([0.5], requires_grad=True)
    w.grad = np.array([-2.5])
    bp.optim.SGD([w], lr=0.01).step()
    assert check_sgd_update(w.data[0])


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (0.475, "you moved along the gradient, uphill"),
        (0.025, "that is the change of the weight"),
        (-0.025, "that is step_size · gradient"),
        (3.0, "you forgot the step size"),
        (-2.0, "you added the whole gradient"),
        (-0.525, "the sign is flipped"),
    ],
)
def test_sgd_update_mistakes_are_named(answer, diagnosis):
    feedback = check_sgd_update(answer)
    assert not feedback
    assert diagnosis in feedback.message
    assert "move against the gradient" in feedback.hint


# ----- code: softmax_ce_backward ---------------------------------------------------------------------
def softmax_ce_backward(scores, labels):
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = shifted / shifted.sum(axis=1, keepdims=True)
    probs[np.arange(len(labels)), labels] -= 1
    return probs / len(labels)


def no_max_shift(scores, labels):
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    probs[np.arange(len(labels)), labels] -= 1
    return probs / len(labels)


def no_one_hot(scores, labels):
    return (softmax_ce_backward(scores, labels) * len(labels) + np.eye(scores.shape[1])[labels]) / len(labels)


def summed(scores, labels):
    return softmax_ce_backward(scores, labels) * len(labels)


def wrong_axis(scores, labels):
    shifted = np.exp(scores - scores.max(axis=0, keepdims=True))
    probs = shifted / shifted.sum(axis=0, keepdims=True)
    probs[np.arange(len(labels)), labels] -= 1
    return probs / len(labels)


def shifting_in_place(scores, labels):
    scores -= scores.max(axis=1, keepdims=True)
    return softmax_ce_backward(scores, labels)


def test_softmax_ce_reference_is_p_minus_one_hot_over_n_and_matches_finite_differences():
    scores, labels = np.array([[3.2, 5.1, -1.7], [2.2, 2.5, -3.1]]), np.array([0, 2])
    np.testing.assert_allclose(
        bp.numerical_grad(lambda s: bp.nn.cross_entropy(s, labels), scores),
        softmax_ce_backward(scores, labels),
        rtol=1e-6,
    )


def test_softmax_ce_right():
    feedback = check_softmax_ce_backward(softmax_ce_backward)
    assert feedback and "relative tolerance 1e-06" in feedback.message


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (no_one_hot, "forgot to subtract the one-hot labels"),
        (summed, "SUM of the losses"),
        (wrong_axis, "axis 0"),
        (lambda s, y: -softmax_ce_backward(s, y), "every sign is flipped"),
        (no_max_shift, "on scores near 1000"),
        (shifting_in_place, "changed its input scores in place"),
        (lambda s, y: softmax_ce_backward(s, y).T, "transposed"),
        (lambda s, y: None, "Fill in softmax_ce_backward"),
    ],
)
def test_softmax_ce_mistakes_are_named(student, message):
    feedback = check_softmax_ce_backward(student)
    assert not feedback
    assert message in feedback.message
    assert bool(feedback.hint) != feedback.message.startswith("Fill in")  # hints only after an attempt


def test_overflow_is_caught_on_large_scores_only():
    """The unshifted softmax is right on ordinary scores: only the large ones expose it."""
    scores, labels = np.array([[3.2, 5.1, -1.7]]), np.array([0])
    np.testing.assert_allclose(no_max_shift(scores, labels), softmax_ce_backward(scores, labels))
    feedback = check_softmax_ce_backward(no_max_shift)
    assert "you return nan" in feedback.message and "subtract each row's max" in feedback.hint


CASES = {
    "check_hinge_loss": {"right": [2.9], "wrong": [3.9, -1.0, 0.9667]},
    "check_softmax_loss": {"right": [6.156], "wrong": [2.678, 0.0021, 2.04]},
    "check_numerical_gradient": {"right": [1.6], "wrong": [0.00016, 0.8, -1.6]},
    "check_sgd_update": {"right": [0.525], "wrong": [0.475, 0.025, 3.0]},
    "check_softmax_ce_backward": {
        "right": [softmax_ce_backward],
        "wrong": [no_one_hot, summed, wrong_axis, no_max_shift],
    },
}


def test_a_rounded_intermediate_is_named():
    """−ln 0.0021 = 6.166: the frog's probability (0.002121…) rounded before the log, not a wrong method."""
    feedback = check_softmax_loss(6.166)
    assert not feedback
    assert "you rounded the frog's probability to 0.0021 before taking the log" in feedback.message
    assert "(checked to 3 significant figures)" in feedback.message
    assert check_softmax_loss(6.1565)
