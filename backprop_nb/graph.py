"""The one graph walk: topological order, and the backward pass as a sequence of steps.

Backpropagation visits the graph from the output back to the inputs, handling each node only
after every node that uses it, i.e. in *reverse topological order*. At each node it multiplies
the gradient arriving from above (upstream) by the node's local derivative and passes the
result (the contribution) to each of the node's inputs, where contributions from several paths
add up.

:func:`backward_steps` yields that walk one node at a time. ``Tensor.backward()`` is nothing
but consuming it, the graph picture draws the same order, and the step-through widget shows
the same steps: what you step through *is* the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .errors import GradError, ShapeError
from .modes import check_finite, current_settings

if TYPE_CHECKING:
    from .ops import Op
    from .tensor import Tensor


def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on, each listed after all of its inputs; ``root`` is last.

    Tensors are numbered as they are created, and an op's output is always created after its
    inputs, so sorting the tensors that ``root`` depends on by that number is a topological
    order: the order in which your code computed them. Finding them is a loop with a stack
    (no recursion, so a graph 10,000 ops deep is fine), and the order is the same every run.
    """
    _check_root(root, "topological_order")
    found = {root}  # tensors hash by identity
    stack = [root]
    while stack:
        op = stack.pop().op
        if op is not None:
            for parent in op.parents:
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
    return sorted(found, key=_creation_number)


_creation_number = attrgetter("_id")


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient back to ``shape`` over the axes that broadcasting stretched.

    If ``b`` of shape (3,) was added to ``x`` of shape (4, 3), ``b`` was used 4 times, so its
    gradient is the sum of the 4 rows of the upstream gradient.
    """
    if grad.shape == shape:
        return grad
    original = grad.shape
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    if grad.shape != shape:
        raise ShapeError(f"a gradient of shape {original} cannot be summed back to its input's shape {shape}")
    return grad


class BackwardStep(NamedTuple):
    """One node of the backward pass.

    Attributes:
        node: the tensor whose gradient is now complete.
        upstream: ∂root/∂node, the sum of every contribution that reached it.
        grads: for each input of the node's op, in argument order, upstream × local derivative
            summed back to the input's shape (None for inputs that need no gradient); empty
            for a leaf. ``contributions`` pairs them with the inputs.
    """

    node: Tensor
    upstream: np.ndarray
    grads: tuple[np.ndarray | None, ...]

    @property
    def op(self) -> Op | None:
        return self.node.op

    @property
    def contributions(self) -> tuple[tuple[Tensor, np.ndarray | None], ...]:
        """(input, gradient it receives from this node) for each input of the op."""
        if self.node.op is None:
            return ()
        return tuple(zip(self.node.op.parents, self.grads, strict=True))

    def local_grads(self) -> tuple[np.ndarray | None, ...]:
        """Each input's local derivative, ∂node/∂input, found by running backward on ones.

        For scalar and elementwise ops this is exactly the local derivative, so that
        upstream × local = contribution. For other ops (sums, matmul) it is ∂(Σ node)/∂input.
        Computed only when asked, for display; the backward pass itself never needs it.
        """
        op = self.node.op
        if op is None:
            return ()
        return _fit_to_inputs(op, _as_gradient_tuple(op, op.backward(np.ones_like(self.upstream))))


_step = tuple.__new__
"""Builds a BackwardStep without namedtuple's Python-level constructor (this runs per node)."""


def _as_gradient_tuple(op: Op, grads: Any) -> tuple[Any, ...]:
    """What ``op.backward`` returned, as a tuple with one gradient per input.

    Gates may return a tuple, a list (as the lectures' gates do) or, with one input, a single
    gradient; a wrong count is the gate's bug, so it raises.
    """
    if type(grads) is not tuple:
        grads = tuple(grads) if isinstance(grads, list) else (grads,)
    if len(grads) != len(op.parents):
        raise GradError(
            f"{type(op).__name__}.backward returned {len(grads)} gradients for {len(op.parents)} inputs"
        )
    return grads


