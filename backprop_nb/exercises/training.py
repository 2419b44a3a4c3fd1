"""Exercises of notebook 08, training an MLP: steps per epoch, an Adam step in code, the optimiser
race, a momentum step by hand and a test accuracy.

The checkers never grade against something you pass them: the race and the exercise's network are
run again here (seeded, so they are the notebook's), and your ``adam_step`` is compared with
``bp.optim.Adam`` on inputs the checker makes.

Each ``check_*`` takes your answer and returns a :class:`~backprop_nb.exercises.Feedback`: ✔ when it
is right, else the mistake that most likely explains it and a hint. Leave an answer as ``None`` to
see what is asked.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import optim
from ..data import load_digits, spiral
from ..nn import MLP, Module
from ..tensor import Tensor
from ..train import fit, predict, predicted_classes
from ._code import Mistake, check_function
from ._feedback import Feedback, agrees, as_number, diagnose_number, fill_in, is_placeholder, right, wrong

__all__ = [
    "check_adam_step",
    "check_lowest_loss_optimizer",
    "check_momentum_step",
    "check_steps_per_epoch",
    "check_test_accuracy",
]


# ----- 1. steps per epoch ---------------------------------------------------------------------
DIGITS_IMAGES = 1797
"""All images of ``bp.data.load_digits()``."""
DIGITS_TRAINING_IMAGES = 1438
"""The training part of ``bp.data.load_digits(split=0.2)``: 1797 less the 359 test images (a fifth of
each digit, rounded)."""
BATCH_SIZE = 32


def check_steps_per_epoch(answer: Any) -> Feedback:
    """How many optimiser steps one epoch over the 1,438 training digits takes at batch size 32."""
    n, b = DIGITS_TRAINING_IMAGES, BATCH_SIZE
    hint = (
        f"An epoch uses every one of the {n} training images once, {b} per step; "
        "count the batches, including a last one that is not full."
    )
    if is_placeholder(answer):
        return fill_in("answer_steps, the number of optimiser steps in one epoch")
    expected = math.ceil(n / b)
    feedback = diagnose_number(
        "steps per epoch",
        answer,
        expected,
        hint=hint,
        mistakes=[
            (
                lambda e: n // b,
                f"you rounded down: {n} = {n // b}·{b} + {n % b}, and the last {n % b} images make one more, "
                "smaller batch (bp.fit keeps it, as PyTorch's DataLoader does unless drop_last=True).",
            ),
            (lambda e: n / b, f"{n}/{b} is not whole, but steps are: round up to count the last batch."),
            (
                lambda e: math.ceil(DIGITS_IMAGES / b),
                f"that counts all {DIGITS_IMAGES} images; the model trains on the {n} training images only "
                "(the test images are never used for an update).",
            ),
            (lambda e: n, f"that is one step per image (batch size 1); each step here takes {b} images."),
            (lambda e: n * b, f"you multiplied; each step uses {b} images, so divide."),
        ],
    )
    if feedback:
        return right(f"steps per epoch = ⌈{n}/{b}⌉ = {expected}: {n // b} full batches and one of {n % b}.")
    return feedback


# ----- 2. one momentum step by hand -----------------------------------------------------------
MOMENTUM_THETA = 1.0
MOMENTUM_BUFFER = 0.5
MOMENTUM_GRADIENT = 2.0
MOMENTUM_LR = 0.1
MOMENTUM_MU = 0.9


def check_momentum_step(answer: Any) -> Feedback:
    """θ after one step of ``SGD(lr=0.1, momentum=0.9)`` from θ = 1, buffer b = 0.5, gradient g = 2."""
    theta, b, g, lr, mu = MOMENTUM_THETA, MOMENTUM_BUFFER, MOMENTUM_GRADIENT, MOMENTUM_LR, MOMENTUM_MU
    hint = "PyTorch's momentum: first the buffer b ← μ·b + g, then θ ← θ − lr·b (with the new b)."
    if is_placeholder(answer):
        return fill_in("answer_theta, the parameter after one momentum step")
    buffer = mu * b + g
    expected = theta - lr * buffer
    feedback = diagnose_number(
        "θ after the step",
        answer,
        expected,
        hint=hint,
        mistakes=[
            (lambda e: theta + lr * buffer, "you stepped uphill: subtract lr·b, the gradient points up."),
            (lambda e: theta - lr * g, "that is plain SGD, θ − lr·g: the momentum buffer is missing."),
            (
                lambda e: theta - lr * b,
                f"you used the old buffer {b:g}; update it with the new gradient first.",
            ),
            (
                lambda e: theta - lr * (b + g),
                f"the old buffer must be multiplied by μ = {mu:g} before adding g.",
            ),
            (
                lambda e: theta - lr * (mu * b + (1 - mu) * g),
                "that is the lecture's moving average m ← βm + (1 − β)g with γ = lr; PyTorch's buffer "
                "adds the whole gradient, b ← μb + g (its lr is the lecture's γ·(1 − β)).",
            ),
            (lambda e: theta - lr * (g + mu * buffer), "that is Nesterov's step, θ − lr·(g + μ·b)."),
            (lambda e: buffer, "that is the new buffer b; the new θ is θ − lr·b."),
            (lambda e: lr * buffer, f"that is the change lr·b; subtract it from θ = {theta:g}."),
        ],
    )
    if feedback:
        return right(
            f"b = {mu:g}·{b:g} + {g:g} = {buffer:g}, so θ = {theta:g} − {lr:g}·{buffer:g} = {expected:g}."
        )
    return feedback


# ----- 3. which optimiser won the race --------------------------------------------------------
RACE_EPOCHS = 60
RACE_OPTIMIZERS: dict[str, Callable[[list[Tensor]], optim.Optimizer]] = {
    "SGD": lambda p: optim.SGD(p, lr=0.5),
    "Momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "Nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "AdaGrad": lambda p: optim.Adagrad(p, lr=0.1),
    "RMSProp": lambda p: optim.RMSprop(p, lr=0.01),
    "Adam": lambda p: optim.Adam(p, lr=0.01),
}
"""Notebook 08's race on the spiral (section 8): each optimiser with the learning rate it gets there."""


