"""The checkers of notebook 03: right answers pass, each known mistake gets its own message.

The expected answers come from the decks' hand formulas (in the checker module); here they are
checked once more against the engine and finite differences, so a slip in either is caught.
"""

import math

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    check_adjoint_b,
    check_grad_after_two_backward,
    check_logistic_grad_theta,
    check_reverse_topological_order,
    check_value_class,
    order_exercise_graph,
)
from backprop_nb.exercises.reverse_mode import diagnose_array, unanswered

CHECKERS = [
    check_adjoint_b,
    check_grad_after_two_backward,
    check_logistic_grad_theta,
    check_reverse_topological_order,
    check_value_class,
]

# The CMU example at x = 2, z = 3 (docs/lecture_examples.md: g_b = −12.3600, ∂y/∂x = 1208.38, ∂y/∂z = 809.707)
A, B = 6.0, math.log(2.0)
G_B = -A / B**2 + math.cos(B) / A
G_X = 1208.3812151266095
G_Z = 809.707479218564


def _cmu_graph() -> tuple[bp.Tensor, bp.Tensor, bp.Tensor, bp.Tensor]:
    x = bp.tensor(2.0, requires_grad=True, name="x")
    z = bp.tensor(3.0, requires_grad=True, name="z")
    a = x * z
    b = x.log()
    y = a.exp() + a / b + b.sin() / a
    return x, z, b, y


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_placeholder_asks_to_fill_in(checker, placeholder):
    feedback = checker(placeholder)
    assert not feedback
    assert "Fill in" in feedback.message


def test_expected_values_agree_with_the_engine_and_the_analytic_partials():
    x, z, b, y = _cmu_graph()
    y.backward()
    assert b.grad == pytest.approx(G_B, rel=1e-12)
    assert x.grad == pytest.approx(G_X, rel=1e-12)
    assert z.grad == pytest.approx(G_Z, rel=1e-12)
    # ∂y/∂x = z e^{xz} + z/ln x − z/(ln x)² + (cos ln x − sin ln x)/(x² z)
    # ∂y/∂z = x e^{xz} + x/ln x − sin(ln x)/(x z²)
    dy_dx = 3 * math.exp(6) + 3 / B - 3 / B**2 + (math.cos(B) - math.sin(B)) / 12
    dy_dz = 2 * math.exp(6) + 2 / B - math.sin(B) / 18
    np.testing.assert_allclose([G_X, G_Z], [dy_dx, dy_dz], rtol=1e-12)


# ----- g_b ------------------------------------------------------------------------------------
def test_adjoint_b_right_and_rounded():
    assert check_adjoint_b(G_B)
    assert check_adjoint_b(-12.36)
    assert check_adjoint_b(bp.tensor(G_B))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (-A / B**2, "only the path through e"),
        (math.cos(B) / A, "only the path through c"),
        (-A / B**2 + math.cos(B), "g_c = 1"),
        (-A / B**2 + math.sin(B) / A, "cos b"),
        (A / B**2 + math.cos(B) / A, "sign of the path through e"),
        (-G_B, "sign is flipped"),
        (G_B / 2, "one step too far"),
        (5.0, "not it"),
    ],
)
def test_adjoint_b_mistakes(answer, message):
    feedback = check_adjoint_b(answer)
    assert not feedback
    assert message in feedback.message


def test_adjoint_b_not_a_number():
    feedback = check_adjoint_b("big")
    assert not feedback and "single number" in feedback.message


# ----- reverse topological order ---------------------------------------------------------------
def test_order_graph_is_the_one_described():
    s = order_exercise_graph()
    names = [t.name for t in bp.topological_order(s)]
    assert names == ["u", "v", "p", "q", "r", "s"]
    assert s.item() == pytest.approx(math.exp(1.0) * 3.0)  # p = 1, q = e, r = p + v = 3


@pytest.mark.parametrize(
    "order",
    [
        ["s", "q", "r", "p", "u", "v"],
        ["s", "r", "q", "p", "u", "v"],
        ["s", "q", "r", "p", "v", "u"],
        ("s", "r", "q", "p", "v", "u"),
    ],
)
def test_every_valid_backward_order_is_accepted(order):
    assert check_reverse_topological_order(order)