def _fit_to_inputs(op: Op, grads: tuple[Any, ...]) -> tuple[np.ndarray | None, ...]:
    """Make a gate's gradients fit its inputs.

    An input that needs no gradient gets None; every other gradient becomes an array of its
    input's shape, summed over the axes broadcasting stretched (:func:`unbroadcast`).
    """
    result = []
    for parent, g in zip(op.parents, grads, strict=True):
        if g is None or not parent.requires_grad:
            result.append(None)
            continue
        if not hasattr(g, "shape"):  # a plain Python number from a hand-written gate
            g = np.asarray(g, dtype=np.float64)
        shape = parent.shape
        result.append(g if g.shape == shape else unbroadcast(g, shape))
    return tuple(result)


def _check_root(root: Any, where: str) -> None:
    from .tensor import Tensor  # here: tensor.py imports this module

    if not isinstance(root, Tensor):
        raise TypeError(f"{where} needs a Tensor, got a {type(root).__name__}")


def _describe(t: Tensor) -> str:
    return f"tensor {t.name!r}" if t.name is not None else f"this tensor (shape {t.shape})"


def seed_gradient(root: Tensor, grad: Any = None) -> np.ndarray | np.float64:
    """The gradient the backward pass starts from: 1 for a one-element root, else ``grad``.

    For a root of shape () the 1 is a numpy scalar, like every one-number value the gates see.
    """
    _check_root(root, "backward")
    if not root.requires_grad:
        raise GradError(
            f"backward() through {_describe(root)}, which does not require grad: it was made from "
            "tensors with requires_grad=False (or inside no_grad()). Create the inputs you want "
            "gradients for with requires_grad=True."
        )
    if grad is None:
        if root.size != 1:
            raise GradError(
                f"backward() without a gradient needs a one-element output (a scalar loss), but "
                f"{_describe(root)} has shape {root.shape}. Pass grad=, an array of shape {root.shape} "
                "(e.g. ones, to get the gradient of the sum)."
            )
        return np.float64(1.0) if root.ndim == 0 else np.ones(root.shape)
    seed = np.array(grad, dtype=np.float64)
    if seed.shape != root.shape:
        raise ShapeError(
            f"backward(grad): grad has shape {seed.shape} but {_describe(root)} has shape {root.shape}; they must match"
        )
    return seed


def backward_steps(root: Tensor, grad: Any = None) -> Iterator[BackwardStep]:
    """Walk the backward pass from ``root``, yielding one :class:`BackwardStep` per node.

    Nodes come in reverse topological order, so every node's upstream gradient is complete
    (all paths through it have contributed) before it is used. Only nodes that require grad
    appear. The walk writes no ``.grad``: ``Tensor.backward`` does that with each step.
    """
    pending = {root: seed_gradient(root, grad)}  # tensor -> its gradient so far
    check_anomaly = current_settings().detect_anomaly
    for node in reversed(topological_order(root)):
        upstream = pending.pop(node, None)
        if upstream is None:
            continue
        op = node.op
        if op is None:
            yield _step(BackwardStep, (node, upstream, ()))
            continue
        grads = op.backward(upstream)
        parents = op.parents
        if type(grads) is not tuple or len(grads) != len(parents):
            grads = _as_gradient_tuple(op, grads)
        for i, parent in enumerate(parents):  # grads[i] is parent's gradient (cheaper than zip)
            g = grads[i]
            if g is None:
                continue
            if not parent.requires_grad or getattr(g, "shape", None) != parent._value.shape:
                # Broadcasting stretched this input, or the gate computed a gradient no one
                # needs: fit them all to their inputs (those already passed on stay the same).
                grads = _fit_to_inputs(op, grads)
                g = grads[i]
                if g is None:
                    continue
            if check_anomaly:
                check_finite(g, op, "backward", op.parents)
            previous = pending.get(parent)
            pending[parent] = g if previous is None else previous + g
        yield _step(BackwardStep, (node, upstream, grads))
