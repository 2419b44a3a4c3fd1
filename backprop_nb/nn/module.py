"""Modules: objects that own parameters and compute something with them (PyTorch's ``nn.Module``).

Subclass :class:`Module`, assign parameters and sub-modules as attributes in ``__init__`` and
write ``forward``; calling the module runs ``forward``::

    class TwoLayerNet(bp.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = bp.nn.Linear(2, 16, seed=0)
            self.fc2 = bp.nn.Linear(16, 3, seed=1)

        def forward(self, x):
            return self.fc2(self.fc1(x).relu())

    net = TwoLayerNet()
    [name for name, _ in net.named_parameters()]  # ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']

As in PyTorch, a module finds its parameters among its attributes: every :class:`Parameter`
and every sub-module (searched recursively), in the order they were assigned. A plain list of
modules would hide them, so assigning one is an error (PyTorch silently ignores it): put them
in a :class:`~backprop_nb.nn.Sequential`.

**Scopes.** Calling a module runs its ``forward`` inside ``bp.scope(name)``, so every tensor
the module computes records which module made it (``t._scope``) and the graph picture can draw
the module as one box. The name is deterministic (it depends only on the model's structure,
never on ``id()`` or on how often a cell ran):

* the module you call yourself (the whole model) is named by :meth:`Module.describe`, e.g.
  ``"MLP(2→16→3, relu)"`` or ``"Linear(2→16)"``;
* a module called by the model it belongs to is named ``"<path>: <describe()>"``, where path is
  its attribute path in the model, as in ``named_parameters``: ``"0: Linear(2→16)"``,
  ``"1: ReLU"``, ``"fc1: Linear(2→16)"``, ``"layers.1: Linear(16→16)"``.

Scopes nest, so a tensor made by the first layer of an MLP has
``_scope == ("MLP(2→16→3, relu)", "0: Linear(2→16)")``. The same name starts the error
messages of a module that gets an input of the wrong shape.
"""

from __future__ import annotations

import contextvars
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from .. import _checks
from ..errors import ShapeError
from ..modes import scope
from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor that a :class:`Module` owns and trains: a leaf with ``requires_grad=True``.

    Assign one to a module attribute and the module lists it in ``parameters()``; if it has no
    name yet it takes the attribute's name (``"weight"``), which the graph picture shows.
    """

    __slots__ = ()

    def __init__(self, data: Any, name: str | None = None) -> None:
        super().__init__(data, requires_grad=True, name=name)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__().removeprefix("Tensor")


def to_tensor(x: Any) -> Tensor:
    """Tensors pass through unchanged; numbers and arrays become constant tensors."""
    return x if isinstance(x, Tensor) else Tensor(x)


_call_paths: contextvars.ContextVar[dict[int, str] | None] = contextvars.ContextVar(
    "backprop_nb_module_call_paths", default=None
)
"""While a module runs in this thread: the attribute path of every module of the outermost model
called, keyed by id(module) (unique while the call runs). Per thread, like the engine's settings
(see :mod:`backprop_nb.modes`): two threads calling two models do not see each other's paths."""


class _CallState:
    """The module paths of each model, kept between calls (shared by all threads: a cache).

    Finding the paths walks the whole module tree, which would cost every training step a few
    percent, so they are kept: ``known_paths`` maps id(model) → (weak reference to the model,
    its paths). ``tree_version`` counts the changes of any module tree (assigning or deleting an
    attribute that holds a module); when it has moved on, every kept entry is dropped.
    """

    def __init__(self) -> None:
        self.tree_version = 0
        self.known_paths: dict[int, tuple[weakref.ref[Module], dict[int, str]]] = {}
        self.known_version = 0  # the tree_version known_paths were found at


_calls = _CallState()


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")