@functools.cache
def race_final_losses() -> dict[str, float]:
    """The final training loss of every optimiser in the race, computed here (not taken from the
    notebook): ``MLP([2, 64, 3], seed=0)``, the 300-point spiral, 60 epochs of batches of 32."""
    X, y = spiral(n=100, classes=3, noise=0.2, seed=0)
    losses = {}
    for name, make in RACE_OPTIMIZERS.items():
        net = MLP([2, 64, 3], seed=0)
        run = fit(net, X, y, "cross_entropy", make(net.parameters()), epochs=RACE_EPOCHS, seed=0,
                  progress=False)  # fmt: skip
        losses[name] = run.train_loss[-1]
    return losses


def _normalised(name: str) -> str:
    """Case, spaces, hyphens and underscores do not matter: "RMS-prop" is "RMSProp"."""
    return "".join(c for c in name.lower() if c.isalnum())


def check_lowest_loss_optimizer(answer: Any) -> Feedback:
    """The name of the optimiser with the lowest final training loss in section 8's race.

    The checker runs the race itself (the same networks, data and learning rates), so the table
    it grades against is never one you pass in.
    """
    names = ", ".join(RACE_OPTIMIZERS)
    hint = "Read the column of final training losses printed by the race: the lowest number wins."
    if is_placeholder(answer):  # (no race needed to say what to fill in)
        return fill_in(f'answer_best, the name of the optimiser as a string, e.g. "SGD" (one of {names})')
    losses = race_final_losses()
    if not isinstance(answer, str):
        return wrong(f'Give the optimiser\'s name as a string, e.g. "SGD"; got {answer!r}.', hint)
    by_key = {_normalised(name): name for name in losses}
    chosen = by_key.get(_normalised(answer))
    if chosen is None:
        return wrong(f"{answer!r} is not in the race; the optimisers are {names}.", hint)
    lowest = min(losses.values())
    if losses[chosen] == lowest:
        return right(f"{chosen} reached the lowest final loss, {lowest:.4f}.")
    if losses[chosen] == max(losses.values()):
        return wrong(f"{chosen} reached the highest loss ({losses[chosen]:.4f}), not the lowest.", hint)
    return wrong(f"{chosen} reached {losses[chosen]:.4f}, but another optimiser got lower.", hint)


# ----- 4. the test accuracy -------------------------------------------------------------------
def _digits_accuracies(model: Module) -> tuple[float, float]:
    """(test accuracy, training accuracy) of ``model`` on notebook 08's split of the digits."""
    X_train, y_train, X_test, y_test = load_digits(split=0.2, seed=0)
    return (
        float(np.mean(predicted_classes(predict(model, X_test)) == y_test)),
        float(np.mean(predicted_classes(predict(model, X_train)) == y_train)),
    )