def test_the_engines_order_is_accepted():
    order = [t.name for t in reversed(bp.topological_order(order_exercise_graph()))]
    assert check_reverse_topological_order(order)


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (["u", "v", "p", "q", "r", "s"], "forward (topological) order"),
        (["s", "q", "p", "r", "u", "v"], "p comes before r, but r uses p"),
        (["s", "q", "r", "v", "p", "u"], "v comes before p, but p uses v"),
        (["q", "s", "r", "p", "u", "v"], "q comes before s"),
        (["s", "q", "r", "p"], "leaves out ['u', 'v']"),
        (["s", "q", "r", "p", "u", "v", "w"], "no node called ['w']"),
        (["s", "q", "q", "r", "p", "u", "v"], "more than once"),
        ("sqrpuv", "list of node names"),
        ([1, 2, 3], "list of node names"),
        (42, "list of node names"),
    ],
)
def test_order_mistakes(order, message):
    feedback = check_reverse_topological_order(order)
    assert not feedback
    assert message in feedback.message


# ----- accumulation ------------------------------------------------------------------------
def test_grad_after_two_backward_matches_the_engine():
    x, _, _, y = _cmu_graph()
    y.backward()
    y.backward()
    assert x.grad == pytest.approx(2 * G_X, rel=1e-12)
    assert check_grad_after_two_backward(x.grad)
    assert check_grad_after_two_backward(2416.76)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (G_X, "after one backward()"),
        (3 * G_X, "three backward() calls"),
        (2 * G_Z, "z.grad after two calls"),
        (G_Z, "∂y/∂z after one call"),
        (0.0, "does not cancel"),
        (-2 * G_X, "sign is flipped"),
    ],
)
def test_grad_after_two_backward_mistakes(answer, message):
    feedback = check_grad_after_two_backward(answer)
    assert not feedback
    assert message in feedback.message


# ----- logistic regression ---------------------------------------------------------------------
THETA = np.array([0.5, -1.0, 2.0])
X = np.array([1.0, 0.3, 0.4])
Y = 1 / (1 + math.exp(-1.0))  # a = θ·x = 0.5 − 0.3 + 0.8 = 1


def _cross_entropy(theta: bp.Tensor) -> bp.Tensor:
    y = (theta @ X).sigmoid()
    return -(1 - y).log()  # y* = 0


def test_logistic_grad_right_answer_is_y_times_x_and_matches_finite_differences():
    expected = Y * X  # dJ/dθ = (y − y*) x with y* = 0: (0.731059, 0.219318, 0.292423)
    np.testing.assert_allclose(expected, [0.731059, 0.219318, 0.292423], atol=1e-6)
    assert bp.grad_check(_cross_entropy, THETA)
    np.testing.assert_allclose(bp.numerical_grad(_cross_entropy, THETA), expected, rtol=1e-7)
    assert check_logistic_grad_theta(expected)
    assert check_logistic_grad_theta(list(np.round(expected, 4)))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (-Y * X, "deck's J without the minus sign"),
        (X / (1 - Y), "skipped the sigmoid module"),
        (Y * THETA, "that is dJ/dx"),
        ((Y - 1) * X, "y* = 1"),
        (Y * X[::-1], "entries differ"),
        (Y * X[:2], "shape"),
        ("θ", "array of numbers"),
    ],
)
def test_logistic_grad_mistakes(answer, message):
    feedback = check_logistic_grad_theta(answer)
    assert not feedback
    assert message in feedback.message


# ----- the shared helpers ------------------------------------------------------------------
def test_unanswered_only_for_placeholders():
    assert unanswered(None, "it") is not None
    assert unanswered(..., "it") is not None
    assert unanswered(0.0, "it") is None
    assert unanswered([], "it") is None


def test_diagnose_array_names_a_mistake_only_when_the_answer_is_wrong():
    expected = np.array([1.0, 2.0])
    assert diagnose_array("v", [1.0, 2.0], expected, hint="h", mistakes=[(expected, "never said")])
    feedback = diagnose_array("v", [2.0, 4.0], expected, hint="h", mistakes=[(2 * expected, "doubled")])
    assert not feedback and "doubled" in feedback.message and feedback.hint == "h"
    ragged = diagnose_array("v", [[1.0], [2.0, 3.0]], expected, hint="h")
    assert not ragged and "array of numbers" in ragged.message


# ----- the Value class ------------------------------------------------------------------------
class Value:
    """A right micrograd-style Value; the wrong ones below change one method each."""

    def __init__(self, data, parents=()):
        self.data = float(data)
        self.grad = 0.0
        self._parents = parents
        self._backward = lambda: None

    def __add__(self, other):
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = type(self)(t, (self,))

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def _topological_order(self):
        """Every Value self was computed from, each after the Values it was computed from."""
        order, seen = [], set()

        def visit(node):
            if node not in seen:
                seen.add(node)
                for parent in node._parents:
                    visit(parent)
                order.append(node)

        visit(self)
        return order

    def backward(self):
        self.grad = 1.0
        for node in reversed(self._topological_order()):
            node._backward()


