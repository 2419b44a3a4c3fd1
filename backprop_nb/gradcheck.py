"""Check gradients against finite differences, and compute Jacobians.

The derivative is the limit of a difference quotient, so a gradient can be checked without
calculus: nudge one input element by ±eps and watch the output,

    ∂f/∂xᵢ ≈ (f(x + eps·eᵢ) − f(x − eps·eᵢ)) / (2·eps)     (central differences, error ~ eps²).

That costs two evaluations of f per input element: fine for checking, far too slow for
training, which is why backpropagation exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _checks
from .graph import backward_steps
from .modes import no_grad
from .tensor import Tensor, as_float_array

Function = Callable[..., Tensor]


def _input_arrays(f: Any, inputs: Sequence[Any]) -> list[np.ndarray]:
    """The inputs' values as float arrays (copies), after checking that ``f`` can be called."""
    _checks.function("f", f, "e.g. lambda x: (x * x).sum()")
    if not inputs:
        raise TypeError("give at least one input after the function, e.g. numerical_grad(f, x)")
    return [as_float_array(x) for x in inputs]


def _call(f: Function, tensors: Sequence[Tensor]) -> Tensor:
    out = f(*tensors)
    if not isinstance(out, Tensor):
        raise TypeError(f"the function must return a Tensor, it returned {type(out).__name__}")
    return out


def _scalar(f: Function, arrays: Sequence[np.ndarray]) -> float:
    """f at the given input arrays, as a float (f must return a one-element Tensor)."""
    with no_grad():
        out = _call(f, [Tensor(a) for a in arrays])
    if out.size != 1:
        raise ValueError(
            f"the function must return a one-element Tensor (a scalar), it returned shape {out.shape}; "
            "reduce it (e.g. .sum()) or use bp.jacobian / bp.vjp_check for vector outputs"
        )
    return out.item()


def _central_differences(
    evaluate: Callable[[], Any], array: np.ndarray, eps: float
) -> list[tuple[tuple[int, ...], Any]]:
    """Nudge each element of ``array`` in place by ±eps; return (index, central difference)."""
    slopes = []
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        plus = evaluate()
        array[index] = original - eps
        minus = evaluate()
        array[index] = original
        slopes.append((index, (plus - minus) / (2 * eps)))
    return slopes


def numerical_grad(f: Function, *inputs: Any, eps: float = 1e-6) -> np.ndarray | tuple[np.ndarray, ...]:
    """The gradient of the scalar ``f(*inputs)`` by central differences.

    Args:
        f: takes one Tensor per input and returns a one-element Tensor.
        inputs: Tensors, arrays or numbers (only their values are used).
        eps: the nudge; 1e-6 balances truncation error (~eps²) and rounding error (~1e-16/eps).

    Returns:
        An array shaped like the input, or a tuple of them when there are several inputs.
    """
    arrays = _input_arrays(f, inputs)
    eps = _checks.positive("eps", eps)
    grads = []
    for array in arrays:
        grad = np.zeros_like(array)
        for index, slope in _central_differences(lambda: _scalar(f, arrays), array, eps):
            grad[index] = slope
        grads.append(grad)
    return grads[0] if len(grads) == 1 else tuple(grads)