@functools.cache
def _exercise_network_accuracies(trained: bool) -> tuple[float, float]:
    """The accuracies of the exercise's network, ``MLP([64, 32, 10], seed=1)``, trained as in the
    notebook (Adam, lr 0.01, 10 epochs, seed 0) or straight from its initialisation."""
    model = MLP([64, 32, 10], seed=1)
    if trained:
        X_train, y_train, _, _ = load_digits(split=0.2, seed=0)
        adam = optim.Adam(model.parameters(), lr=0.01)
        fit(model, X_train, y_train, "cross_entropy", adam, epochs=10, seed=0, progress=False)
    return _digits_accuracies(model)


@functools.cache
def _first_digits_network_test_accuracy() -> float:
    """The test accuracy of section 10's network, ``MLP([64, 64, 10], seed=0)`` trained with
    momentum SGD for 20 epochs: the other trained model in the notebook."""
    X_train, y_train, _, _ = load_digits(split=0.2, seed=0)
    model = MLP([64, 64, 10], seed=0)
    sgd = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    fit(model, X_train, y_train, "cross_entropy", sgd, epochs=20, batch_size=32, seed=0, progress=False)
    return _digits_accuracies(model)[0]


TEST_IMAGES = DIGITS_IMAGES - DIGITS_TRAINING_IMAGES
NEAR_CHANCE = (
    "that is about the 1 in 10 of guessing: the model you measured has not learned "
    "(is it trained? is it exercise_model?)."
)

CHANCE = 0.1
"""The accuracy of guessing one of ten digits."""


def check_test_accuracy(answer: Any) -> Feedback:
    """The fraction of the 359 test digits that ``exercise_model`` classifies correctly (0 to 1).

    The checker trains its own copy of the exercise's network on its own copy of the data (both
    are seeded, so it is the same network), so an accuracy measured on the wrong data or with the
    wrong model is recognised, not graded as right.
    """
    hint = (
        "Predict the classes of X_test with exercise_model (argmax of its outputs) and take the mean "
        "of (predicted == y_test)."
    )
    if is_placeholder(answer):
        return fill_in("answer_accuracy, the test accuracy as a fraction between 0 and 1")
    expected, train_accuracy = _exercise_network_accuracies(trained=True)
    n = TEST_IMAGES
    mistakes = [
        (lambda e: 100 * e, "that is the accuracy in percent; give it as a fraction between 0 and 1."),
        (lambda e: 1 - e, "that is the error rate, the fraction classified wrongly."),
        (lambda e: e * n, f"that is the number of test images classified correctly; divide by {n}."),
        (lambda e: (1 - e) * n, "that is the number of test images classified wrongly."),
        (
            lambda e: train_accuracy,
            "that is the accuracy on the training images (X_train, y_train); the test accuracy is "
            "measured on the images training never saw.",
        ),
        (
            lambda e: _exercise_network_accuracies(trained=False)[0],
            "that is the accuracy of the untrained network (before bp.fit), close to the 1 in 10 of "
            "guessing; measure the trained exercise_model.",
        ),
        (
            lambda e: _first_digits_network_test_accuracy(),
            "that is the test accuracy of the first digits network (digits_model, 64 hidden units, "
            "momentum SGD); this exercise asks about exercise_model.",
        ),
    ]
    number = as_number(answer, "the test accuracy")
    if (
        isinstance(number, float)
        and abs(number - CHANCE) < 0.05
        and not any(agrees(number, mistake(expected)) for mistake, _ in mistakes)
    ):
        mistakes.append((lambda e: number, NEAR_CHANCE))  # near chance, and no named mistake
    feedback = diagnose_number("the test accuracy", answer, expected, hint=hint, mistakes=mistakes)
    if feedback:
        wrong_count = round((1 - expected) * n)
        return right(
            f"test accuracy = {expected:.4f}: {wrong_count} of the {n} test images are misclassified."
        )
    return feedback


