"""Exercises of notebook 02: gradients on computational graphs, gate patterns, your own gate.

Each ``check_*`` takes your answer and returns a :class:`Feedback`: ✔ when it is right, else the
mistake that most likely explains it and a hint. Leave an answer as ``None`` to see what is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..gradcheck import grad_check
from ..ops import Op
from ..tensor import Tensor
from ._code import CODE_RTOL
from ._feedback import Feedback, all_parts, as_number, diagnose_number, fill_in, is_placeholder, right, wrong

__all__ = [
    "GLU_BUGGY_INPUT",
    "check_branch_gradient",
    "check_buggy_input",
    "check_fixed_glu_gate",
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
        return fill_in("dfdx, dfdy and dfdz, the gradients of f = (x + y)·z at x = 4, y = −1, z = 5")
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


# ----- gates written by the student: run on fresh inputs, checked by bp.grad_check ------------
_TRIAL_SHAPES = ((3,), (2, 3))
"""The shapes of the fresh inputs a gate is tried on (one trial each): a vector, then a matrix."""

_Inputs = dict[str, np.ndarray]
_GateMistake = tuple[np.ndarray, str]
"""What one input's gradient looks like after a usual mistake, and what to say about it."""


@dataclass(frozen=True)
class _GateExercise:
    """What a checker knows about a gate the student writes: all of it the checker's own."""

    name: str
    """The class name the notebook uses, e.g. "PowerGate"."""
    formula: str
    """What forward computes, in words, e.g. "a ** b"."""
    make_inputs: Callable[[np.random.Generator, tuple[int, ...]], _Inputs]
    """Fresh inputs of a shape, by name, in the gate's argument order."""
    forward: Callable[..., np.ndarray]
    grads: Callable[..., _Inputs]
    """The right gradient of every input, given the inputs and ``grad_out``."""
    mistakes: Callable[..., dict[str, list[_GateMistake]]]
    """Per input, the usual wrong gradients (given the inputs and ``grad_out``)."""
    hint: str
    seed: int


def _raised(gate: type[Op], exercise: _GateExercise, method: str, error: Exception) -> Feedback:
    return wrong(f"Running {gate.__name__}.{method} raised {type(error).__name__}: {error}", exercise.hint)


def _diagnose_input(
    exercise: _GateExercise,
    name: str,
    grad: np.ndarray,
    expected: np.ndarray,
    mistakes: list[_GateMistake],
    rel: float,
) -> Feedback:
    said = f"grad_check fails for {name} on inputs of shape {grad.shape} (max relative error {rel:.2g})"
    for candidate, explanation in [*mistakes, (-expected, "the sign is flipped.")]:
        if np.shape(grad) == np.shape(candidate) and np.allclose(grad, candidate, rtol=CODE_RTOL):
            return wrong(f"{said}: {explanation}", exercise.hint)
    return wrong(f"{said}.", exercise.hint)


def _check_gate_once(
    gate: type[Op], exercise: _GateExercise, inputs: _Inputs, grad_out: np.ndarray
) -> Feedback:
    """Run the gate forward and backward on one set of inputs and diagnose each input's gradient."""
    leaves = [Tensor(value.copy(), requires_grad=True, name=name) for name, value in inputs.items()]
    try:
        out = gate.apply(*leaves)
    except Exception as error:  # the student's code may raise anything: say what, don't crash
        return _raised(gate, exercise, "forward", error)
    expected_out = exercise.forward(**inputs)
    should = f"{gate.__name__}.forward should return {exercise.formula}"
    if out.shape != expected_out.shape:
        return wrong(
            f"{should}, of shape {expected_out.shape}; it returned shape {out.shape}.", exercise.hint
        )
    if not np.allclose(out.data, expected_out, rtol=CODE_RTOL):
        at = tuple(int(i) for i in np.argwhere(~np.isclose(out.data, expected_out, rtol=CODE_RTOL))[0])
        values = ", ".join(f"{name} = {value[at]:.4g}" for name, value in inputs.items())
        return wrong(
            f"{should}; for {values} it gives {out.data[at]:.4g} instead of {expected_out[at]:.4g}.",
            exercise.hint,
        )
    try:
        (out * grad_out).sum().backward()
    except NotImplementedError:
        return fill_in(f"{gate.__name__}.backward", todo="it still raises NotImplementedError")
    except Exception as error:
        return _raised(gate, exercise, "backward", error)
    if all(leaf.grad is None for leaf in leaves):
        return fill_in(
            f"{gate.__name__}.backward",
            todo="it returns None for every input, write their gradients",
        )
    for leaf in leaves:
        if leaf.grad is None:
            return wrong(
                f"{gate.__name__}.backward returns None for {leaf.name}: every input that requires grad needs "
                "its gradient.",
                exercise.hint,
            )
    report = grad_check(lambda *ts: (gate.apply(*ts) * grad_out).sum(), *leaves)
    expected, mistakes = exercise.grads(grad_out, **inputs), exercise.mistakes(grad_out, **inputs)
    return all_parts(
        [
            right(f"grad_check passes for {leaf.name}.")
            if passed
            else _diagnose_input(
                exercise, leaf.name, leaf.grad, expected[leaf.name], mistakes[leaf.name], rel
            )
            for leaf, passed, rel in zip(leaves, report.row_passed, report.max_rel_error, strict=True)
        ]
    )


