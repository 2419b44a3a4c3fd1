"""Tests for the notebook 08 exercise checkers: right answers pass, each known mistake is named."""

import math

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    check_lowest_loss_optimizer,
    check_momentum_step,
    check_steps_per_epoch,
    check_test_accuracy,
)

FINAL_LOSSES = {"SGD": 0.18, "Momentum": 0.17, "AdaGrad": 0.11, "RMSProp": 0.056, "Adam": 0.075}


@pytest.mark.parametrize("placeholder", [None, ...])
@pytest.mark.parametrize(
    "check",
    [
        check_steps_per_epoch,
        check_momentum_step,
        lambda answer: check_lowest_loss_optimizer(answer, FINAL_LOSSES),
    ],
)
def test_the_placeholder_asks_to_fill_in(check, placeholder):
    feedback = check(placeholder)
    assert not feedback
    assert feedback.message.startswith("Fill in answer_")
    assert "replace None with your answer" in feedback.message
    assert feedback.hint


# ----- 1. steps per epoch: 1438 training images, batch size 32 ----------------------------------------------
def test_steps_per_epoch_right_answer_is_what_fit_counts():
    X_train, y_train, _, _ = bp.data.load_digits(split=0.2, seed=0)
    assert len(X_train) == 1438
    model = bp.nn.MLP([64, 10], seed=0)
    history = bp.fit(model, X_train, y_train, "cross_entropy", bp.optim.SGD(model.parameters(), lr=0.1),
                     epochs=1, batch_size=32, progress=False)  # fmt: skip
    assert history.steps_per_epoch == len(history.step_loss) == 45
    feedback = check_steps_per_epoch(45)
    assert feedback
    assert "44 full batches and one of 30" in feedback.message
    assert check_steps_per_epoch(np.int64(45))


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (44, "you rounded down"),
        (1438 / 32, "is not whole, but steps are"),
        (57, "that counts all 1797 images"),  # ⌈1797/32⌉
        (1438, "batch size 1"),
        (1438 * 32, "you multiplied"),
        (-45, "the sign is flipped"),
    ],
)
def test_steps_per_epoch_mistakes_are_named(answer, diagnosis):
    feedback = check_steps_per_epoch(answer)
    assert not feedback
    assert diagnosis in feedback.message


def test_steps_per_epoch_other_answers_get_the_hint():
    feedback = check_steps_per_epoch(46)
    assert not feedback
    assert "which is not it" in feedback.message
    assert "count the batches" in feedback.hint
    assert "single number" in check_steps_per_epoch("45 steps").message


# ----- 2. one momentum step: θ = 1, b = 0.5, g = 2, lr = 0.1, μ = 0.9 ---------------------------------------
def test_momentum_step_right_answer_agrees_with_bp_optim_sgd():
    theta = bp.tensor([1.0], requires_grad=True)
    sgd = bp.optim.SGD([theta], lr=0.1, momentum=0.9)
    sgd.state[theta] = {"step": 1, "momentum_buffer": np.array([0.5])}
    theta.grad = np.array([2.0])
    sgd.step()
    assert theta.data[0] == pytest.approx(0.755)  # b = 0.9·0.5 + 2 = 2.45; θ = 1 − 0.245
    feedback = check_momentum_step(theta.data[0])
    assert feedback
    assert "2.45" in feedback.message


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (1.245, "you stepped uphill"),
        (0.8, "plain SGD"),  # 1 − 0.1·2
        (0.95, "you used the old buffer"),  # 1 − 0.1·0.5
        (0.75, "multiplied by μ = 0.9"),  # 1 − 0.1·(0.5 + 2)
        (0.935, "the lecture's moving average"),  # 1 − 0.1·(0.9·0.5 + 0.1·2)
        (0.5795, "Nesterov"),  # 1 − 0.1·(2 + 0.9·2.45)
        (2.45, "that is the new buffer"),
        (0.245, "that is the change lr·b"),
        (-0.755, "the sign is flipped"),
    ],
)
def test_momentum_step_mistakes_are_named(answer, diagnosis):
    feedback = check_momentum_step(answer)
    assert not feedback
    assert diagnosis in feedback.message
    assert "b ← μ·b + g" in feedback.hint


def test_the_lectures_moving_average_is_the_diagnosed_value():
    # the CMU form m = βm + (1 − β)g, θ −= γ m with γ = 0.1, β = 0.9, from m = 0.5
    m = 0.9 * 0.5 + 0.1 * 2.0
    assert not check_momentum_step(1.0 - 0.1 * m)


# ----- 3. the lowest final loss ---------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["RMSProp", "rmsprop", "RMS-prop", " RMSprop "])
def test_lowest_loss_right_answer_ignores_case_and_punctuation(answer):
    feedback = check_lowest_loss_optimizer(answer, FINAL_LOSSES)
    assert feedback
    assert feedback.message == "RMSProp reached the lowest final loss, 0.0560."


