"""check_function grades a function on fresh inputs and names what is wrong; check_prediction
hides the result until a prediction is written."""

import doctest
import itertools

import numpy as np
import pytest

from backprop_nb.exercises import Mistake, _code, _prediction, check_function, check_prediction
from backprop_nb.exercises._code import upstream_ignored

HINT = "dx = dout Wᵀ, dW = xᵀ dout, db = the sum of dout over the batch."


# ----- an affine layer's backward, the exercise these tests grade -----------------------------
def make_affine_inputs(rng):
    """x (N, D), W (D, M), dout (N, M) with D ≠ M, so that a transposed dW has another shape."""
    n, d = (int(k) for k in rng.integers(2, 6, size=2))
    m = d + int(rng.integers(1, 3))
    return {"dout": rng.normal(size=(n, m)), "x": rng.normal(size=(n, d)), "W": rng.normal(size=(d, m))}


def affine_backward(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def mean_over_batch(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


def no_sum_over_batch(dout, x, W):
    return dout @ W.T, x.T @ dout, dout


def transposed_dW(dout, x, W):
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


def sign_flipped_dx(dout, x, W):
    return -(dout @ W.T), x.T @ dout, dout.sum(axis=0)


AFFINE_MISTAKES = [
    Mistake(mean_over_batch, "you averaged db over the batch; the loss sums over it."),
    Mistake(no_sum_over_batch, "db must be summed over the batch (axis 0)."),
    Mistake(transposed_dW, "dW is the transpose: use xᵀ dout."),
    upstream_ignored(affine_backward),
]


def check_affine(student, **options):
    return check_function(
        "affine_backward(dout, x, W)",
        student,
        affine_backward,
        make_affine_inputs,
        outputs=("dx", "dW", "db"),
        mistakes=AFFINE_MISTAKES,
        hint=HINT,
        **options,
    )


def test_the_module_examples_hold():
    assert doctest.testmod(_code).failed == 0
    assert doctest.testmod(_prediction).failed == 0


def test_a_right_function_passes_and_the_message_states_the_tolerance():
    feedback = check_affine(affine_backward)
    assert feedback
    assert "4 random inputs" in feedback.message and "relative tolerance 1e-06" in feedback.message


def test_a_student_may_rename_the_parameters_and_compute_differently():
    def renamed(upstream, inputs, weights):
        return (
            np.einsum("nm,dm->nd", upstream, weights),
            np.einsum("nd,nm->dm", inputs, upstream),
            upstream.sum(0),
        )

    assert check_affine(renamed)


@pytest.mark.parametrize("placeholder", [None, ...])
def test_a_missing_function_asks_to_fill_in(placeholder):
    feedback = check_affine(placeholder)
    assert not feedback
    assert feedback.message.startswith("Fill in affine_backward(dout, x, W)")
    assert not feedback.hint  # hints come after a wrong attempt


def test_something_that_is_not_a_function_is_named():
    feedback = check_affine(42)
    assert not feedback and "got 42, which is not a function" in feedback.message


def test_the_stub_returning_none_asks_to_fill_in():
    def stub(dout, x, W):
        pass

    feedback = check_affine(stub)
    assert not feedback and "write its body (it returns None)" in feedback.message


def test_an_exception_is_reported_with_its_type_message_and_the_input_shapes():
    def raising(dout, x, W):
        return dout @ W, x.T @ dout, dout.sum(axis=0)  # dout (N, M) @ W (D, M): shapes do not align

    feedback = check_affine(raising)
    assert not feedback
    assert "raised ValueError: matmul" in feedback.message
    assert "on inputs dout (" in feedback.message and "W (" in feedback.message


def test_a_wrong_number_of_outputs_is_named():
    feedback = check_affine(lambda dout, x, W: (dout @ W.T, x.T @ dout))
    assert not feedback
    assert "should return a tuple of 3 arrays (dx, dW, db), got 2 values" in feedback.message
    feedback = check_affine(lambda dout, x, W: dout @ W.T)
    assert "got ndarray" in feedback.message


def test_a_transposed_output_is_named_and_its_mistake_too():
    feedback = check_affine(transposed_dW)
    assert not feedback
    assert "dW has shape" in feedback.message and "it is transposed" in feedback.message
    assert "use xᵀ dout" in feedback.message


def test_a_wrong_shape_names_the_mistake_that_explains_it():
    feedback = check_affine(no_sum_over_batch)
    assert not feedback
    assert "db should have shape" in feedback.message
    assert "db must be summed over the batch (axis 0)." in feedback.message


def test_mutating_an_input_is_named():
    def mutating(dout, x, W):
        dx = dout @ W.T
        dW = x.T @ dout
        dout *= 1.0  # harmless
        x -= 1.0  # changes the caller's array
        return dx, dW, dout.sum(axis=0)

    feedback = check_affine(mutating)
    assert not feedback
    assert "changed its input x in place" in feedback.message


@pytest.mark.parametrize(
    ("student", "explanation"),
    [
        (mean_over_batch, "you averaged db over the batch"),
        (
            lambda dout, x, W: affine_backward(np.ones_like(dout), x, W),
            "you forgot the upstream gradient dout",
        ),
    ],
)
def test_each_value_mistake_is_named(student, explanation):
    feedback = check_affine(student)
    assert not feedback
    assert explanation in feedback.message
    assert feedback.hint == HINT


def test_an_unknown_wrong_value_names_the_first_differing_entry():
    feedback = check_affine(sign_flipped_dx)
    assert not feedback
    assert "dx differs in" in feedback.message
    assert "the first at index (0, 0)" in feedback.message
    assert "relative tolerance 1e-06" in feedback.message


def test_the_checker_makes_fresh_inputs_every_trial_reproducibly():
    def recording(seen):
        def student(dout, x, W):
            seen.append((dout.copy(), x.copy(), W.copy()))
            return affine_backward(dout, x, W)

        return student

    first, again, other = [], [], []
    assert check_affine(recording(first))
    assert check_affine(recording(again))
    assert check_affine(recording(other), seed=1)
    assert len(first) == 4
    shapes = {x.shape for _, x, _ in first}
    assert len(shapes) > 1, "the trials should vary the shapes"
    for a, b in itertools.pairwise(first):
        assert a[0].shape != b[0].shape or not np.array_equal(a[0], b[0])
    for a, b in zip(first, again, strict=True):
        assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert not all(np.array_equal(a[0], b[0]) for a, b in zip(first, other, strict=True))


def test_a_single_output_function():
    def make(rng):
        shape = tuple(int(k) for k in rng.integers(2, 5, size=2))
        return {"dout": rng.normal(size=shape), "x": rng.normal(size=shape)}

    def reference(dout, x):
        return dout * (x > 0)

    feedback = check_function(
        "relu_backward", lambda d, x: np.where(x > 0, d, 0.0), reference, make, hint="h"
    )
    assert feedback
    listed = feedback.message.split("(", 1)[1].split(") to")[0].split("; ")
    assert len(listed) == len(set(listed)), "each distinct shape is listed once"
    leaky = check_function(
        "relu_backward", lambda d, x: np.where(x > 0, d, 0.01 * d), reference, make, hint="h"
    )
    assert not leaky and "the result differs" in leaky.message


# ----- predict, then run --------------------------------------------------------------------
EXPLAIN = "Each sigmoid multiplies the gradient by at most 1/4."


def test_a_missing_prediction_does_not_reveal_the_result():
    feedback = check_prediction("the factor", None, 0.25**10, explain=EXPLAIN)
    assert not feedback
    assert "Write your prediction for the factor first" in feedback.message
    assert "9.5" not in str(feedback) and EXPLAIN not in str(feedback)


@pytest.mark.parametrize(
    ("prediction", "correct"), [(1e-6, True), (9.0e-7, True), (8e-7, False), (0.25, False)]
)
def test_a_number_prediction_is_judged_within_ten_percent_and_the_result_revealed(prediction, correct):
    feedback = check_prediction("the factor", prediction, 0.25**10, explain=EXPLAIN)
    assert bool(feedback) is correct
    assert "it is 9.53674e-07" in feedback.message and EXPLAIN in feedback.message


def test_the_tolerance_of_a_prediction_can_be_set():
    assert check_prediction("the loss", 2.0, 2.3, rtol=0.2, explain="e")
    assert not check_prediction("the loss", 2.0, 2.3, explain="e")


@pytest.mark.parametrize(("prediction", "correct"), [("down", True), (" Down ", True), ("up", False)])
def test_a_choice_prediction_matches_words_case_insensitively(prediction, correct):
    feedback = check_prediction("the loss", prediction, "down", choices=("up", "down"), explain="It falls.")
    assert bool(feedback) is correct
    assert "it is 'down'. It falls." in feedback.message


def test_an_invalid_choice_is_named_and_the_result_stays_hidden():
    feedback = check_prediction("the loss", "sideways", "down", choices=("up", "down"), explain="It falls.")
    assert not feedback
    assert "'sideways', is not one of the choices 'up', 'down'" in feedback.message
    assert "It falls" not in feedback.message


def test_a_prediction_that_is_not_a_number_is_named():
    feedback = check_prediction("the factor", "small", 0.25**10, explain=EXPLAIN)
    assert not feedback and "should be a single number" in feedback.message


def test_the_verdict_lists_each_distinct_input_shape_once():
    feedback = check_function(
        "total", lambda x: x.sum(), np.sum, lambda rng: {"a": rng.normal(size=3)}, hint="h", trials=3
    )
    assert feedback
    assert "on 3 random inputs (a (3,)) to relative tolerance" in feedback.message
