"""The checkers of notebook 02: right answers pass, each usual mistake gets its own message."""

import json
from pathlib import Path

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    GLU_BUGGY_INPUT,
    check_branch_gradient,
    check_buggy_input,
    check_fixed_glu_gate,
    check_max_gate,
    check_power_gate,
    check_simple_circuit_grads,
)


def _assert_wrong(feedback, *phrases):
    assert not feedback
    for phrase in phrases:
        assert phrase in feedback.message


def _leaves(**values):
    return [bp.tensor(v, requires_grad=True, name=k) for k, v in values.items()]


# ----- placeholders ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("check", "arity"),
    [(check_simple_circuit_grads, 3), (check_max_gate, 2), (check_branch_gradient, 1), (check_power_gate, 1)],
)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_a_placeholder_asks_to_fill_in(check, arity, placeholder):
    feedback = check(*[placeholder] * arity)
    _assert_wrong(feedback, "Fill in")
    assert not feedback.hint  # the hint comes after a wrong attempt, not before the first


def test_one_missing_part_is_enough_to_ask_to_fill_in():
    _assert_wrong(check_simple_circuit_grads(5.0, None, 3.0), "Fill in dfdx, dfdy and dfdz")
    _assert_wrong(check_max_gate(0.0, None), "Fill in dfdx and dfdy")


def test_an_answer_that_is_not_a_number_is_named():
    _assert_wrong(check_simple_circuit_grads(5.0, "five", 3.0), "∂f/∂y should be a single number")
    _assert_wrong(check_max_gate([1, 2], 0.0), "∂f/∂x should be a single number")


# ----- f = (x + y) z at x = 4, y = -1, z = 5 -----------------------------------------------------
def test_circuit_gradients_from_the_engine_pass():
    x, y, z = _leaves(x=4.0, y=-1.0, z=5.0)
    ((x + y) * z).backward()
    assert (x.grad, y.grad, z.grad) == (5.0, 5.0, 3.0)  # z, z, q = x + y
    feedback = check_simple_circuit_grads(x.grad, y.grad, z.grad)
    assert feedback and "∂f/∂z = 3" in feedback.message


@pytest.mark.parametrize(
    ("answers", "phrases"),
    [
        ((3.0, 5.0, 5.0), ["∂f/∂x and ∂f/∂z are swapped"]),
        ((3.0, 3.0, 3.0), ["∂f/∂x: you wrote 3; that is q = 3", "∂f/∂y: you wrote 3; that is q"]),
        ((1.0, 1.0, 3.0), ["+ gate's local gradient alone"]),
        ((5.0, 5.0, 5.0), ["∂f/∂z: you wrote 5; that is z itself"]),
        ((-5.0, -5.0, -3.0), ["∂f/∂x: you wrote -5; the sign is flipped", "∂f/∂z: you wrote -3; the sign"]),
    ],
)
def test_circuit_mistakes(answers, phrases):
    feedback = check_simple_circuit_grads(*answers)
    _assert_wrong(feedback, *phrases)


def test_circuit_feedback_names_only_the_wrong_parts():
    feedback = check_simple_circuit_grads(5.0, 5.0, -3.0)
    _assert_wrong(feedback, "∂f/∂z")
    assert "∂f/∂x" not in feedback.message


# ----- f = max(x, y) z at x = 2, y = 5, z = -3 ---------------------------------------------------
def test_max_gate_gradients_from_the_engine_pass():
    x, y, z = _leaves(x=2.0, y=5.0, z=-3.0)
    (bp.maximum(x, y) * z).backward()
    assert (x.grad, y.grad) == (0.0, -3.0)
    assert check_max_gate(x.grad, y.grad)


@pytest.mark.parametrize(
    ("answers", "phrase"),
    [
        ((-3.0, 0.0), "went to x, the smaller input"),
        ((-3.0, -3.0), "that is the add gate"),
        ((-1.5, -1.5), "only at a tie"),
        ((0.0, 1.0), "the max gate's local gradient"),
        ((0.0, 3.0), "∂f/∂y: you wrote 3; the sign is flipped"),
        ((0.0, 5.0), "∂f/∂y: you wrote 5, which is not it"),
    ],
)
def test_max_gate_mistakes(answers, phrase):
    _assert_wrong(check_max_gate(*answers), phrase)


