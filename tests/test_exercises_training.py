"""Tests for the notebook 08 exercise checkers: right answers pass, each known mistake is named."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    check_adam_step,
    check_lowest_loss_optimizer,
    check_momentum_step,
    check_steps_per_epoch,
    check_test_accuracy,
)
from backprop_nb.exercises.training import race_final_losses

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("placeholder", [None, ...])
@pytest.mark.parametrize(
    "check",
    [
        check_steps_per_epoch,
        check_momentum_step,
        check_lowest_loss_optimizer,
        check_test_accuracy,
    ],
)
def test_the_placeholder_asks_to_fill_in(check, placeholder):
    feedback = check(placeholder)
    assert not feedback
    assert feedback.message.startswith("Fill in answer_")
    assert "replace None with your answer" in feedback.message
    assert not feedback.hint  # hints come after a wrong attempt


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


# ----- 3. the lowest final loss: the checker runs the race itself ------------------------------------------
def test_the_race_is_the_one_the_notebook_runs():
    X, y = bp.data.spiral(n=100, classes=3, noise=0.2, seed=0)
    net = bp.nn.MLP([2, 64, 3], seed=0)
    run = bp.fit(net, X, y, "cross_entropy", bp.optim.RMSprop(net.parameters(), lr=0.01), epochs=60,
                 batch_size=32, seed=0, progress=False)  # fmt: skip
    losses = race_final_losses()
    assert losses["RMSProp"] == run.train_loss[-1]
    assert list(losses) == ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]
    assert min(losses, key=losses.get) == "RMSProp"
    assert max(losses, key=losses.get) == "SGD"


def test_the_checkers_race_prints_the_table_stored_in_notebook_08():
    """The notebook's race cell and the checker's RACE_OPTIMIZERS are the same race: same numbers."""
    notebook = nbformat.read(REPO / "notebooks" / "08_training_an_mlp.ipynb", as_version=4)
    (cell,) = [c for c in notebook.cells if "final_losses[name] = run.train_loss[-1]" in c.source]
    printed = {line.split()[0]: line.split()[1] for line in cell.outputs[0]["text"].splitlines()[1:]}
    assert printed == {name: f"{loss:.4f}" for name, loss in race_final_losses().items()}


@pytest.mark.parametrize("answer", ["RMSProp", "rmsprop", "RMS-prop", " RMSprop "])
def test_lowest_loss_right_answer_ignores_case_and_punctuation(answer):
    feedback = check_lowest_loss_optimizer(answer)
    assert feedback
    assert feedback.message == f"RMSProp reached the lowest final loss, {race_final_losses()['RMSProp']:.4f}."


def test_lowest_loss_highest_and_middle_answers_are_told_apart():
    highest = check_lowest_loss_optimizer("SGD")
    assert not highest
    assert "highest loss (0.18" in highest.message
    middle = check_lowest_loss_optimizer("Adam")
    assert not middle
    assert "Adam reached 0.07" in middle.message
    assert "another optimiser got lower" in middle.message


def test_lowest_loss_unknown_names_and_non_strings_are_explained():
    unknown = check_lowest_loss_optimizer("Adadelta")
    assert not unknown
    assert (
        "'Adadelta' is not in the race; the optimisers are SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam"
        in (unknown.message)
    )
    number = check_lowest_loss_optimizer(0.056)
    assert not number
    assert "as a string" in number.message


def test_lowest_loss_takes_no_table_from_the_student():
    with pytest.raises(TypeError):
        check_lowest_loss_optimizer("SGD", {"SGD": 0.0, "Adam": 1.0})  # the old, trusting signature


# ----- 4. the test accuracy of the exercise network: the checker trains its own copy ---------------------------
TEST_ACCURACY = 340 / 359
"""exercise_model = MLP([64, 32, 10], seed=1), Adam(lr=0.01), 10 epochs, seed 0: 19 of 359 test images wrong."""
TRAINING_ACCURACY = 1428 / 1438
UNTRAINED_TEST_ACCURACY = 31 / 359
FIRST_NETWORK_TEST_ACCURACY = 349 / 359
"""digits_model of section 10: MLP([64, 64, 10], seed=0), SGD(lr=0.1, momentum=0.9), 20 epochs."""


def _accuracy(model, X, y):
    with bp.no_grad():
        return np.mean(model(X).data.argmax(axis=1) == y)


def test_the_accuracies_are_what_the_notebooks_networks_reach():
    X_train, y_train, X_test, y_test = bp.data.load_digits(split=0.2, seed=0)
    model = bp.nn.MLP([64, 32, 10], seed=1)
    assert _accuracy(model, X_test, y_test) == UNTRAINED_TEST_ACCURACY
    bp.fit(model, X_train, y_train, "cross_entropy", bp.optim.Adam(model.parameters(), lr=0.01),
           epochs=10, seed=0, progress=False)  # fmt: skip
    assert _accuracy(model, X_test, y_test) == TEST_ACCURACY
    assert _accuracy(model, X_train, y_train) == TRAINING_ACCURACY
    first = bp.nn.MLP([64, 64, 10], seed=0)
    bp.fit(first, X_train, y_train, "cross_entropy", bp.optim.SGD(first.parameters(), lr=0.1, momentum=0.9),
           epochs=20, batch_size=32, seed=0, progress=False)  # fmt: skip
    assert _accuracy(first, X_test, y_test) == FIRST_NETWORK_TEST_ACCURACY


def test_test_accuracy_right_answer():
    feedback = check_test_accuracy(TEST_ACCURACY)
    assert feedback
    assert "19 of the 359 test images are misclassified" in feedback.message
    assert check_test_accuracy(np.float64(TEST_ACCURACY))
    assert check_test_accuracy(bp.tensor(TEST_ACCURACY))


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (100 * TEST_ACCURACY, "in percent"),
        (1 - TEST_ACCURACY, "the error rate"),
        (340, "classified correctly; divide by 359"),
        (19, "classified wrongly"),
        (TRAINING_ACCURACY, "the accuracy on the training images"),
        (UNTRAINED_TEST_ACCURACY, "the accuracy of the untrained network"),
        (FIRST_NETWORK_TEST_ACCURACY, "the first digits network (digits_model"),
        (0.11, "about the 1 in 10 of guessing"),
    ],
)
def test_test_accuracy_mistakes_are_named(answer, diagnosis):
    feedback = check_test_accuracy(answer)
    assert not feedback
    assert diagnosis in feedback.message
    assert "argmax" in feedback.hint


def test_test_accuracy_placeholder_and_unknown_answer():
    placeholder = check_test_accuracy(None)
    assert not placeholder
    assert placeholder.message.startswith("Fill in answer_accuracy")
    other = check_test_accuracy(0.5)
    assert not other
    assert "argmax" in other.hint
    assert "single number" in check_test_accuracy("95%").message


def test_test_accuracy_takes_no_model_or_data_from_the_student():
    with pytest.raises(TypeError):  # the old, trusting signature graded whatever model and data it was given
        check_test_accuracy(0.086, bp.nn.MLP([64, 32, 10], seed=1), np.zeros((2, 64)), np.zeros(2))


# ----- 5. an Adam step written by the student, against bp.optim.Adam -------------------------------------------
def adam_step(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_step_on_copies(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    param, m, v = param.copy(), m.copy(), v.copy()
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    param -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return param, m, v


def no_bias_correction(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param - lr * m / (np.sqrt(v) + eps), m, v


def t_counted_from_zero(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param - lr * (m / (1 - beta1 ** (t + 1))) / (np.sqrt(v / (1 - beta2 ** (t + 1))) + eps), m, v


def cmu_index(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param - lr * (m / (1 - beta1 ** (t - 1))) / (np.sqrt(v / (1 - beta2 ** (t - 1))) + eps), m, v


def eps_inside_the_root(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


def returns_the_corrected_averages(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = (beta1 * m + (1 - beta1) * grad) / (1 - beta1**t)
    v = (beta2 * v + (1 - beta2) * grad**2) / (1 - beta2**t)
    return param - lr * m / (np.sqrt(v) + eps), m, v


def updates_the_callers_arrays(param, grad, m, v, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad**2
    param -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return param, m, v


def uphill(param, grad, m, v, t, lr, beta1, beta2, eps):
    new, m, v = adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)
    return 2 * param - new, m, v


def stub(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Step t (1, 2, ...) of Adam for the array param; returns the new (param, m, v)."""
    # YOUR CODE HERE


