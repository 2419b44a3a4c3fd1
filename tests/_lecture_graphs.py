"""Graphs from the lectures that several test modules build."""

import backprop_nb as bp


def lecture_function(x: bp.Tensor, y: bp.Tensor, z: bp.Tensor) -> bp.Tensor:
    """f = (x + y) z with q = x + y and f named, as a function of its inputs (for graph_explorer)."""
    q = x + y
    q.name = "q"
    f = q * z
    f.name = "f"
    return f


def lecture_f() -> tuple[bp.Tensor, ...]:
    """f = (x + y) z at x = -2, y = 5, z = -4, with q = x + y named: the lectures' first graph.

    Returns (x, y, z, q, f), before any backward pass.
    """
    x = bp.tensor(-2.0, requires_grad=True, name="x")
    y = bp.tensor(5.0, requires_grad=True, name="y")
    z = bp.tensor(-4.0, requires_grad=True, name="z")
    f = lecture_function(x, y, z)
    return x, y, z, f.op.parents[0], f
