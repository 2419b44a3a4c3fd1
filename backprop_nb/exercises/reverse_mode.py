"""Exercises of notebook 03, reverse-mode autodiff: adjoints, the backward order, accumulation.

The worked example is the CMU deck's y = e^{xz} + xz/ln x + sin(ln x)/(xz) at x = 2, z = 3, with
its intermediates a = xz, b = ln x, c = sin b, d = eᵃ, e = a/b, f = c/a and y = d + e + f; the
adjoint of a node is g_node = ∂y/∂node. The expected answers are the deck's hand formulas
evaluated with ``math``, never the engine's output.

The code exercise, :func:`check_value_class`, is the other way round: the student builds a
micrograd-style scalar engine, and the engine ``bp`` is the truth it is compared with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._feedback import Feedback, diagnose_array, diagnose_number, is_placeholder, right, unanswered, wrong

__all__ = [
    "check_adjoint_b",
    "check_grad_after_two_backward",
    "check_logistic_grad_theta",
    "check_reverse_topological_order",
    "check_value_class",
    "order_exercise_graph",
]


# ----- shared by the checkers ---------------------------------------------------------------
# ----- the CMU example, by the deck's formulas ------------------------------------------------
_X, _Z = 2.0, 3.0
_A = _X * _Z
_B = math.log(_X)
_C = math.sin(_B)
_G_C = 1 / _A  # g_f · ∂f/∂c, with g_f = 1
_G_B_THROUGH_E = -_A / _B**2  # g_e · ∂e/∂b
_G_B_THROUGH_C = _G_C * math.cos(_B)  # g_c · ∂c/∂b
_G_B = _G_B_THROUGH_E + _G_B_THROUGH_C
_G_A = -_C / _A**2 + 1 / _B + math.exp(_A)  # through f, e and d
_G_X = _G_A * _Z + _G_B / _X  # x feeds a = xz and b = ln x: two paths
_G_Z = _G_A * _X


def check_adjoint_b(answer: Any) -> Feedback:
    """g_b = ∂y/∂b for the CMU example: b = ln x feeds both e = a/b and c = sin b."""
    if (missing := unanswered(answer, "g_b")) is not None:
        return missing
    return diagnose_number(
        "g_b",
        answer,
        _G_B,
        hint="b has two consumers, e = a/b and c = sin b: g_b = g_e·(−a/b²) + g_c·cos b, with g_c = 1/a.",
        mistakes=[
            (lambda _: _G_B_THROUGH_E, "that is only the path through e = a/b; b also feeds c = sin b."),
            (lambda _: _G_B_THROUGH_C, "that is only the path through c = sin b; b also feeds e = a/b."),
            (
                lambda _: _G_B_THROUGH_E + math.cos(_B),
                "on the path through c you used g_c = 1, but g_c = g_f·∂f/∂c = 1/a.",
            ),
            (
                lambda _: _G_B_THROUGH_E + _G_C * _C,
                "∂c/∂b is cos b (the derivative of sin), you used sin b.",
            ),
            (
                lambda _: -_G_B_THROUGH_E + _G_B_THROUGH_C,
                "∂(a/b)/∂b = −a/b²: the sign of the path through e is flipped.",
            ),
            (lambda _: _G_B / _X, "that is b's contribution to x, g_b·(1/x): one step too far."),
        ],
        figures=4,  # using sin b for cos b moves g_b by 0.02 only: 3 figures cannot tell them apart
    )


def check_grad_after_two_backward(answer: Any) -> Feedback:
    """x.grad after ``y.backward()`` is called twice on a freshly built CMU graph, with no reset."""
    if (missing := unanswered(answer, "x.grad after two backward() calls")) is not None:
        return missing
    return diagnose_number(
        "x.grad after two backward() calls",
        answer,
        2 * _G_X,
        hint="backward() adds ∂y/∂x to x.grad each time it runs; nothing resets it in between.",
        mistakes=[
            (
                lambda _: _G_X,
                "that is x.grad after one backward(): the second call adds ∂y/∂x once more "
                "(gradients accumulate, they are not overwritten).",
            ),
            (
                lambda _: 3 * _G_X,
                "that is three backward() calls' worth: build the graph afresh, then call backward() twice.",
            ),
            (lambda _: 2 * _G_Z, "that is z.grad after two calls; the question asks about x."),
            (lambda _: _G_Z, "that is ∂y/∂z after one call; the question asks about x after two."),
            (lambda _: 0.0, "the second backward() does not cancel the first: it adds to it."),
        ],
    )


# ----- the reverse topological order of a small graph ----------------------------------------
def order_exercise_graph() -> Tensor:
    """The graph of the ordering exercise: p = u·v, q = eᵖ, r = p + v, s = q·r (returns s)."""
    u = Tensor(0.5, requires_grad=True, name="u")
    v = Tensor(2.0, requires_grad=True, name="v")
    p = u * v
    q = p.exp()
    r = p + v
    s = q * r
    p.name, q.name, r.name, s.name = "p", "q", "r", "s"
    return s


def _consumers(root: Tensor) -> dict[str, set[str]]:
    """Name → names of the nodes that use it, for every node of ``root``'s graph."""
    consumers: dict[str, set[str]] = {root.name: set()}
    stack = [root]
    while stack:
        node = stack.pop()
        for parent in node.op.parents if node.op is not None else ():
            if parent.name not in consumers:
                consumers[parent.name] = set()
                stack.append(parent)
            consumers[parent.name].add(node.name)
    return consumers