class Module:
    """Base class of every layer and model: parameters found from attributes, ``forward`` to run.

    Attributes:
        training: True in training mode (the default), False after ``eval()``. Only layers
            that behave differently in training, such as Dropout, look at it.
    """

    training: bool = True

    def __init__(self) -> None:
        self.training = True

    def __setattr__(self, name: str, value: Any) -> None:
        """Assign an attribute, refusing the assignments that would hide parameters."""
        current = self.__dict__.get(name)
        if isinstance(current, Parameter) and isinstance(value, Tensor) and not isinstance(value, Parameter):
            raise TypeError(
                f"{type(self).__name__}.{name} is a Parameter; assigning a plain Tensor would stop it "
                f"being trained. Change its values in place (self.{name}.data[...] = ...) or assign a "
                f"new bp.nn.Parameter"
            )
        if isinstance(value, list | tuple | dict):
            items = value.values() if isinstance(value, dict) else value
            if any(isinstance(item, Module | Parameter) for item in items):
                raise TypeError(
                    f"{type(self).__name__}.{name}: a {type(value).__name__} of modules or parameters "
                    "is not searched for parameters, so the optimiser would never train them. Put "
                    f"modules in a container, self.{name} = bp.nn.Sequential(*modules) (PyTorch: "
                    "nn.ModuleList), and give each Parameter an attribute of its own"
                )
        if isinstance(value, Parameter) and value.name is None:
            value.name = name
        if isinstance(value, Module) or isinstance(current, Module):
            _calls.tree_version += 1
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        """Delete an attribute (``del model.fc``); removing a sub-module changes the module tree."""
        if isinstance(self.__dict__.get(name), Module):
            _calls.tree_version += 1
        super().__delattr__(name)

    # ----- running ------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; every subclass defines it. Call the module, not this."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` inside ``bp.scope(self.scope_name())`` (see the module docstring)."""
        outer = _call_paths.get()
        if outer is None or id(self) not in outer:  # the outermost model, or a module not in it
            _call_paths.set(self._module_paths())
        try:
            with scope(self.scope_name()):
                return self.forward(*args, **kwargs)
        finally:
            _call_paths.set(outer)

    def _module_paths(self) -> dict[int, str]:
        """id → attribute path of every module in this one's tree, as ``named_modules()`` gives them.

        Kept between calls until any module tree changes (see ``_CallState``). The weak
        reference tells this model from a dead one whose id was reused.
        """
        if _calls.known_version != _calls.tree_version:
            _calls.known_paths, _calls.known_version = {}, _calls.tree_version
        known = _calls.known_paths.get(id(self))
        if known is None or known[0]() is not self:
            known = (weakref.ref(self), {id(module): path for path, module in self.named_modules()})
            _calls.known_paths[id(self)] = known
        return known[1]

    def describe(self) -> str:
        """A short label for graph pictures, e.g. ``"Linear(2→16)"``; the class name by default."""
        return type(self).__name__

    def scope_name(self) -> str:
        """The name of this module's scope: ``"<path>: <describe()>"`` inside a model's call."""
        paths = _call_paths.get()
        path = paths.get(id(self), "") if paths else ""
        return f"{path}: {self.describe()}" if path else self.describe()

    def check_last_dim(self, x: Tensor, size: int) -> None:
        """Raise ShapeError, naming this module and both shapes, unless x has shape (..., size)."""
        if x.ndim == 0 or x.shape[-1] != size:
            raise ShapeError(
                f"{self.scope_name()} expects an input of shape (..., {size}) (last dimension {size}), "
                f"got shape {x.shape}"
            )

    # ----- the module tree ----------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their attribute names, in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def named_modules(self) -> Iterator[tuple[str, Module]]:
        """This module (path ``""``) and every sub-module below it, each once, parents first."""
        seen: set[int] = set()

        def visit(module: Module, path: str) -> Iterator[tuple[str, Module]]:
            if id(module) in seen:
                return
            seen.add(id(module))
            yield path, module
            for name, child in module.named_children():
                yield from visit(child, _join(path, name))

        yield from visit(self, "")

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def get_submodule(self, target: str) -> Module:
        """The sub-module at a dotted path, e.g. ``model.get_submodule("layers.1")``."""
        if not isinstance(target, str):
            raise TypeError(f"get_submodule takes a dotted path such as 'layers.1', got {target!r}")
        module = self
        for part in target.split(".") if target else []:
            child = vars(module).get(part)
            if not isinstance(child, Module):
                names = [name for name, _ in module.named_children()]
                raise AttributeError(
                    f"{type(module).__name__} has no sub-module {part!r} (looking up {target!r}); "
                    f"its sub-modules are {names}"
                )
            module = child
        return module

    # ----- parameters ---------------------------------------------------------------------
    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (``"0.weight"``, ``"fc1.bias"``), each once.

        Order: each module's own parameters before those of its sub-modules, all in assignment
        order (as in PyTorch). A parameter shared by two modules appears once, under its first name.
        """
        seen: set[int] = set()
        for path, module in self.named_modules():
            for name, value in vars(module).items():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield _join(path, name), value

    def parameters(self) -> Iterator[Parameter]:
        """Every parameter, each once, in the order of ``named_parameters()``. An iterator: wrap
        it in ``list()`` to use it twice."""
        for _, parameter in self.named_parameters():
            yield parameter

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters: ``.grad = None`` (or zeros), as in PyTorch.

        Needed before each backward pass of training, because ``backward()`` adds to ``.grad``.
        """
        set_to_none = _checks.boolean("set_to_none", set_to_none)
        for parameter in self.parameters():
            parameter.grad = None if set_to_none else np.zeros_like(parameter.data)

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's values, by name: save it to restore the weights later."""
        return {name: parameter.data.copy() for name, parameter in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy values from ``state_dict()`` into the parameters (in place: optimisers keep working)."""
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict takes a dict of arrays by parameter name, as state_dict() returns, "
                f"got {type(state).__name__}"
            )
        parameters = dict(self.named_parameters())
        missing = sorted(parameters.keys() - state.keys())
        unexpected = sorted(state.keys() - parameters.keys())
        if missing or unexpected:
            raise KeyError(
                f"load_state_dict: names do not match {type(self).__name__}'s parameters; "
                f"missing {missing}, unexpected {unexpected}"
            )
        for name, parameter in parameters.items():
            try:
                values = np.asarray(state[name], dtype=np.float64)
            except (TypeError, ValueError) as err:
                raise TypeError(f"load_state_dict: {name!r} must be an array of numbers: {err}") from err
            if values.shape != parameter.shape:
                raise ShapeError(
                    f"load_state_dict: {name!r} has shape {values.shape} but the parameter has shape "
                    f"{parameter.shape}"
                )
            parameter.data[...] = values

    # ----- modes --------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Switch this module and all its sub-modules to training mode (or, with False, evaluation).

        It only sets ``.training``: it does not fit anything. Returns the module.
        """
        if not isinstance(mode, bool | np.bool_):
            raise TypeError(
                f"train(mode) switches training mode and takes True or False, got {type(mode).__name__}; "
                "it does not fit the model (that is the training loop's job)"
            )
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (``train(False)``): Dropout then passes inputs through."""
        return self.train(False)

    # ----- printing -----------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The settings shown inside the parentheses of ``repr``, e.g. ``"p=0.5"``."""
        return ""

    def __repr__(self) -> str:
        """PyTorch's nested layout: one line per sub-module, ``(name): repr``, indented."""
        children = [f"({name}): {_indent(repr(child))}" for name, child in self.named_children()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [self.extra_repr(), *children] if self.extra_repr() else children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