def _check_gate(gate: Any, exercise: _GateExercise) -> Feedback:
    """Try the student's gate class on fresh inputs of each of ``_TRIAL_SHAPES``, with an upstream
    gradient other than 1, and say which input's gradient ``bp.grad_check`` rejects, and why."""
    if is_placeholder(gate):
        return fill_in("your gate", todo=f"pass its class: {exercise.name}")
    gate = type(gate) if isinstance(gate, Op) else gate
    if not (isinstance(gate, type) and issubclass(gate, Op)):
        return wrong(f"The check takes your gate class, a subclass of bp.Op, not {gate!r}.", exercise.hint)
    rng = np.random.default_rng(exercise.seed)
    for shape in _TRIAL_SHAPES:
        inputs = exercise.make_inputs(rng, shape)
        grad_out = rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
        feedback = _check_gate_once(gate, exercise, inputs, grad_out)
        if not feedback:
            return feedback
    return right(
        f"{feedback.message} On fresh inputs of shapes {', '.join(map(str, _TRIAL_SHAPES))}, with an upstream "
        "gradient other than 1, your gate's backward agrees with the finite differences."
    )


# ----- 2. the backward pass of a power gate ---------------------------------------------------
def _power_inputs(rng: np.random.Generator, shape: tuple[int, ...]) -> _Inputs:
    """Positive bases away from 1 (where ln a = 0 would hide a missing factor) and mixed exponents."""
    base = rng.uniform(0.3, 0.8, shape) + rng.choice([0.0, 1.0], shape)
    return {"a": base, "b": rng.uniform(-2.0, 2.0, shape)}


def _power_grads(g: np.ndarray, a: np.ndarray, b: np.ndarray) -> _Inputs:
    return {"a": g * b * a ** (b - 1), "b": g * a**b * np.log(a)}


