"""Containers: modules made of other modules. Sequential, the MLP built on it, and Residual."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from .. import _checks
from ..errors import ShapeError
from ..tensor import Tensor
from .init import Seed
from .layers import Initialiser, Linear, ReLU, Sigmoid, Tanh
from .module import Module, to_tensor

_ACTIVATIONS: dict[str, type[Module]] = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The modules are its children ``"0"``, ``"1"``, ... (so parameters are named ``"0.weight"``).
    It works like a list: ``len(model)``, ``model[0]``, ``model[-1]``, ``for layer in model``;
    a slice gives a new Sequential of the same modules, numbered from 0 (PyTorch keeps the
    original numbers).
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for position, module in enumerate(modules):
            if isinstance(module, list | tuple):
                raise TypeError(
                    f"Sequential takes modules as separate arguments, got a {type(module).__name__}: "
                    "unpack it, Sequential(*modules)"
                )
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential takes Modules, got {type(module).__name__} at position {position}; "
                    "for an activation use its module, e.g. bp.nn.ReLU() rather than bp.relu"
                )
            setattr(self, str(position), module)

    def _layers(self) -> list[Module]:
        return list(self.children())

    def __len__(self) -> int:
        return len(self._layers())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers())

    def __getitem__(self, index: int | slice) -> Any:
        layers = self._layers()
        if isinstance(index, slice):
            return Sequential(*layers[index])
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"Sequential indices must be integers or slices, got {type(index).__name__}")
        if not -len(layers) <= index < len(layers):
            raise IndexError(
                f"index {index} is out of range for a {type(self).__name__} of {len(layers)} modules"
            )
        return layers[index]

    def forward(self, x: Any) -> Any:
        for layer in self:
            x = layer(x)
        return x


class MLP(Sequential):
    """A multilayer perceptron: Linear, activation, Linear, ..., Linear, with no activation at the end.

    ``MLP([2, 16, 16, 3])`` is ``Sequential(Linear(2, 16), ReLU(), Linear(16, 16), ReLU(),
    Linear(16, 3))``: its output is raw scores (logits), ready for ``cross_entropy``.

    Args:
        sizes: the width of every layer, input first: at least two positive integers.
        activation: ``"relu"``, ``"tanh"`` or ``"sigmoid"``, between the Linear layers.
        init: how each Linear draws its weights (see :class:`Linear`).
        seed: an int or numpy Generator. One generator draws all layers in order, so the same
            seed always gives the same network and the layers still differ from each other.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        init: str | Initialiser = "default",
        seed: Seed = None,
    ) -> None:
        if not isinstance(sizes, Iterable) or isinstance(sizes, str):
            raise TypeError(f"MLP sizes must be a list of layer widths such as [2, 16, 3], got {sizes!r}")
        sizes = tuple(sizes)
        if len(sizes) < 2 or any(
            isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1 for n in sizes
        ):
            raise ValueError(
                f"MLP sizes must be at least two positive integers (input size, ..., output size), got {sizes}"
            )
        if not isinstance(activation, str) or activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        rng = np.random.default_rng(_checks.seed("seed", seed))
        layers: list[Module] = []
        for n_in, n_out in pairwise(sizes):
            if layers:
                layers.append(_ACTIVATIONS[activation]())
            layers.append(Linear(n_in, n_out, init=init, seed=rng))
        super().__init__(*layers)
        self.sizes = tuple(int(n) for n in sizes)
        self.activation = activation

    def describe(self) -> str:
        return f"MLP({'→'.join(map(str, self.sizes))}, {self.activation})"


class Residual(Module):
    """A skip connection: x + block(x). The block must return the shape it was given."""

    def __init__(self, block: Module) -> None:
        super().__init__()
        if not isinstance(block, Module):
            raise TypeError(f"Residual wraps a Module, got {type(block).__name__}")
        self.block = block

    def forward(self, x: Any) -> Tensor:
        x = to_tensor(x)
        out = self.block(x)
        if out.shape != x.shape:
            raise ShapeError(
                f"{self.scope_name()} computes x + block(x), so the block must keep the shape, but "
                f"{self.block.scope_name()} turned shape {x.shape} into {out.shape}"
            )
        return x + out