# ----- a = x + y, b = x z, f = a b at x = 3, y = -1, z = 2 ---------------------------------------
def test_branch_gradient_from_the_engine_passes():
    x, y, z = _leaves(x=3.0, y=-1.0, z=2.0)
    ((x + y) * (x * z)).backward()
    assert x.grad == 10.0  # b · 1 + a · z = 6 + 4
    feedback = check_branch_gradient(x.grad)
    assert feedback and "Through a: 6, through b: 4" in feedback.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (6.0, "only the path through a = x + y"),
        (4.0, "only the path through b = x·z"),
        (24.0, "you multiplied the two paths"),
        (-10.0, "sign is flipped"),
    ],
)
def test_branch_gradient_mistakes(answer, phrase):
    _assert_wrong(check_branch_gradient(answer), phrase)


# ----- the power gate --------------------------------------------------------------------------
class PowerGate(bp.Op):
    """A student's gate a ** b; subclasses below override backward with the usual mistakes."""

    def forward(self, a, b):
        out = a**b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad_out):
        a, b, out = self.saved_tensors
        return grad_out * b * a ** (b - 1), grad_out * out * np.log(a)


def _gate_with_backward(backward):
    return type("StudentGate", (PowerGate,), {"backward": backward})


def test_a_right_power_gate_passes_as_class_or_instance():
    assert check_power_gate(PowerGate)
    feedback = check_power_gate(PowerGate())
    assert feedback and "grad_check passes for a" in feedback.message and "for b" in feedback.message


def _backward_returning(grads_of):
    """A backward method that returns ``grads_of(a, b, out, grad_out)``."""

    def backward(self, grad_out):
        a, b, out = self.saved_tensors
        return grads_of(a, b, out, grad_out)

    return backward


@pytest.mark.parametrize(
    ("grads_of", "phrases"),
    [
        (
            lambda a, b, out, g: (g * b * a ** (b - 1), g * out * np.log10(a)),
            ["fails for b", "base-10 logarithm"],
        ),
        (
            lambda a, b, out, g: (b * a ** (b - 1), out * np.log(a)),
            ["fails for a", "fails for b", "multiply it by grad_out"],
        ),
        (
            lambda a, b, out, g: (g * out * np.log(a), g * b * a ** (b - 1)),
            ["the exponent's formula", "the base's formula"],
        ),
        (lambda a, b, out, g: (g * b * out, g * out * np.log(a)), ["fails for a", "the power drops by one"]),
        (
            lambda a, b, out, g: (g * a ** (b - 1), g * np.log(a)),
            ["the factor b is missing", "the factor aᵇ (the output, saved as out) is missing"],
        ),
        (lambda a, b, out, g: (g * b * a ** (b - 1), g * out), ["the factor ln a is missing"]),
        (
            lambda a, b, out, g: (-g * b * a ** (b - 1), g * out * np.log(a)),
            ["fails for a", "sign is flipped"],
        ),
        (
            lambda a, b, out, g: (g * b * out / 2, g * out * np.log(a)),
            ["grad_check fails for a on inputs of shape (3,) (max relative error"],
        ),
    ],
)
def test_power_gate_mistakes_name_the_input_and_the_mistake(grads_of, phrases):
    feedback = check_power_gate(_gate_with_backward(_backward_returning(grads_of)))
    _assert_wrong(feedback, *phrases)


def test_power_gate_reports_only_the_wrong_input():
    log10_for_b = _backward_returning(lambda a, b, out, g: (g * b * a ** (b - 1), g * out * np.log10(a)))
    feedback = check_power_gate(_gate_with_backward(log10_for_b))
    _assert_wrong(feedback, "grad_check fails for b")
    assert "for a" not in feedback.message


def test_power_gate_placeholders_and_missing_gradients():
    _assert_wrong(
        check_power_gate(_gate_with_backward(lambda self, g: (None, None))), "returns None for every input"
    )
    _assert_wrong(
        check_power_gate(_gate_with_backward(lambda self, g: (g, None))),
        "returns None for b",
    )

    def not_written(self, g):
        raise NotImplementedError("write the backward pass")

    _assert_wrong(check_power_gate(_gate_with_backward(not_written)), "Fill in", "NotImplementedError")


