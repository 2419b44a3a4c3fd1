"""Neural networks, PyTorch-style: modules (layers), initialisers and losses.

>>> import backprop_nb as bp
>>> model = bp.nn.MLP([2, 16, 3], seed=0)       # Linear(2→16), ReLU, Linear(16→3)
>>> scores = model(bp.tensor([[0.5, -1.0]]))
>>> loss = bp.nn.cross_entropy(scores, [2])
>>> loss.backward()
>>> [name for name, p in model.named_parameters()]
['0.weight', '0.bias', '2.weight', '2.bias']

* :mod:`.module`: :class:`Module` (the base class) and :class:`Parameter`;
* :mod:`.layers`: Linear, ReLU, Tanh, Sigmoid, Identity, Dropout, LayerNorm;
* :mod:`.containers`: Sequential, MLP, Residual;
* :mod:`.init`: weight initialisers (``bp.nn.init.xavier_normal_`` ...);
* :mod:`.losses`: mse_loss, binary_cross_entropy(_with_logits), cross_entropy,
  multiclass_hinge, l2_penalty.
"""

from . import init
from .containers import MLP, Residual, Sequential
from .layers import Dropout, Identity, LayerNorm, Linear, ReLU, Sigmoid, Tanh
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l2_penalty,
    mse_loss,
    multiclass_hinge,
    weight_matrices,
)
from .module import Module, Parameter

__all__ = [
    "MLP",
    "Dropout",
    "Identity",
    "LayerNorm",
    "Linear",
    "Module",
    "Parameter",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "init",
    "l2_penalty",
    "mse_loss",
    "multiclass_hinge",
    "weight_matrices",
]