def _first_too_early(order: Sequence[str], consumers: dict[str, set[str]]) -> tuple[str, str] | None:
    """(node, consumer) for the first node listed before a node that uses it; None if there is none."""
    position = {name: i for i, name in enumerate(order)}
    for name in order:
        late = [c for c in consumers[name] if position[c] > position[name]]
        if late:
            return name, min(late, key=position.__getitem__)
    return None


def check_reverse_topological_order(answer: Any) -> Feedback:
    """A backward-pass order for :func:`order_exercise_graph`: a list of all six node names.

    Every node must come after all the nodes that use it (its gradient is complete only then).
    There is more than one right answer.
    """
    if (missing := unanswered(answer, "the order (a list of names)")) is not None:
        return missing
    hint = "Start at the output s; list a node only once every node that uses it is already listed."
    if not isinstance(answer, list | tuple) or not all(isinstance(name, str) for name in answer):
        return wrong(f"give a list of node names such as ['s', ...], got {answer!r}.", hint)
    order = list(answer)
    consumers = _consumers(order_exercise_graph())
    names = set(consumers)
    if len(order) != len(set(order)):
        twice = sorted({name for name in order if order.count(name) > 1})
        return wrong(f"each node appears once in the backward pass; you listed {twice} more than once.", hint)
    if unknown := sorted(set(order) - names):
        return wrong(f"the graph has no node called {unknown}; its nodes are {sorted(names)}.", hint)
    if missing_names := sorted(names - set(order)):
        return wrong(f"the order leaves out {missing_names}; leaves get a step too (they come last).", hint)
    if _first_too_early(order, consumers) is None:
        return right(f"{order} visits every node after all the nodes that use it.")
    if _first_too_early(order[::-1], consumers) is None:
        return wrong("that is a forward (topological) order: the backward pass starts at the output s.", hint)
    node, consumer = _first_too_early(order, consumers)
    return wrong(
        f"{node} comes before {consumer}, but {consumer} uses {node}: when {node} is handled, "
        f"the contribution from {consumer} has not arrived yet.",
        hint,
    )


# ----- logistic regression (Gormley), module by module ---------------------------------------
_THETA = np.array([0.5, -1.0, 2.0])
_LOGISTIC_X = np.array([1.0, 0.3, 0.4])  # x₀ = 1 multiplies the bias θ₀
_LOGISTIC_Y_STAR = 0.0