def test_power_gate_errors_are_reported_not_raised():
    feedback = check_power_gate(_gate_with_backward(lambda self, g: g))  # one gradient for two inputs
    _assert_wrong(feedback, "raised GradError", "1 gradients for 2 inputs")
    _assert_wrong(check_power_gate(_gate_with_backward(lambda self, g: 1 / 0)), "raised ZeroDivisionError")


def test_power_gate_checks_the_forward_and_the_argument():
    wrong_forward = type("StudentGate", (PowerGate,), {"forward": lambda self, a, b: a * b})
    _assert_wrong(check_power_gate(wrong_forward), "forward should return a ** b", "it gives", "instead of")
    raising_forward = type("StudentGate", (PowerGate,), {"forward": lambda self, a, b: a @ b @ a})
    _assert_wrong(check_power_gate(raising_forward), "StudentGate.forward raised")
    _assert_wrong(check_power_gate(3), "a subclass of bp.Op, not 3")
    _assert_wrong(check_power_gate(int), "a subclass of bp.Op")


def test_power_gate_is_tried_on_fresh_inputs_of_several_shapes():
    """A backward that is right only on the vector trial (it flattens) fails on the matrix one."""

    def flattening(self, grad_out):
        a, b, out = self.saved_tensors
        return (grad_out * b * a ** (b - 1)).ravel().reshape(-1, 3)[0], grad_out * out * np.log(a)

    feedback = check_power_gate(_gate_with_backward(flattening))
    _assert_wrong(feedback, "StudentGate.backward raised", "shape (2, 3)")  # the vector trial passed


# ----- find the bug: GLUGate computes x·σ(y), its backward forgets 1 − σ(y) ----------------------
def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


class GLUGate(bp.Op):
    """The notebook's gate with the bug: σ′(y) written as σ(y)."""

    def forward(self, x, y):
        s = _sigmoid(y)
        self.save_for_backward(x, s)
        return x * s

    def backward(self, grad_out):
        x, s = self.saved_tensors
        return grad_out * s, grad_out * x * s


def _glu_with_backward(grads_of):
    def backward(self, grad_out):
        x, s = self.saved_tensors
        return grads_of(x, s, grad_out)

    return type("FixedGLUGate", (GLUGate,), {"backward": backward})


FixedGLUGate = _glu_with_backward(lambda x, s, g: (g * s, g * x * s * (1 - s)))


def test_grad_check_exposes_the_bug_in_y_only():
    x, y = np.array([0.5, -1.0, 2.0]), np.array([0.3, -0.7, 1.1])
    report = bp.grad_check(lambda a, b: GLUGate.apply(a, b).sum(), x, y)
    assert report.row_passed == (True, False)
    assert bp.grad_check(lambda a, b: FixedGLUGate.apply(a, b).sum(), x, y)


def test_buggy_input_answers():
    assert check_buggy_input("y") and check_buggy_input(" y ")
    _assert_wrong(check_buggy_input("x"), "row for x passes")
    _assert_wrong(check_buggy_input("both"), '"x" or "y"', "'both'")
    _assert_wrong(check_buggy_input(1), '"x" or "y"')
    _assert_wrong(check_buggy_input(bp.tensor(1.0)), "as a string")
    _assert_wrong(check_buggy_input(None), "Fill in buggy_input")


def test_fixed_glu_gate_passes():
    feedback = check_fixed_glu_gate(FixedGLUGate)
    assert feedback and "grad_check passes for x" in feedback.message and "(2, 3)" in feedback.message


@pytest.mark.parametrize(
    ("grads_of", "phrases"),
    [
        (lambda x, s, g: (g * s, g * x * s), ["fails for y", "the bug of the original backward"]),
        (lambda x, s, g: (g * s, x * s * (1 - s)), ["fails for y", "local gradient alone"]),
        (lambda x, s, g: (g * s, g * s * (1 - s)), ["fails for y", "the factor x is missing"]),
        (
            lambda x, s, g: (g * x * s * (1 - s), g * s),
            ["fails for x", "that is y's gradient", "x's gradient"],
        ),
        (lambda x, s, g: (s, g * x * s * (1 - s)), ["fails for x", "local gradient alone"]),
        (lambda x, s, g: (g * s, -g * x * s * (1 - s)), ["fails for y", "sign is flipped"]),
    ],
)
def test_fixed_glu_gate_mistakes(grads_of, phrases):
    _assert_wrong(check_fixed_glu_gate(_glu_with_backward(grads_of)), *phrases)