def only_the_parameter(param, grad, m, v, t, lr, beta1, beta2, eps):
    return adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)[0]


@pytest.mark.parametrize("student", [adam_step, adam_step_on_copies])
def test_adam_step_right_answers(student):
    feedback = check_adam_step(student)
    assert feedback
    assert "agrees with the reference on 4 random inputs" in feedback.message


def test_adam_step_reference_is_bp_optim_adam_over_several_steps():
    """The student's function, fed its own m and v back, follows bp.optim.Adam step by step."""
    rng = np.random.default_rng(5)
    theta = bp.tensor(rng.normal(size=(3, 2)), requires_grad=True)
    adam = bp.optim.Adam([theta], lr=0.1, betas=(0.8, 0.99))
    param, m, v = theta.data.copy(), np.zeros((3, 2)), np.zeros((3, 2))
    for t in range(1, 6):
        grad = rng.normal(size=(3, 2))
        theta.grad = grad
        adam.step()
        param, m, v = adam_step(param, grad, m, v, t, lr=0.1, beta1=0.8, beta2=0.99)
        np.testing.assert_allclose(param, theta.data, rtol=1e-12)
        np.testing.assert_allclose(m, adam.state[theta]["exp_avg"], rtol=1e-12)


@pytest.mark.parametrize(
    ("student", "diagnosis"),
    [
        (no_bias_correction, "there is no bias correction"),
        (t_counted_from_zero, "as if t counted from 0"),
        (cmu_index, "the CMU deck's index"),
        (eps_inside_the_root, "ε is inside the square root"),
        (returns_the_corrected_averages, "you returned the bias-corrected m̂, v̂"),
        (updates_the_callers_arrays, "changed its input param, m, v in place"),
        (uphill, "param differs"),
        (only_the_parameter, "should return a tuple of 3 arrays (param, m, v)"),
    ],
)
def test_adam_step_mistakes_are_named(student, diagnosis):
    with np.errstate(divide="ignore", invalid="ignore"):
        feedback = check_adam_step(student)
    assert not feedback
    assert diagnosis in feedback.message
    assert "1 − β₁ᵗ" in feedback.hint