def check_logistic_grad_theta(answer: Any) -> Feedback:
    """dJ/dθ for logistic regression with the cross-entropy J = −[y* ln y + (1 − y*) ln(1 − y)].

    θ = (0.5, −1, 2), x = (1, 0.3, 0.4), y* = 0; a = θ·x, y = σ(a).
    """
    if (missing := unanswered(answer, "dJ/dθ")) is not None:
        return missing
    y = 1 / (1 + math.exp(-float(_THETA @ _LOGISTIC_X)))
    dj_dy = -_LOGISTIC_Y_STAR / y + (1 - _LOGISTIC_Y_STAR) / (1 - y)
    dj_da = dj_dy * y * (1 - y)  # = y − y*
    return diagnose_array(
        "dJ/dθ",
        answer,
        dj_da * _LOGISTIC_X,
        hint="Go module by module: dJ/dy, then dJ/da = dJ/dy · y(1 − y) = y − y*, then dJ/dθⱼ = dJ/da · xⱼ.",
        mistakes=[
            (
                -dj_da * _LOGISTIC_X,
                "every sign is flipped: that is the gradient of the deck's J without the minus sign "
                "(the log-likelihood, which we maximise, not a loss to minimise).",
            ),
            (dj_dy * _LOGISTIC_X, "you skipped the sigmoid module: multiply dJ/dy by dy/da = y(1 − y)."),
            (dj_da * _THETA, "that is dJ/dx (da/dxⱼ = θⱼ); for dJ/dθⱼ use da/dθⱼ = xⱼ."),
            ((y - 1.0) * _LOGISTIC_X, "that is the worked example's y* = 1; this exercise has y* = 0."),
        ],
    )


# ----- a micrograd-style Value class, checked against the engine -----------------------------
@dataclass(frozen=True)
class _Expression:
    """A test expression: how to build it from leaves (Values or Tensors alike), and what a wrong
    gradient on it reveals."""

    text: str
    leaves: int
    build: Callable[[list[Any]], Any]
    if_wrong: str


def _chain_of_reuses(leaves: list[Any]) -> Any:
    v = leaves[0]
    for w in leaves[1:]:
        v = v * w + v  # v is used twice at every step
    return v


def _long_chain(leaves: list[Any]) -> Any:
    v = leaves[0]
    for w in leaves[1:]:
        v = v * w
    return v


_UPSTREAM = "each _backward must multiply its local derivative by out.grad, the gradient arriving from above"
_EXPRESSIONS = (
    _Expression(
        "a + b", 2, lambda v: v[0] + v[1], "check __add__: its _backward passes out.grad to both parents."
    ),
    _Expression(
        "a * b",
        2,
        lambda v: v[0] * v[1],
        "check __mul__: each parent gets out.grad times the OTHER factor's data.",
    ),
    _Expression("tanh(a)", 1, lambda v: v[0].tanh(), "check tanh: its local derivative is 1 − tanh(a)²."),
    _Expression("(a + b) * c", 3, lambda v: (v[0] + v[1]) * v[2], f"{_UPSTREAM} (here c, not 1)."),
    _Expression("tanh(a * b) * c", 3, lambda v: (v[0] * v[1]).tanh() * v[2], f"{_UPSTREAM} (here not 1)."),
    _Expression(
        "x * x + x",
        1,
        lambda v: v[0] * v[0] + v[0],
        "x is used three times, but its gradient is not the sum of the three contributions: "
        "accumulate with self.grad += ... in every _backward, never self.grad = ... (which keeps only the last).",
    ),
    _Expression(
        "a chain of 12 steps v = v * w + v",
        13,
        _chain_of_reuses,
        "every v is used twice, and its _backward may only run once its gradient is complete: "
        "sort the nodes topologically once (a depth-first search that visits each node once), "
        "then call _backward for each in the reversed order.",
    ),
    _Expression(
        "a chain of 300 products",
        301,
        _long_chain,
        "a long chain must reach every node exactly once, in reverse topological order.",
    ),
)

_VALUE_HINT = (
    "Every op builds out = Value(result, (parents)) and sets out._backward to a function that ADDS "
    "(+=) local derivative × out.grad to each parent's grad. backward() lists the nodes in "
    "topological order (each after its parents), sets self.grad = 1, and calls _backward on each "
    "node in the reverse of that order."
)


def _leaf_values(expression: _Expression, rng: np.random.Generator) -> list[float]:
    """Fresh leaf values: near 1 for the chains (so the products stay moderate), else in (−2, 2)."""
    if expression.leaves > 3:
        return list(rng.uniform(0.9, 1.1, expression.leaves))
    return list(rng.uniform(-2.0, 2.0, expression.leaves))


def _engine_result(expression: _Expression, values: list[float]) -> tuple[float, list[float]]:
    """The checker's own truth: the expression's value and its leaves' gradients from ``bp``."""
    leaves = [Tensor(value, requires_grad=True) for value in values]
    out = expression.build(leaves)
    out.backward()
    return out.item(), [float(leaf.grad) for leaf in leaves]