class OverwritingValue(Value):
    """`=` instead of `+=`: a node used twice keeps only its last contribution."""

    def __mul__(self, other):
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            self.grad = out.grad
            other.grad = out.grad

        out._backward = _backward
        return out


class PathByPathValue(Value):
    """No topological sort: each node calls its parents' backward pass as soon as it is done."""

    def backward(self):
        self.grad = 1.0
        self._propagate()

    def _propagate(self):
        self._backward()
        for parent in self._parents:
            parent._propagate()


class NoUpstreamValue(Value):
    """__mul__ forgets out.grad (right only when out.grad happens to be 1)."""

    def __mul__(self, other):
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data
            other.grad += self.data

        out._backward = _backward
        return out


class TanhSlipValue(Value):
    """tanh's local derivative taken as 1 − a² instead of 1 − tanh(a)²."""

    def tanh(self):
        out = type(self)(math.tanh(self.data), (self,))

        def _backward():
            self.grad += (1 - self.data**2) * out.grad

        out._backward = _backward
        return out


class NoSeedValue(Value):
    """backward() forgets to start from self.grad = 1."""

    def backward(self):
        for node in reversed(self._topological_order()):
            node._backward()


class StubValue(Value):
    """The student notebook's skeleton: the methods' bodies are still to be written."""

    def __add__(self, other):
        """self + other."""

    def __mul__(self, other):
        """self * other."""


class StubTanhValue(Value):
    def tanh(self):
        """tanh(self)."""


class StubBackwardValue(Value):
    def backward(self):
        """Fill .grad of every Value that self was computed from."""


class RaisingValue(Value):
    def tanh(self):
        return type(self)(np.tanh(self.data), self, None)


def test_value_class_right():
    feedback = check_value_class(Value)
    assert feedback and "x * x + x" in feedback.message


@pytest.mark.parametrize(
    ("value_class", "message"),
    [
        (OverwritingValue, "self.grad += ..."),
        (PathByPathValue, "sort the nodes topologically once"),
        (NoUpstreamValue, "multiply its local derivative by out.grad"),
        (TanhSlipValue, "1 − tanh(a)²"),
        (NoSeedValue, "self.grad = 1"),
        (StubValue, "Fill in __add__"),
        (StubTanhValue, "Fill in tanh"),
        (StubBackwardValue, "Fill in backward()"),
        (RaisingValue, "building tanh(a) raised TypeError"),
        (Value(1.0), "the class itself"),
        (bp.Tensor, "the engine's own Tensor"),
        (None, "Fill in the methods of Value"),
    ],
)
def test_value_class_mistakes_are_named(value_class, message):
    feedback = check_value_class(value_class)
    assert not feedback
    assert message in feedback.message
    stubs = (
        None,
        StubValue,
        StubTanhValue,
        StubBackwardValue,
        NoSeedValue,
        bp.Tensor,
    )  # no attempt at a Value
    assert bool(feedback.hint) == (value_class not in stubs)  # a hint follows an attempt, not a stub


def test_value_class_truth_is_the_engine_not_the_class():
    """The x * x + x case separates += from =: overwriting keeps the last contribution, x = 0.5."""
    x = OverwritingValue(0.5)
    (x * x + x).backward()
    assert x.grad == 0.5  # the engine: 2x + 1 = 2
    assert not check_value_class(OverwritingValue, seed=3)


CASES = {
    "check_adjoint_b": {"right": [G_B, -12.36], "wrong": [-A / B**2, math.cos(B) / A, -G_B]},
    "check_grad_after_two_backward": {"right": [2 * G_X], "wrong": [G_X, 3 * G_X, 2 * G_Z]},
    "check_logistic_grad_theta": {"right": [Y * X], "wrong": [-Y * X, Y * THETA, (Y - 1) * X]},
    "check_reverse_topological_order": {
        "right": [["s", "q", "r", "p", "u", "v"]],
        "wrong": [["u", "v", "p", "q", "r", "s"], ["s", "q", "p", "r", "u", "v"], "sqrpuv"],
    },
    "check_value_class": {
        "right": [Value],
        "wrong": [OverwritingValue, PathByPathValue, NoUpstreamValue, TanhSlipValue, NoSeedValue],
    },
}
