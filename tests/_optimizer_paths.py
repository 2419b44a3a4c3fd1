"""A hand-written optimisation loop, the reference the optimiser and widget tests compare with."""

import numpy as np

import backprop_nb as bp


def stepped_points(make_optimizer, f, start, steps):
    """The start and the parameter after each of ``steps`` updates of ``make_optimizer([x])`` on ``f(x)``,
    written as the training loop's own words (zero_grad, backward, step), independent of optimizer_path.
    """
    x = bp.tensor(start, requires_grad=True)
    optimizer = make_optimizer([x])
    points = [x.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        f(x).backward()
        optimizer.step()
        points.append(x.data.copy())
    return np.array(points)