def _analytic_grads(f: Function, arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Gradients of the scalar f by one backward pass (zeros where f does not depend on an input)."""
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    out = _call(f, tensors)
    if out.size != 1:
        raise ValueError(
            f"the function must return a one-element Tensor (a scalar), it returned shape {out.shape}"
        )
    if out.requires_grad:
        out.backward()
    return [t.grad if t.grad is not None else np.zeros_like(t.data) for t in tensors]


@dataclass(frozen=True)
class _Row:
    label: str
    analytic: np.ndarray
    numerical: np.ndarray


class GradCheckReport:
    """Analytic against numerical values, row by row; truthy when every row is within tolerance.

    An element passes when ``|analytic − numerical| <= atol + rtol·|numerical|`` (``np.allclose``).
    The relative error shown is ``|a − n| / max(|a|, |n|)``, the usual figure to quote: around
    1e-7 or below is a correct gradient, 1e-2 or above is a bug.
    """

    def __init__(self, title: str, rows: Sequence[_Row], atol: float, rtol: float) -> None:
        self.title = title
        self.rows = tuple(rows)
        self.atol = atol
        self.rtol = rtol
        self.max_abs_error = tuple(
            float(np.max(np.abs(r.analytic - r.numerical), initial=0.0)) for r in self.rows
        )
        self.max_rel_error = tuple(
            float(np.max(_relative_error(r.analytic, r.numerical), initial=0.0)) for r in self.rows
        )
        self.row_passed = tuple(
            bool(np.allclose(r.analytic, r.numerical, atol=atol, rtol=rtol)) for r in self.rows
        )
        self.passed = all(self.row_passed)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        lines = [f"{self.title}: {verdict} (atol={self.atol:g}, rtol={self.rtol:g})"]
        width = max(len(r.label) for r in self.rows) if self.rows else 5
        lines.append(f"  {'':{width}}  {'max abs error':>13}  {'max rel error':>13}")
        for row, abs_err, rel_err, ok in zip(
            self.rows, self.max_abs_error, self.max_rel_error, self.row_passed, strict=True
        ):
            lines.append(
                f"  {row.label:{width}}  {abs_err:13.2e}  {rel_err:13.2e}  {'ok' if ok else 'MISMATCH'}"
            )
        return "\n".join(lines)


def _relative_error(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    scale = np.maximum(np.abs(a), np.abs(n))
    return np.where(scale > 0, np.abs(a - n) / np.where(scale > 0, scale, 1.0), 0.0)


def _tolerances(eps: Any, atol: Any, rtol: Any) -> tuple[float, float, float]:
    """The nudge (> 0) and the tolerances (>= 0) of a check, as floats."""
    return (
        _checks.positive("eps", eps),
        _checks.non_negative("atol", atol),
        _checks.non_negative("rtol", rtol),
    )


def _label(x: Any, position: int) -> str:
    name = getattr(x, "name", None)
    return f"{name} {np.shape(x)}" if name else f"input {position} {np.shape(x)}"


def grad_check(
    f: Function, *inputs: Any, eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-4
) -> GradCheckReport:
    """Compare the engine's gradient of the scalar ``f(*inputs)`` with central differences.

    >>> report = grad_check(lambda x, y: (x * y).sum(), np.ones(3), np.arange(3.0))
    >>> bool(report)
    True
    """
    arrays = _input_arrays(f, inputs)
    eps, atol, rtol = _tolerances(eps, atol, rtol)
    analytic = _analytic_grads(f, arrays)
    numerical = numerical_grad(f, *arrays, eps=eps)
    numerical = numerical if isinstance(numerical, tuple) else (numerical,)
    rows = [
        _Row(_label(x, i), a, n) for i, (x, a, n) in enumerate(zip(inputs, analytic, numerical, strict=True))
    ]
    return GradCheckReport("grad_check", rows, atol, rtol)


def jacobian(f: Function, x: Any, method: str = "reverse", eps: float = 1e-6) -> np.ndarray:
    """The Jacobian of ``f`` at ``x`` in numerator layout: shape ``f(x).shape + x.shape``.

    ``J[i, j] = ∂f(x)ᵢ / ∂xⱼ``: row i is the gradient of output element i. (The lectures use
    denominator layout, which is the transpose of this for vectors.)

    Args:
        method: "reverse" builds each row with one backward pass seeded with a one-hot vector
            (one vector-Jacobian product per output element); "numerical" builds each column
            with central differences (two evaluations per input element).
    """
    _checks.function("f", f, "e.g. lambda x: x.tanh()")
    if method not in ("reverse", "numerical"):
        raise ValueError(f"method must be 'reverse' or 'numerical', got {method!r}")
    eps = _checks.positive("eps", eps)
    array = as_float_array(x)
    if method == "reverse":
        leaf = Tensor(array, requires_grad=True)
        out = _call(f, [leaf])
        jac = np.zeros(out.shape + array.shape)
        if not out.requires_grad:
            return jac
        for index in np.ndindex(out.shape):
            seed = np.zeros(out.shape)
            seed[index] = 1.0
            for step in backward_steps(out, seed):
                if step.node is leaf:
                    jac[index] = step.upstream
        return jac

    def evaluate() -> np.ndarray:
        with no_grad():
            return _call(f, [Tensor(array)]).data

    jac = np.zeros(evaluate().shape + array.shape)
    for index, slope in _central_differences(evaluate, array, eps):
        jac[(Ellipsis, *index)] = slope
    return jac


def vjp_check(
    f: Function,
    *inputs: Any,
    directions: int = 3,
    seed: int = 0,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
) -> GradCheckReport:
    """Check a backward pass along random directions, for inputs too big for a full Jacobian.

    For random u (one array per input) and v (shaped like the output), compare ⟨v, J u⟩ from
    one backward pass (the vector-Jacobian product vᵀJ, dotted with u) with the numerical
    directional derivative (⟨v, f(x + eps·u)⟩ − ⟨v, f(x − eps·u)⟩) / (2·eps). ``f`` may return
    any shape. Each direction costs one backward pass and two evaluations, whatever the size.
    """
    arrays = _input_arrays(f, inputs)
    directions = _checks.integer("directions", directions, 1)
    eps, atol, rtol = _tolerances(eps, atol, rtol)
    rng = np.random.default_rng(_checks.seed("seed", seed))
    rows = []
    for k in range(directions):
        tensors = [Tensor(a, requires_grad=True) for a in arrays]
        out = _call(f, tensors)
        v = rng.standard_normal(out.shape)
        u = [rng.standard_normal(a.shape) for a in arrays]
        if out.requires_grad:
            out.backward(v)
        vjps = [t.grad if t.grad is not None else np.zeros_like(t.data) for t in tensors]
        analytic = sum(float(np.sum(g * d)) for g, d in zip(vjps, u, strict=True))

        def along(step: float, direction: list[np.ndarray] = u, weights: np.ndarray = v) -> float:
            with no_grad():
                value = _call(f, [Tensor(a + step * d) for a, d in zip(arrays, direction, strict=True)])
            return float(np.sum(weights * value.data))

        numerical = (along(eps) - along(-eps)) / (2 * eps)
        rows.append(_Row(f"direction {k}", np.array(analytic), np.array(numerical)))
    return GradCheckReport("vjp_check", rows, atol, rtol)