def test_fixed_glu_gate_argument_and_forward_are_checked():
    _assert_wrong(check_fixed_glu_gate("FixedGLUGate"), "a subclass of bp.Op")
    _assert_wrong(check_fixed_glu_gate(None), "Fill in", "FixedGLUGate")
    tanh_forward = type("FixedGLUGate", (FixedGLUGate,), {"forward": lambda self, x, y: np.tanh(x) * y})
    _assert_wrong(check_fixed_glu_gate(tanh_forward), "forward should return x · σ(y)")


def _power_gate(grads_of):
    """A case for CASES: a gate class is callable without arguments, so each case calls the checker."""
    return lambda: check_power_gate(_gate_with_backward(_backward_returning(grads_of)))


def _glu_gate(grads_of):
    return lambda: check_fixed_glu_gate(_glu_with_backward(grads_of))


CASES = {
    "check_simple_circuit_grads": {
        "right": [lambda: check_simple_circuit_grads(5.0, 5.0, 3.0)],
        "wrong": [
            lambda: check_simple_circuit_grads(3.0, 5.0, 5.0),
            lambda: check_simple_circuit_grads(1.0, 1.0, 3.0),
            lambda: check_simple_circuit_grads(5.0, 5.0, 5.0),
            lambda: check_simple_circuit_grads(None, 5.0, 3.0),
        ],
    },
    "check_max_gate": {
        "right": [lambda: check_max_gate(0.0, -3.0)],
        "wrong": [
            lambda: check_max_gate(-3.0, 0.0),
            lambda: check_max_gate(-3.0, -3.0),
            lambda: check_max_gate(0.0, 1.0),
        ],
    },
    "check_branch_gradient": {"right": [10.0], "wrong": [6.0, 4.0, 24.0, None]},
    "check_power_gate": {
        "right": [lambda: check_power_gate(PowerGate)],
        "wrong": [
            _power_gate(lambda a, b, out, g: (b * a ** (b - 1), out * np.log(a))),
            _power_gate(lambda a, b, out, g: (g * b * a ** (b - 1), g * out * np.log10(a))),
            _power_gate(lambda a, b, out, g: (g * b * out, g * out * np.log(a))),
            None,
        ],
    },
    "check_buggy_input": {"right": ["y"], "wrong": ["x", "both", 1, None]},
    "check_fixed_glu_gate": {
        "right": [lambda: check_fixed_glu_gate(FixedGLUGate)],
        "wrong": [
            lambda: check_fixed_glu_gate(GLUGate),
            _glu_gate(lambda x, s, g: (g * s, x * s * (1 - s))),
            _glu_gate(lambda x, s, g: (g * x * s * (1 - s), g * s)),
            "FixedGLUGate",
        ],
    },
}


def test_gate_stubs_ask_to_fill_in_without_giving_the_hint_away():
    for feedback in (
        check_power_gate(_gate_with_backward(lambda self, g: (None, None))),
        check_fixed_glu_gate(_glu_with_backward(lambda x, s, g: (None, None))),
        check_buggy_input(None),
    ):
        _assert_wrong(feedback, "Fill in")
        assert not feedback.hint
    assert check_fixed_glu_gate(GLUGate).hint  # a wrong attempt gets it


def test_the_notebooks_glu_gate_has_its_bug_in_the_input_the_checker_names():
    """check_buggy_input's truth is a constant: the gate printed in notebook 02 must still fail there."""
    source = Path(__file__).parent.parent / "notebooks/02_computational_graphs.ipynb"
    cells = ["".join(cell["source"]) for cell in json.loads(source.read_text())["cells"]]
    (gate_cell,) = [cell for cell in cells if cell.startswith("class GLUGate(bp.Op):")]
    namespace = {"bp": bp, "np": np}
    exec(gate_cell, namespace)
    x, y = np.array([0.5, -1.0, 2.0]), np.array([0.3, -0.7, 1.1])
    report = bp.grad_check(lambda a, b: namespace["GLUGate"].apply(a, b).sum(), x, y)
    failing = [name for name, passed in zip("xy", report.row_passed, strict=True) if not passed]
    assert failing == [GLU_BUGGY_INPUT]
