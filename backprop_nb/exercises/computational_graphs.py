"""Exercises of notebook 02: gradients on computational graphs, gate patterns, your own gate.

Each ``check_*`` takes your answer and returns a :class:`Feedback`: ✔ when it is right, else the
mistake that most likely explains it and a hint. Leave an answer as ``None`` to see what is asked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..gradcheck import grad_check
from ..ops import Op
from ..tensor import Tensor
from ._feedback import Feedback, all_parts, as_number, diagnose_number, fill_in, is_placeholder, right, wrong

__all__ = [
    "check_branch_gradient",
    "check_max_gate",
    "check_power_gate",
    "check_simple_circuit_grads",
]


def _as_numbers(answers: dict[str, Any]) -> dict[str, float] | Feedback:
    """Each answer as a float, or the Feedback saying which one is not a number."""
    numbers = {}
    for what, answer in answers.items():
        number = as_number(answer, what)
        if isinstance(number, Feedback):
            return number
        numbers[what] = number
    return numbers


# ----- 1. f = (x + y) z by hand ----------------------------------------------------------------
CIRCUIT_POINT = {"x": 4.0, "y": -1.0, "z": 5.0}


def check_simple_circuit_grads(dfdx: Any, dfdy: Any, dfdz: Any) -> Feedback:
    """∂f/∂x, ∂f/∂y, ∂f/∂z for f = (x + y) z, q = x + y, at x = 4, y = −1, z = 5."""
    hint = (
        "Backward from f = q·z: the × gate sends q the upstream 1 times the other input z, and z "
        "the upstream times q; the + gate then hands ∂f/∂q unchanged to x and y."
    )
    if any(is_placeholder(a) for a in (dfdx, dfdy, dfdz)):
        return fill_in("dfdx, dfdy and dfdz, the gradients of f = (x + y)·z at x = 4, y = −1, z = 5", hint)
    numbers = _as_numbers({"∂f/∂x": dfdx, "∂f/∂y": dfdy, "∂f/∂z": dfdz})
    if isinstance(numbers, Feedback):
        return numbers
    x, y, z = CIRCUIT_POINT.values()
    q = x + y
    if np.allclose([numbers["∂f/∂x"], numbers["∂f/∂z"]], [q, z]):
        return wrong(
            "∂f/∂x and ∂f/∂z are swapped: the × gate gives each input the *other* input times the "
            f"upstream, so q (and through the + gate x and y) gets z = {z:g}, and z gets q = {q:g}.",
            hint,
        )
    add_mistakes = [
        (lambda _: q, f"that is q = {q:g}; the × gate sends q the other input, z, so ∂f/∂q = z."),
        (lambda _: 1.0, "that is the + gate's local gradient alone: multiply it by the upstream ∂f/∂q = z."),
    ]
    mul_mistake = [(lambda _: z, f"that is z itself; the × gate swaps: ∂f/∂z = q = x + y = {q:g}.")]
    return all_parts(
        [
            diagnose_number("∂f/∂x", dfdx, z, hint=hint, mistakes=add_mistakes),
            diagnose_number("∂f/∂y", dfdy, z, hint=hint, mistakes=add_mistakes),
            diagnose_number("∂f/∂z", dfdz, q, hint=hint, mistakes=mul_mistake),
        ]
    )


# ----- 2. the backward pass of a power gate ---------------------------------------------------
_BASE = np.array([0.5, 1.5, 2.0])
_EXPONENT = np.array([3.0, -1.0, 0.5])
_UPSTREAM = np.array([1.0, -2.0, 0.5])
"""The gate is checked inside sum(upstream · gate(a, b)), so the upstream gradient is not 1."""

_POWER_HINT = (
    "∂(aᵇ)/∂a = b·aᵇ⁻¹ and ∂(aᵇ)/∂b = aᵇ·ln a (np.log); multiply each by grad_out, the upstream "
    "gradient, and return them as a tuple: return grad_a, grad_b."
)


def _power_mistakes(name: str) -> list[tuple[np.ndarray, str]]:
    """What the gradient for input ``name`` looks like after each usual mistake, and what to say."""
    a, b, g = _BASE, _EXPONENT, _UPSTREAM
    out, log_a = a**b, np.log(a)
    forgot_upstream = "you returned the local gradient alone: multiply it by grad_out, the upstream gradient."
    if name == "a":
        return [
            (b * a ** (b - 1), forgot_upstream),
            (g * out * log_a, "that is the exponent's formula aᵇ·ln a; for the base it is b·aᵇ⁻¹."),
            (g * b * out, "the power drops by one: ∂(aᵇ)/∂a = b·aᵇ⁻¹, not b·aᵇ."),
            (g * a ** (b - 1), "the factor b is missing: ∂(aᵇ)/∂a = b·aᵇ⁻¹."),
        ]
    return [
        (out * log_a, forgot_upstream),
        (g * b * a ** (b - 1), "that is the base's formula b·aᵇ⁻¹; for the exponent it is aᵇ·ln a."),
        (g * out * np.log10(a), "you used the base-10 logarithm: use the natural log, np.log."),
        (g * log_a, "the factor aᵇ (the output, saved as out) is missing: ∂(aᵇ)/∂b = aᵇ·ln a."),
        (g * out, "the factor ln a is missing: ∂(aᵇ)/∂b = aᵇ·ln a."),
    ]


def _diagnose_power_input(name: str, grad: np.ndarray, passed: bool, rel_error: float) -> Feedback:
    if passed:
        return right(f"grad_check passes for {name}.")
    said = f"grad_check fails for {name} (max relative error {rel_error:.2g})"
    for candidate, explanation in [
        *_power_mistakes(name),
        (-_expected_power_grad(name), "the sign is flipped."),
    ]:
        if np.allclose(grad, candidate, rtol=1e-6):
            return wrong(f"{said}: {explanation}", _POWER_HINT)
    return wrong(f"{said}.", _POWER_HINT)


def _expected_power_grad(name: str) -> np.ndarray:
    a, b, g = _BASE, _EXPONENT, _UPSTREAM
    return g * b * a ** (b - 1) if name == "a" else g * a**b * np.log(a)


def _raised(gate: type[Op], method: str, error: Exception) -> Feedback:
    return wrong(f"Running {gate.__name__}.{method} raised {type(error).__name__}: {error}", _POWER_HINT)


def _weighted_output(gate: type[Op]) -> Any:
    return lambda a, b: (gate.apply(a, b) * _UPSTREAM).sum()


def check_power_gate(gate: Any) -> Feedback:
    """Run your ``PowerGate`` (a subclass of ``bp.Op`` computing a ** b) through ``bp.grad_check``.

    The gate is used inside sum(upstream · PowerGate(a, b)) for a few positive bases a and
    exponents b; the feedback says which input's gradient grad_check rejects, and why.
    """
    if is_placeholder(gate):
        return fill_in("your gate", _POWER_HINT, todo="pass its class, check_power_gate(PowerGate)")
    gate = type(gate) if isinstance(gate, Op) else gate
    if not (isinstance(gate, type) and issubclass(gate, Op)):
        return wrong(
            f"check_power_gate takes your gate class, a subclass of bp.Op, not {gate!r}.", _POWER_HINT
        )
    a = Tensor(_BASE, requires_grad=True, name="a")
    b = Tensor(_EXPONENT, requires_grad=True, name="b")
    try:
        out = gate.apply(a, b)
    except Exception as error:  # the student's code may raise anything: say what, don't crash
        return _raised(gate, "forward", error)
    if not np.allclose(out.data, _BASE**_EXPONENT):
        return wrong(
            f"{gate.__name__}.forward should return a ** b; for a = 2, b = 0.5 it gives {out.data[2]:.4g}."
        )
    try:
        (out * _UPSTREAM).sum().backward()
    except NotImplementedError:
        return fill_in(f"{gate.__name__}.backward", _POWER_HINT, todo="it still raises NotImplementedError")
    except Exception as error:
        return _raised(gate, "backward", error)
    if a.grad is None and b.grad is None:
        return fill_in(
            f"{gate.__name__}.backward",
            _POWER_HINT,
            todo="it returns None for both inputs, write their gradients",
        )
    for t in (a, b):
        if t.grad is None:
            return wrong(
                f"{gate.__name__}.backward returns None for {t.name}: every input that requires grad needs "
                "its gradient (the exponent too).",
                _POWER_HINT,
            )
    report = grad_check(_weighted_output(gate), a, b)
    feedback = all_parts(
        [
            _diagnose_power_input(t.name, t.grad, passed, rel)
            for t, passed, rel in zip((a, b), report.row_passed, report.max_rel_error, strict=True)
        ]
    )
    if feedback:
        return right(f"{feedback.message} Your gate's backward agrees with the finite differences.")
    return feedback


# ----- 3. the max gate routes ------------------------------------------------------------------
MAX_POINT = {"x": 2.0, "y": 5.0, "z": -3.0}


def check_max_gate(dfdx: Any, dfdy: Any) -> Feedback:
    """∂f/∂x and ∂f/∂y for f = max(x, y)·z at x = 2, y = 5, z = −3."""
    hint = (
        "First the × gate: ∂f/∂m = z for m = max(x, y). Then the max gate routes all of it to the "
        "input that won the max, and nothing to the other."
    )
    if is_placeholder(dfdx) or is_placeholder(dfdy):
        return fill_in("dfdx and dfdy, the gradients of f = max(x, y)·z at x = 2, y = 5, z = −3", hint)
    numbers = _as_numbers({"∂f/∂x": dfdx, "∂f/∂y": dfdy})
    if isinstance(numbers, Feedback):
        return numbers
    x, y, z = MAX_POINT.values()
    winner, loser = ("x", "y") if x > y else ("y", "x")
    answer = {"x": numbers["∂f/∂x"], "y": numbers["∂f/∂y"]}
    expected = {winner: z, loser: 0.0}
    if np.allclose([answer[winner], answer[loser]], [0.0, z]):
        return wrong(
            f"The gradient went to {loser}, the smaller input: max routes it to the input that won, {winner}.",
            hint,
        )
    if np.allclose([answer["x"], answer["y"]], [z, z]):
        return wrong(
            "Both inputs got the upstream: that is the add gate (a distributor). The max gate is a router: "
            "only the larger input influences the output, so only it gets a gradient.",
            hint,
        )
    if np.allclose([answer["x"], answer["y"]], [z / 2, z / 2]):
        return wrong(
            "You split the gradient: max splits it only at a tie (x = y), and here it is not one.", hint
        )
    if np.allclose([answer[winner], answer[loser]], [1.0, 0.0]):
        return wrong("That is the max gate's local gradient: multiply it by the upstream ∂f/∂max = z.", hint)
    return all_parts(
        [diagnose_number(f"∂f/∂{name}", answer[name], expected[name], hint=hint) for name in ("x", "y")]
    )


# ----- 4. gradients add at branches ------------------------------------------------------------
BRANCH_POINT = {"x": 3.0, "y": -1.0, "z": 2.0}


def check_branch_gradient(dfdx: Any) -> Feedback:
    """∂f/∂x for a = x + y, b = x·z, f = a·b at x = 3, y = −1, z = 2: x feeds two gates."""
    hint = (
        "x reaches f along two paths, through a (∂f/∂a · ∂a/∂x = b · 1) and through b "
        "(∂f/∂b · ∂b/∂x = a · z): the contributions add."
    )
    if is_placeholder(dfdx):
        return fill_in("dfdx, ∂f/∂x for a = x + y, b = x·z, f = a·b at x = 3, y = −1, z = 2", hint)
    x, y, z = BRANCH_POINT.values()
    a, b = x + y, x * z
    through_a, through_b = b * 1.0, a * z
    feedback = diagnose_number(
        "∂f/∂x",
        dfdx,
        through_a + through_b,
        hint=hint,
        mistakes=[
            (lambda _: through_a, "that is only the path through a = x + y: add the path through b = x·z."),
            (lambda _: through_b, "that is only the path through b = x·z: add the path through a = x + y."),
            (lambda _: through_a * through_b, "you multiplied the two paths: at a branch they add."),
        ],
    )
    if feedback:
        return right(f"{feedback.message} Through a: {through_a:g}, through b: {through_b:g}; they add.")
    return feedback