def test_lowest_loss_highest_and_middle_answers_are_told_apart():
    highest = check_lowest_loss_optimizer("SGD", FINAL_LOSSES)
    assert not highest
    assert "highest loss (0.1800), not the lowest" in highest.message
    middle = check_lowest_loss_optimizer("Adam", FINAL_LOSSES)
    assert not middle
    assert "Adam reached 0.0750, but another optimiser got lower" in middle.message


def test_lowest_loss_unknown_names_and_non_strings_are_explained():
    unknown = check_lowest_loss_optimizer("Adadelta", FINAL_LOSSES)
    assert not unknown
    assert "'Adadelta' is not in the table; the optimisers are SGD, Momentum, AdaGrad, RMSProp, Adam" in (
        unknown.message
    )
    number = check_lowest_loss_optimizer(0.056, FINAL_LOSSES)
    assert not number
    assert "as a string" in number.message


def test_lowest_loss_a_diverged_run_counts_as_the_worst():
    losses = {"SGD": math.nan, "Adam": 0.3, "Momentum": math.inf}
    assert check_lowest_loss_optimizer("Adam", losses)
    assert "highest loss" in check_lowest_loss_optimizer("SGD", losses).message


def test_lowest_loss_needs_a_table():
    with pytest.raises(TypeError, match="non-empty dict"):
        check_lowest_loss_optimizer("SGD", {})
    with pytest.raises(TypeError, match="non-empty dict"):
        check_lowest_loss_optimizer("SGD", [("SGD", 0.1)])


# ----- 4. the test accuracy of a trained model ------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits_run():
    X_train, y_train, X_test, y_test = bp.data.load_digits(split=0.2, seed=0)
    model = bp.nn.MLP([64, 16, 10], seed=1)
    bp.fit(model, X_train, y_train, "cross_entropy", bp.optim.Adam(model.parameters(), lr=0.01),
           epochs=2, seed=0, progress=False)  # fmt: skip
    with bp.no_grad():
        test_accuracy = np.mean(model(X_test).data.argmax(axis=1) == y_test)
        train_accuracy = np.mean(model(X_train).data.argmax(axis=1) == y_train)
    assert abs(test_accuracy - train_accuracy) > 0.005  # the two are told apart
    return model, (X_train, y_train, X_test, y_test), test_accuracy, train_accuracy


def test_test_accuracy_right_answer(digits_run):
    model, (X_train, y_train, X_test, y_test), accuracy, _ = digits_run
    feedback = check_test_accuracy(accuracy, model, X_test, y_test, X_train, y_train)
    assert feedback
    wrong_count = round((1 - accuracy) * 359)
    assert f"{wrong_count} of the 359 test images are misclassified" in feedback.message
    assert check_test_accuracy(round(accuracy, 4), model, X_test, y_test)


@pytest.mark.parametrize(
    ("mistake", "diagnosis"),
    [
        (lambda test, train: 100 * test, "in percent"),
        (lambda test, train: 1 - test, "the error rate"),
        (lambda test, train: test * 359, "classified correctly; divide by 359"),
        (lambda test, train: (1 - test) * 359, "classified wrongly"),
        (lambda test, train: train, "the accuracy on the training images"),
    ],
)
def test_test_accuracy_mistakes_are_named(digits_run, mistake, diagnosis):
    model, (X_train, y_train, X_test, y_test), test, train = digits_run
    feedback = check_test_accuracy(mistake(test, train), model, X_test, y_test, X_train, y_train)
    assert not feedback
    assert diagnosis in feedback.message


def test_test_accuracy_placeholder_and_unknown_answer(digits_run):
    model, (_, _, X_test, y_test), _, _ = digits_run
    placeholder = check_test_accuracy(None, model, X_test, y_test)
    assert not placeholder
    assert placeholder.message.startswith("Fill in answer_accuracy")
    other = check_test_accuracy(0.123, model, X_test, y_test)
    assert not other
    assert "argmax" in other.hint


def test_test_accuracy_labels_that_do_not_fit_raise(digits_run):
    model, (_, _, X_test, y_test), accuracy, _ = digits_run
    with pytest.raises(ValueError, match=f"y has {len(y_test) - 1} rows but X has {len(y_test)}"):
        check_test_accuracy(accuracy, model, X_test, y_test[:-1])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (lambda model, X, y: ("not a model", X, y), "model must be a function"),
        (lambda model, X, y: (model, [["a"] * 64], [0]), "X must be an array of numbers"),
        (lambda model, X, y: (model, X[:2], [[1, 2], [3]]), "y must be an array of numbers"),
    ],
)
def test_test_accuracy_arguments_that_are_not_a_model_or_data_are_named(digits_run, arguments, message):
    model, (_, _, X_test, y_test), accuracy, _ = digits_run
    with pytest.raises(TypeError, match=message):
        check_test_accuracy(accuracy, *arguments(model, X_test, y_test))