# ----- 5. an Adam step, written by the student ------------------------------------------------
def adam_reference(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step ``t`` of ``bp.optim.Adam`` from the averages ``m``, ``v`` of steps 1 … t − 1: the truth the
    student's ``adam_step`` is compared with (``bp.optim`` follows ``torch.optim.Adam``)."""
    theta = Tensor(np.array(param, dtype=np.float64), requires_grad=True)
    adam = optim.Adam([theta], lr=lr, betas=(beta1, beta2), eps=eps)
    adam.state[theta] = {"step": t - 1, "exp_avg": np.array(m), "exp_avg_sq": np.array(v)}
    theta.grad = np.array(grad, dtype=np.float64)
    adam.step()
    state = adam.state[theta]
    return theta.data, state["exp_avg"], state["exp_avg_sq"]


def adam_inputs(rng: np.random.Generator) -> dict[str, Any]:
    """A fresh Adam step: a parameter of a random shape, its gradient, and the averages m, v left by
    t − 1 earlier steps on random gradients (zero when t = 1), with varied hyper-parameters."""
    shape = [(3,), (2, 4), (5, 1), (4,)][rng.integers(4)]
    t = int(rng.choice([1, 2, 3, 10]))
    beta1, beta2 = float(rng.choice([0.9, 0.8])), float(rng.choice([0.999, 0.995]))
    m, v = np.zeros(shape), np.zeros(shape)
    for _ in range(t - 1):
        g = rng.normal(size=shape)
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
    return {
        "param": rng.normal(size=shape),
        "grad": rng.normal(size=shape),
        "m": m,
        "v": v,
        "t": t,
        "lr": float(rng.choice([0.1, 0.01])),
        "beta1": beta1,
        "beta2": beta2,
        "eps": float(rng.choice([1e-8, 1e-3])),
    }


def _adam_with(
    *, correction: Callable[[float, int], float], eps_inside: bool = False, keep_hat: bool = False
):
    """A mistaken Adam step: bias correction 1/correction(β, t), ε inside the root, or m̂, v̂
    returned in place of m, v."""

    def step(param, grad, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        with np.errstate(divide="ignore", invalid="ignore"):  # 1 − β⁰ = 0 on the first step
            m_hat, v_hat = m / correction(beta1, t), v / correction(beta2, t)
            denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
            new = param - lr * m_hat / denominator
        return (new, m_hat, v_hat) if keep_hat else (new, m, v)

    return step


def _bias(beta: float, t: int) -> float:
    """The right bias correction's divisor after t steps: the weights of t gradients add up to 1 − βᵗ."""
    return 1 - beta**t


ADAM_MISTAKES = (
    Mistake(
        _adam_with(correction=lambda beta, t: 1.0),
        "there is no bias correction: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ for the step "
        "(early on, m and v are pulled towards their zero start).",
    ),
    Mistake(
        _adam_with(correction=lambda beta, t: _bias(beta, t + 1)),
        "the bias correction uses βᵗ⁺¹, as if t counted from 0; t is already the number of this "
        "step (1 on the first), so divide by 1 − βᵗ.",
    ),
    Mistake(
        _adam_with(correction=lambda beta, t: _bias(beta, t - 1)),
        "the bias correction uses βᵗ⁻¹ (the CMU deck's index): after t steps m holds t gradients, "
        "whose weights add up to 1 − β₁ᵗ, so divide by 1 − βᵗ.",
    ),
    Mistake(
        _adam_with(correction=_bias, eps_inside=True),
        "ε is inside the square root; PyTorch (and bp.optim) add it after the root: √v̂ + ε.",
    ),
    Mistake(
        _adam_with(correction=_bias, keep_hat=True),
        "you returned the bias-corrected m̂, v̂ as the new m, v; return the raw averages (the next "
        "step builds on them) and use m̂, v̂ only for the step itself.",
    ),
)
"""What goes wrong in a hand-written Adam step, and what to say about it."""


def check_adam_step(adam_step: Any) -> Feedback:
    """Your ``adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)`` → new ``(param, m, v)``,
    compared with ``bp.optim.Adam`` on fresh random steps (several shapes, steps and β's)."""
    return check_function(
        "adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)",
        adam_step,
        adam_reference,
        adam_inputs,
        outputs=("param", "m", "v"),
        mistakes=ADAM_MISTAKES,
        hint=(
            "m ← β₁m + (1 − β₁)g and v ← β₂v + (1 − β₂)g², both as new arrays; then "
            "m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ) and param − lr·m̂/(√v̂ + ε). Return (param, m, v)."
        ),
        trials=4,
        seed=0,
    )