def test_adam_step_stub_asks_to_fill_in():
    for answer in (stub, None):
        feedback = check_adam_step(answer)
        assert not feedback
        assert feedback.message.startswith("Fill in adam_step(")


# ----- every checker: right and wrong answers (tests/test_exercise_coverage.py runs them) -----------------------
CASES = {
    "check_steps_per_epoch": {"right": [45, 45.0], "wrong": [44, 1438 / 32, 57, None]},
    "check_momentum_step": {"right": [0.755, 0.7550001], "wrong": [0.8, 0.935, 0.5795, 0.76]},
    "check_lowest_loss_optimizer": {
        "right": ["RMSProp", "rmsprop"],
        "wrong": ["SGD", "Adam", "Adadelta", 0.056],
    },
    "check_test_accuracy": {
        "right": [TEST_ACCURACY, 0.947],
        "wrong": [
            TRAINING_ACCURACY,  # the wrong data set
            UNTRAINED_TEST_ACCURACY,  # an untrained model
            FIRST_NETWORK_TEST_ACCURACY,  # the other model of the notebook
            0.95,  # two significant figures
            100 * TEST_ACCURACY,
        ],
    },
    "check_adam_step": {
        "right": [adam_step, adam_step_on_copies],
        "wrong": [
            no_bias_correction,
            t_counted_from_zero,
            eps_inside_the_root,
            updates_the_callers_arrays,
            stub,
        ],
    },
}