def _power_mistakes(g: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict[str, list[_GateMistake]]:
    out, log_a = a**b, np.log(a)
    forgot_upstream = "you returned the local gradient alone: multiply it by grad_out, the upstream gradient."
    return {
        "a": [
            (b * a ** (b - 1), forgot_upstream),
            (g * out * log_a, "that is the exponent's formula aᵇ·ln a; for the base it is b·aᵇ⁻¹."),
            (g * b * out, "the power drops by one: ∂(aᵇ)/∂a = b·aᵇ⁻¹, not b·aᵇ."),
            (g * a ** (b - 1), "the factor b is missing: ∂(aᵇ)/∂a = b·aᵇ⁻¹."),
        ],
        "b": [
            (out * log_a, forgot_upstream),
            (g * b * a ** (b - 1), "that is the base's formula b·aᵇ⁻¹; for the exponent it is aᵇ·ln a."),
            (g * out * np.log10(a), "you used the base-10 logarithm: use the natural log, np.log."),
            (g * log_a, "the factor aᵇ (the output, saved as out) is missing: ∂(aᵇ)/∂b = aᵇ·ln a."),
            (g * out, "the factor ln a is missing: ∂(aᵇ)/∂b = aᵇ·ln a."),
        ],
    }


_POWER_GATE = _GateExercise(
    name="PowerGate",
    formula="a ** b",
    make_inputs=_power_inputs,
    forward=lambda a, b: a**b,
    grads=_power_grads,
    mistakes=_power_mistakes,
    hint="∂(aᵇ)/∂a = b·aᵇ⁻¹ and ∂(aᵇ)/∂b = aᵇ·ln a (np.log); multiply each by grad_out, the upstream "
    "gradient, and return them as a tuple: return grad_a, grad_b.",
    seed=2,
)


def check_power_gate(gate: Any) -> Feedback:
    """Run your ``PowerGate`` (a subclass of ``bp.Op`` computing a ** b) through ``bp.grad_check``.

    The gate is used inside sum(upstream · PowerGate(a, b)) for fresh positive bases a and
    exponents b; the feedback says which input's gradient grad_check rejects, and why.
    """
    return _check_gate(gate, _POWER_GATE)


# ----- 5. find the bug: a gated unit x·σ(y) whose backward is wrong ----------------------------
GLU_BUGGY_INPUT = "y"
"""The input whose gradient the notebook's ``GLUGate`` gets wrong (its σ′ lacks the factor 1 − σ)."""


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


def _glu_inputs(rng: np.random.Generator, shape: tuple[int, ...]) -> _Inputs:
    return {"x": rng.uniform(-2.0, 2.0, shape), "y": rng.uniform(-2.0, 2.0, shape)}


def _glu_grads(g: np.ndarray, x: np.ndarray, y: np.ndarray) -> _Inputs:
    s = _sigmoid(y)
    return {"x": g * s, "y": g * x * s * (1 - s)}


def _glu_mistakes(g: np.ndarray, x: np.ndarray, y: np.ndarray) -> dict[str, list[_GateMistake]]:
    s = _sigmoid(y)
    return {
        "x": [
            (s, "you returned the local gradient alone: multiply it by grad_out, the upstream gradient."),
            (g * x * s * (1 - s), "that is y's gradient; x's local gradient is σ(y)."),
        ],
        "y": [
            (
                g * x * s,
                "that is the bug of the original backward: σ′(y) = σ(y)(1 − σ(y)), the factor 1 − σ(y) is missing.",
            ),
            (
                x * s * (1 - s),
                "you returned the local gradient alone: multiply it by grad_out, the upstream gradient.",
            ),
            (g * s * (1 - s), "the factor x is missing: ∂(x·σ(y))/∂y = x·σ′(y)."),
            (g * s, "that is x's gradient; y's local gradient is x·σ(y)(1 − σ(y))."),
        ],
    }


_GLU_GATE = _GateExercise(
    name="FixedGLUGate",
    formula="x · σ(y)",
    make_inputs=_glu_inputs,
    forward=lambda x, y: x * _sigmoid(y),
    grads=_glu_grads,
    mistakes=_glu_mistakes,
    hint="σ′(y) = σ(y)·(1 − σ(y)): ∂(x·σ(y))/∂x = σ(y) and ∂(x·σ(y))/∂y = x·σ(y)·(1 − σ(y)); multiply each "
    "by grad_out and return both.",
    seed=5,
)


def check_buggy_input(answer: Any) -> Feedback:
    """Which input of the notebook's ``GLUGate`` gets a wrong gradient: "x" or "y"?"""
    hint = (
        "Run bp.grad_check(lambda x, y: GLUGate.apply(x, y).sum(), x, y) on a few values: it prints one row "
        "per input, and the row marked as failing names the input."
    )
    if is_placeholder(answer):
        return fill_in("buggy_input, the name of the input whose gradient is wrong", todo='write "x" or "y"')
    if not isinstance(answer, str) or answer.strip() not in ("x", "y"):
        return wrong(
            f'Answer with the name of one input as a string, "x" or "y"; you wrote {answer!r}.', hint
        )
    if answer.strip() != GLU_BUGGY_INPUT:
        return wrong(
            "grad_check's row for x passes: the backward's gradient for x, grad_out·σ(y), agrees with the "
            "finite differences. Look again at the row that fails.",
            hint,
        )
    return right(
        "y: its row fails while x's passes. The backward gives y the gradient grad_out·x·σ(y) where it "
        "should be grad_out·x·σ(y)(1 − σ(y)): a relative error of σ(y), about 0.5, far above the 1e-7 of a "
        "correct gradient."
    )


def check_fixed_glu_gate(gate: Any) -> Feedback:
    """Run your ``FixedGLUGate`` (x·σ(y) with a corrected backward) through ``bp.grad_check`` on fresh inputs."""
    return _check_gate(gate, _GLU_GATE)


# ----- 3. the max gate routes ------------------------------------------------------------------
MAX_POINT = {"x": 2.0, "y": 5.0, "z": -3.0}


def check_max_gate(dfdx: Any, dfdy: Any) -> Feedback:
    """∂f/∂x and ∂f/∂y for f = max(x, y)·z at x = 2, y = 5, z = −3."""
    hint = (
        "First the × gate: ∂f/∂m = z for m = max(x, y). Then the max gate routes all of it to the "
        "input that won the max, and nothing to the other."
    )
    if is_placeholder(dfdx) or is_placeholder(dfdy):
        return fill_in("dfdx and dfdy, the gradients of f = max(x, y)·z at x = 2, y = 5, z = −3")
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
        return fill_in("dfdx, ∂f/∂x for a = x + y, b = x·z, f = a·b at x = 3, y = −1, z = 2")
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