def _as_float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _check_expression(value_class: type, expression: _Expression, values: list[float]) -> Feedback | None:
    """None when ``value_class`` gets this expression's value and gradients right, else why not."""
    where = f"on {expression.text} with leaves {[round(v, 3) for v in values[:3]]}"
    try:
        leaves = [value_class(v) for v in values]
        out = expression.build(leaves)
    except Exception as error:  # the student's code may raise anything: say what
        return wrong(f"building {expression.text} raised {type(error).__name__}: {error}", _VALUE_HINT)
    expected_data, expected_grads = _engine_result(expression, values)
    data = _as_float(getattr(out, "data", None))
    if data is None or not math.isclose(data, expected_data, rel_tol=1e-6, abs_tol=1e-9):
        return wrong(
            f"the forward value {where} is {getattr(out, 'data', None)!r}, should be {expected_data:.6g}: "
            "check how the op computes out.data.",
            _VALUE_HINT,
        )
    try:
        out.backward()
    except RecursionError:
        return wrong(
            f"backward() {where} hit Python's recursion limit: walk the graph once to sort it, "
            "and do not let _backward call backward() of the parents.",
            _VALUE_HINT,
        )
    except Exception as error:
        return wrong(f"backward() {where} raised {type(error).__name__}: {error}", _VALUE_HINT)
    grads = [_as_float(getattr(leaf, "grad", None)) for leaf in leaves]
    if any(grad is None for grad in grads):
        return wrong(f"after backward() {where}, every leaf's .grad should be a finite number.", _VALUE_HINT)
    if np.allclose(grads, expected_grads, rtol=1e-6, atol=1e-9):
        return None
    out_grad = _as_float(getattr(out, "grad", None))
    if out_grad == 0.0 and not any(grads):
        return wrong(  # the stub, or a backward pass that never seeds the output: the message says both
            "Fill in backward(): after it runs, every grad is still 0. It starts with self.grad = 1 "
            "(∂out/∂out), then passes gradients back."
        )
    if out_grad != 1.0:
        return wrong(
            f"after backward() {where}, out.grad should be 1: backward() starts with self.grad = 1.",
            _VALUE_HINT,
        )
    return wrong(
        f"the gradients {where} are {np.round(grads[:3], 6).tolist()}, the engine gets "
        f"{np.round(expected_grads[:3], 6).tolist()} (compared at rtol 1e-6): {expression.if_wrong}",
        _VALUE_HINT,
    )


def check_value_class(value_class: Any, *, seed: int = 0) -> Feedback:
    """A micrograd-style scalar ``Value`` class, checked against ``bp`` on fresh random expressions.

    ``Value(data)`` must support ``+``, ``*`` and ``.tanh()`` between Values, and ``backward()``
    fills ``.grad`` of every node. The expressions grow from single ops to a node used three times,
    a chain where every node is used twice (the backward order matters) and a chain of 300 nodes.
    """
    if is_placeholder(value_class):
        return wrong("Fill in the methods of Value, run its cell, then run this cell again.")
    if isinstance(value_class, type) and issubclass(value_class, Tensor):
        return wrong("that is the engine's own Tensor class; pass the Value class you wrote.")
    if not isinstance(value_class, type):
        return wrong(
            f"pass the class itself (Value), not an instance or its name; got {value_class!r}.", _VALUE_HINT
        )
    stubs = [
        ("__add__", lambda v: v(1.0) + v(2.0)),
        ("__mul__", lambda v: v(1.0) * v(2.0)),
        ("tanh", lambda v: v(1.0).tanh()),
    ]
    for method, build in stubs:
        try:
            stub = build(value_class) is None
        except Exception:  # reported by the expression that raises it, below
            stub = False
        if stub:
            return wrong(f"Fill in {method}: it still returns None.")  # a stub is no attempt: no hint yet
    rng = np.random.default_rng(seed)
    for expression in _EXPRESSIONS:
        for _ in range(2):
            if (
                verdict := _check_expression(value_class, expression, _leaf_values(expression, rng))
            ) is not None:
                return verdict
    texts = ", ".join(e.text for e in _EXPRESSIONS)
    return right(f"Value agrees with the engine (rtol 1e-6) on {texts}, twice each with fresh numbers.")
