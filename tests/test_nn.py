"""Tests for backprop_nb.nn modules, layers and initialisers (losses are in test_losses.py)."""

import copy
import math
import re

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb import nn
from backprop_nb.errors import ShapeError
from backprop_nb.graph import topological_order
from backprop_nb.modes import current_settings
from backprop_nb.ops import Linear as LinearOp


def raises(exc, message):
    """``pytest.raises`` matching ``message`` literally, not as a regex."""
    return pytest.raises(exc, match=re.escape(message))


def module_grad_check(module, x, seed=0):
    """bp.grad_check of Σ R ⊙ module(x) (R random) with respect to x and every parameter.

    grad_check makes fresh tensors for its inputs, so the function puts them in place of the
    module's parameters for the call (writing to vars() directly, because Module refuses to
    replace a Parameter by a plain Tensor) and puts the parameters back afterwards.
    """
    named = list(module.named_parameters())
    weights = np.random.default_rng(seed).standard_normal(module(x).shape)

    def f(x, *values):
        for (name, _), value in zip(named, values, strict=True):
            owner, _, attr = name.rpartition(".")
            vars(module.get_submodule(owner))[attr] = value
        try:
            return (module(x) * weights).sum()
        finally:
            for name, parameter in named:
                owner, _, attr = name.rpartition(".")
                vars(module.get_submodule(owner))[attr] = parameter

    report = bp.grad_check(f, x, *[p.data for _, p in named])
    assert len(report.rows) == 1 + len(named)
    return report


def same_state(a, b):
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


class TwoLayerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(2.0)
        self.fc1 = nn.Linear(3, 4, seed=0)
        self.fc2 = nn.Linear(4, 2, seed=1)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu()) * self.scale


# ----- Parameter and Module -----------------------------------------------------------------
def test_parameter_is_a_trainable_leaf_and_copies_its_data():
    data = np.array([1.0, 2.0])
    p = nn.Parameter(data)
    data[0] = 99.0
    assert isinstance(p, bp.Tensor)
    assert p.requires_grad and p.is_leaf and p.grad is None
    assert p.data.tolist() == [1.0, 2.0]
    assert repr(p) == "Parameter([1., 2.], requires_grad=True)"


def test_named_parameters_order_names_and_attribute_names():
    net = TwoLayerNet()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [p for p in net.parameters()] == [p for _, p in net.named_parameters()]
    assert net.fc1.weight.name == "weight" and net.scale.name == "scale"
    assert [name for name, _ in net.named_children()] == ["fc1", "fc2"]
    assert list(net.children()) == [net.fc1, net.fc2]
    assert list(net.modules()) == [net, net.fc1, net.fc2]
    assert net.get_submodule("fc2") is net.fc2 and net.get_submodule("") is net


def test_shared_modules_and_parameters_are_listed_once():
    layer = nn.Linear(2, 2, seed=0)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert [name for name, _ in model.named_modules()] == ["", "0", "1"]
    tied = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Linear(2, 2, seed=1))
    tied[1].weight = tied[0].weight
    assert [name for name, _ in tied.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_nested_parameter_names_follow_attribute_paths():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))

        def forward(self, x):
            return self.layers(x)

    names = [name for name, _ in Net().named_parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]


def test_reassigning_and_deleting_attributes_updates_the_parameters():
    net = TwoLayerNet()
    del net.scale
    net.fc2 = nn.Linear(4, 5, seed=2)
    assert [name for name, _ in net.named_parameters()] == [
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    assert net.fc2.weight.shape == (5, 4)


def test_a_plain_list_of_modules_is_refused():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(2, 2), nn.Linear(2, 2)]

    with raises(TypeError, "Net.layers: a list of modules or parameters is not searched for parameters"):
        Net()
    module = nn.Module()
    with raises(TypeError, "self.weights = bp.nn.Sequential(*modules)"):
        module.weights = {"a": nn.Parameter(1.0)}
    module.sizes = [2, 3]  # lists of other things are plain attributes
    module.cache = [bp.tensor(1.0)]
    assert list(module.parameters()) == []


def test_a_plain_tensor_cannot_replace_a_parameter():
    layer = nn.Linear(2, 2, seed=0)
    with raises(
        TypeError, "Linear.weight is a Parameter; assigning a plain Tensor would stop it being trained"
    ):
        layer.weight = layer.weight * 2
    layer.weight = nn.Parameter(np.ones((2, 2)))  # a new Parameter is fine
    assert layer.weight.data.sum() == 4.0


def test_get_submodule_names_the_missing_part():
    with raises(
        AttributeError, "Sequential has no sub-module 'fc' (looking up '0.fc'); its sub-modules are []"
    ):
        nn.Sequential(nn.Sequential()).get_submodule("0.fc")


def test_forward_must_be_defined():
    with raises(NotImplementedError, "Module must define forward()"):
        nn.Module()(1.0)


def test_zero_grad_sets_none_or_zeros():
    net = TwoLayerNet()
    net(np.ones((2, 3))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5), nn.ReLU()))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model.train(False)
    assert not model[1][0].training
    with raises(TypeError, "train(mode) switches training mode and takes True or False, got ndarray"):
        model.train(np.ones((3, 2)))


def test_a_module_works_without_calling_super_init():
    class Lazy(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 1, seed=0)

        def forward(self, x):
            return self.fc(x)

    lazy = Lazy()
    assert lazy.training and [n for n, _ in lazy.named_parameters()] == ["fc.weight", "fc.bias"]
    assert not lazy.eval().training


def test_state_dict_round_trip_in_place():
    model = nn.MLP([2, 3, 1], seed=0)
    saved = model.state_dict()
    weight = model[0].weight
    saved_copy = {k: v.copy() for k, v in saved.items()}
    for p in model.parameters():
        p.data += 1.0
    assert np.array_equal(saved["0.weight"], saved_copy["0.weight"])  # a copy, not a view
    model.load_state_dict(saved)
    assert model[0].weight is weight
    assert all(np.array_equal(model.state_dict()[k], saved_copy[k]) for k in saved)


def test_load_state_dict_errors_name_the_problem():
    model = nn.MLP([2, 3, 1], seed=0)
    state = model.state_dict()
    with raises(KeyError, "missing ['2.bias'], unexpected ['2.b']"):
        model.load_state_dict({**{k: v for k, v in state.items() if k != "2.bias"}, "2.b": np.zeros(1)})
    with raises(ShapeError, "'0.weight' has shape (2, 3) but the parameter has shape (3, 2)"):
        model.load_state_dict({**state, "0.weight": np.zeros((2, 3))})


def test_deepcopy_gives_independent_parameters():
    model = nn.MLP([2, 3, 1], seed=0)
    clone = copy.deepcopy(model)
    clone[0].weight.data[...] = 0.0
    assert isinstance(clone[0].weight, nn.Parameter)
    assert model[0].weight.data.any()


def test_repr_is_nested_like_pytorch():
    assert repr(nn.MLP([2, 16, 3], activation="tanh", seed=0)) == (
        "MLP(\n"
        "  (0): Linear(in_features=2, out_features=16, bias=True)\n"
        "  (1): Tanh()\n"
        "  (2): Linear(in_features=16, out_features=3, bias=True)\n"
        ")"
    )
    model = nn.Sequential(
        nn.Residual(nn.Sequential(nn.LayerNorm(4), nn.Linear(4, 4, bias=False))), nn.Dropout(0.25)
    )
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Residual(\n"
        "    (block): Sequential(\n"
        "      (0): LayerNorm((4,), eps=1e-05)\n"
        "      (1): Linear(in_features=4, out_features=4, bias=False)\n"
        "    )\n"
        "  )\n"
        "  (1): Dropout(p=0.25)\n"
        ")"
    )
    assert repr(TwoLayerNet()).startswith("TwoLayerNet(\n  (fc1): Linear(in_features=3")


# ----- scopes -------------------------------------------------------------------------------
def _scopes_by_label(out):
    return {t.op.describe(): t._scope for t in topological_order(out) if t.op is not None}


def test_a_layer_called_alone_is_its_own_scope():
    out = nn.Linear(2, 3, seed=0)(bp.tensor([[1.0, 2.0]]))
    assert out._scope == ("Linear(2→3)",)
    assert current_settings().scope == ()


def test_scopes_name_each_layer_by_path_and_description():
    model = nn.MLP([2, 4, 3], seed=0)
    out = model(bp.tensor([[1.0, 2.0]]))
    top = "MLP(2→4→3, relu)"
    assert out._scope == (top, "2: Linear(4→3)")
    assert out.op.parents[0]._scope == (top, "1: ReLU")
    assert out.op.parents[0].op.parents[0]._scope == (top, "0: Linear(2→4)")
    assert current_settings().scope == ()


def test_scopes_of_nested_modules_use_the_full_attribute_path():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(nn.Residual(nn.Sequential(nn.Linear(2, 2, seed=0))), nn.Sigmoid())

        def forward(self, x):
            return self.layers(x)

    out = Net()(bp.tensor([[1.0, 2.0]]))
    scopes = _scopes_by_label(out)
    assert scopes["linear"] == (
        "Net",
        "layers: Sequential",
        "layers.0: Residual",
        "layers.0.block: Sequential",
        "layers.0.block.0: Linear(2→2)",
    )
    assert scopes["+"] == ("Net", "layers: Sequential", "layers.0: Residual")
    assert scopes["sigmoid"] == ("Net", "layers: Sequential", "layers.1: Sigmoid")


def test_scope_names_are_the_same_for_a_rebuilt_model_and_inside_user_scopes():
    def scopes():
        model = nn.MLP([2, 2, 2], seed=0)
        with bp.scope("model"):
            return [t._scope for t in topological_order(model(bp.tensor([[1.0, 2.0]]))) if t.op]

    first = scopes()
    assert first == scopes()
    assert all(s[:2] == ("model", "MLP(2→2→2, relu)") for s in first)


def test_a_module_outside_the_model_is_its_own_scope_root():
    helper = nn.Tanh()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2, seed=0)

        def forward(self, x):
            return helper(self.fc(x))

    out = Net()(bp.tensor([1.0, 2.0]))
    assert out._scope == ("Net", "Tanh")


def test_scope_names_follow_changes_of_the_module_tree():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2, seed=0)

        def forward(self, x):
            return self.fc(x) if "fc" in vars(self) else self.head(x)

    net = Net()
    x = bp.tensor([[1.0, 2.0]])
    assert net(x)._scope == ("Net", "fc: Linear(2→2)")
    net.fc = nn.Linear(2, 2, seed=1)  # a new layer in the same place
    assert net(x)._scope == ("Net", "fc: Linear(2→2)")
    net.head = net.fc  # the same layer under two names: the first one found names it
    assert net(x)._scope == ("Net", "fc: Linear(2→2)")
    del net.fc
    assert net(x)._scope == ("Net", "head: Linear(2→2)")
    net.fc = nn.Sequential(nn.Linear(2, 2, seed=2))
    assert net(x)._scope == ("Net", "fc: Sequential", "fc.0: Linear(2→2)")
    twin = copy.deepcopy(net)  # a copy has modules of its own, named the same
    assert twin(x)._scope == net(x)._scope
    assert [name for name, _ in twin.named_modules()] == ["", "head", "fc", "fc.0"]


def test_scope_is_restored_when_forward_raises():
    with pytest.raises(ShapeError):
        nn.MLP([2, 3, 1], seed=0)(bp.tensor([[1.0, 2.0, 3.0]]))
    assert current_settings().scope == ()
    assert nn.Linear(2, 3).scope_name() == "Linear(2→3)"


# ----- Linear -------------------------------------------------------------------------------
def test_linear_computes_x_w_transposed_plus_b_as_one_op():
    layer = nn.Linear(3, 2, seed=0)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    out = layer(x)
    assert isinstance(out.op, LinearOp)
    assert np.allclose(out.data, x @ layer.weight.data.T + layer.bias.data)
    assert layer(x[0]).shape == (2,)  # one example as a 1-D vector


def test_linear_gradients():
    rng = np.random.default_rng(1)
    assert module_grad_check(nn.Linear(3, 2, seed=0), rng.standard_normal((4, 3)))
    assert module_grad_check(nn.Linear(3, 2, bias=False, seed=0), rng.standard_normal((4, 3)))
    assert module_grad_check(nn.Linear(3, 2, seed=0), rng.standard_normal(3))


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False, seed=0)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    assert layer.describe() == "Linear(3→2, no bias)"
    assert np.allclose(layer(np.ones(3)).data, layer.weight.data.sum(axis=1))


def test_linear_default_init_is_pytorchs_uniform():
    layer = nn.Linear(64, 500, seed=0)
    bound = 1 / math.sqrt(64)
    for values in (layer.weight.data, layer.bias.data):
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.95 * bound
    assert layer.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)


def test_linear_named_and_custom_inits():
    xavier = nn.Linear(300, 200, init="xavier_normal", seed=0)
    assert xavier.weight.data.std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    assert not xavier.bias.data.any()
    he = nn.Linear(300, 200, init="kaiming_normal", seed=0)
    assert he.weight.data.std() == pytest.approx(math.sqrt(2 / 300), rel=0.02)
    zero = nn.Linear(3, 2, init="zeros", seed=0)
    assert not zero.weight.data.any() and not zero.bias.data.any()

    def small_normal(weight, seed):
        return nn.init.normal_(weight, std=0.1, seed=seed)

    small = nn.Linear(300, 200, init=small_normal, seed=0)
    assert small.weight.data.std() == pytest.approx(0.1, rel=0.02)
    with raises(ValueError, "init must be 'default', one of ['kaiming_normal', 'xavier_normal'"):
        nn.Linear(2, 2, init="he")


def test_linear_seed_gives_the_same_weights_and_reset_parameters_redraws():
    a, b = nn.Linear(4, 3, seed=7), nn.Linear(4, 3, seed=7)
    assert np.array_equal(a.weight.data, b.weight.data) and np.array_equal(a.bias.data, b.bias.data)
    weight = a.weight
    a.reset_parameters(seed=8)
    assert a.weight is weight and not np.array_equal(a.weight.data, b.weight.data)
    a.reset_parameters(seed=7)
    assert np.array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(nn.Linear(4, 3).weight.data, nn.Linear(4, 3).weight.data)


def test_linear_wrong_input_shape_names_the_layer_and_both_shapes():
    with raises(
        ShapeError, "Linear(3→2) expects an input of shape (..., 3) (last dimension 3), got shape (5, 4)"
    ):
        nn.Linear(3, 2)(np.ones((5, 4)))
    with raises(ShapeError, "got shape ()"):
        nn.Linear(1, 2)(1.0)
    with raises(
        ShapeError, "0: Linear(2→4) expects an input of shape (..., 2) (last dimension 2), got shape (5, 3)"
    ):
        nn.MLP([2, 4, 1])(np.ones((5, 3)))


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "3"])
def test_linear_sizes_must_be_positive_integers(bad):
    with raises(ValueError, f"in_features must be a positive integer, got {bad!r}"):
        nn.Linear(bad, 2)


# ----- activations --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        (nn.ReLU(), lambda x: np.maximum(x, 0)),
        (nn.Tanh(), np.tanh),
        (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
        (nn.Identity(), lambda x: x),
    ],
)
def test_activation_values_on_any_shape(layer, expected):
    for x in (np.array(-0.7), np.array([-2.0, 0.5, 3.0]), np.array([[-1.0, 2.0], [0.3, -0.1]])):
        out = layer(x)
        assert isinstance(out, bp.Tensor) and out.shape == x.shape
        assert np.allclose(out.data, expected(x))


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity()])
def test_activation_gradients(layer):
    x = np.array([[-1.3, 0.4, 2.2], [0.7, -0.2, -3.0]])
    assert module_grad_check(layer, x)
    assert module_grad_check(layer, x[0])


# ----- Sequential and MLP -------------------------------------------------------------------
def test_sequential_applies_modules_in_order_and_acts_like_a_list():
    first, act, last = nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1)
    model = nn.Sequential(first, act, last)
    x = np.array([[0.5, -1.0], [2.0, 1.0]])
    assert np.allclose(model(x).data, last(act(first(x))).data)
    assert len(model) == 3 and list(model) == [first, act, last]
    assert model[0] is first and model[-1] is last
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [first, act]
    assert [n for n, _ in head.named_parameters()] == ["0.weight", "0.bias"]
    assert module_grad_check(model, x)


def test_sequential_errors():
    with raises(
        TypeError, "Sequential takes Modules, got function at position 1; for an activation use its module"
    ):
        nn.Sequential(nn.Linear(2, 2), bp.relu)
    with raises(TypeError, "got a list: unpack it, Sequential(*modules)"):
        nn.Sequential([nn.Linear(2, 2)])
    with raises(IndexError, "index 3 is out of range for a Sequential of 3 modules"):
        nn.Sequential(nn.ReLU(), nn.ReLU(), nn.ReLU())[3]
    with raises(TypeError, "Sequential indices must be integers or slices, got str"):
        nn.Sequential(nn.ReLU())["0"]


def test_mlp_structure():
    model = nn.MLP([2, 16, 8, 3], activation="sigmoid", seed=0)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "Sigmoid", "Linear", "Sigmoid", "Linear"]  # nothing after the last
    assert [m.weight.shape for m in model if isinstance(m, nn.Linear)] == [(16, 2), (8, 16), (3, 8)]
    assert [n for n, _ in model.named_parameters()] == [
        f"{i}.{kind}" for i in (0, 2, 4) for kind in ("weight", "bias")
    ]
    assert model.describe() == "MLP(2→16→8→3, sigmoid)"
    assert [type(m).__name__ for m in nn.MLP([5, 1])] == ["Linear"]


def test_mlp_forward_is_the_layers_by_hand():
    model = nn.MLP([2, 3, 2], seed=0)
    x = np.array([[0.5, -1.0], [2.0, 1.0]])
    (w1, b1), (w2, b2) = [(m.weight.data, m.bias.data) for m in (model[0], model[2])]
    assert np.allclose(model(x).data, np.maximum(x @ w1.T + b1, 0) @ w2.T + b2)


def test_mlp_gradients():
    x = np.random.default_rng(3).standard_normal((4, 2))
    assert module_grad_check(nn.MLP([2, 3, 2], activation="tanh", seed=0), x)
    assert module_grad_check(nn.MLP([2, 3, 2], activation="relu", seed=1), x)


def test_mlp_seed_is_deterministic_and_never_touches_numpys_global_state():
    np.random.seed(123)
    state = np.random.get_state()
    first = nn.MLP([2, 16, 3], seed=0).state_dict()
    np.random.seed(456)  # a different global state must not matter
    second = nn.MLP([2, 16, 3], seed=0).state_dict()
    assert all(np.array_equal(first[k], second[k]) for k in first)
    assert not np.array_equal(first["0.weight"][:2], first["2.weight"][:2, :2])  # layers differ
    assert not np.array_equal(first["0.weight"], nn.MLP([2, 16, 3], seed=1).state_dict()["0.weight"])
    np.random.seed(123)
    nn.MLP([2, 16, 3], seed=0)
    nn.Linear(2, 2)
    dropout = nn.Dropout(0.5, seed=0)
    dropout(np.ones(10))
    assert same_state(np.random.get_state(), state)


@pytest.mark.parametrize("sizes", [[3], [], [2, 0, 1], [2, 1.5], [2, True]])
def test_mlp_sizes_are_checked(sizes):
    with raises(ValueError, "MLP sizes must be at least two positive integers"):
        nn.MLP(sizes)


def test_mlp_activation_is_checked():
    with raises(ValueError, "activation must be one of ['relu', 'sigmoid', 'tanh'], got 'softmax'"):
        nn.MLP([2, 2], activation="softmax")


# ----- Dropout ------------------------------------------------------------------------------
def test_dropout_zeroes_a_fraction_p_and_scales_the_rest():
    x = np.ones((200, 50))
    out = nn.Dropout(0.3, seed=0)(x).data
    kept = out != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.02)
    assert np.allclose(out[kept], 1 / 0.7)
    assert out.mean() == pytest.approx(1.0, abs=0.03)  # the expected value is unchanged


def test_dropout_in_eval_mode_and_with_p_zero_is_the_identity():
    x = bp.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    layer = nn.Dropout(0.5, seed=0).eval()
    assert layer(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert np.array_equal(layer(np.array([1.0, 2.0])).data, [1.0, 2.0])


def test_dropout_masks_are_seeded_and_fresh_on_every_call():
    x = np.ones(100)
    a, b = nn.Dropout(0.5, seed=4), nn.Dropout(0.5, seed=4)
    first, again = a(x).data, a(x).data
    assert np.array_equal(first, b(x).data)
    assert not np.array_equal(first, again)


def test_dropout_gradient_is_the_scaled_mask():
    x = bp.tensor(np.linspace(1.0, 2.0, 20), requires_grad=True)
    out = nn.Dropout(0.25, seed=1)(x)
    out.sum().backward()
    assert np.allclose(x.grad, (out.data != 0) / 0.75)
    assert 0 < (out.data != 0).sum() < 20

    layer = nn.Dropout(0.25)

    class Reseeded(nn.Module):  # the same mask on every call, for finite differences
        def __init__(self):
            super().__init__()
            self.dropout = layer

        def forward(self, x):
            layer.rng = np.random.default_rng(5)
            return layer(x)

    assert module_grad_check(Reseeded(), np.linspace(-1.0, 1.0, 12).reshape(3, 4))


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, float("nan")])
def test_dropout_p_must_be_in_zero_one(p):
    with raises(ValueError, f"Dropout probability p must be in [0, 1), got {p}"):
        nn.Dropout(p)


def test_dropout_p_must_be_a_number():
    with raises(TypeError, "Dropout probability p must be a number, got '0.5'"):
        nn.Dropout("0.5")


# ----- LayerNorm ----------------------------------------------------------------------------
def test_layernorm_rows_have_mean_zero_and_variance_one():
    x = np.random.default_rng(0).normal(3.0, 5.0, size=(6, 10))
    out = nn.LayerNorm(10)(x).data
    assert np.allclose(out.mean(axis=-1), 0.0, atol=1e-12)
    assert np.allclose(out.var(axis=-1), 1.0, atol=1e-5)  # biased variance, eps = 1e-5


def test_layernorm_by_hand_with_gain_and_bias():
    layer = nn.LayerNorm(3, eps=1e-5)
    layer.weight.data[...] = [1.0, 2.0, 3.0]
    layer.bias.data[...] = [0.5, 0.0, -0.5]
    # mean 2, biased variance ((−1)² + 0² + 1²)/3 = 2/3
    expected = np.array([-1.0, 0.0, 1.0]) / math.sqrt(2 / 3 + 1e-5) * [1.0, 2.0, 3.0] + [0.5, 0.0, -0.5]
    assert np.allclose(layer(np.array([1.0, 2.0, 3.0])).data, expected)
    assert np.allclose(
        layer(np.array([[1.0, 2.0, 3.0], [11.0, 12.0, 13.0]])).data, [expected, expected], atol=1e-6
    )


def test_layernorm_gradients():
    layer = nn.LayerNorm(4)
    layer.weight.data[...] = [1.0, -0.5, 2.0, 0.3]
    layer.bias.data[...] = [0.1, 0.2, -0.3, 0.0]
    x = np.random.default_rng(2).standard_normal((3, 4))
    assert module_grad_check(layer, x)
    assert module_grad_check(layer, x[0])


def test_layernorm_errors():
    with raises(
        ShapeError, "LayerNorm(4) expects an input of shape (..., 4) (last dimension 4), got shape (2, 3)"
    ):
        nn.LayerNorm(4)(np.ones((2, 3)))
    with raises(ValueError, "LayerNorm eps must be > 0, got 0"):
        nn.LayerNorm(4, eps=0)
    with raises(ValueError, "d must be a positive integer, got 0"):
        nn.LayerNorm(0)


# ----- Residual -----------------------------------------------------------------------------
def test_residual_adds_the_input():
    block = nn.Sequential(nn.Linear(3, 3, seed=0), nn.Tanh())
    x = np.array([[0.1, -0.2, 0.3], [1.0, 2.0, -1.0]])
    assert np.allclose(nn.Residual(block)(x).data, x + block(x).data)
    assert module_grad_check(nn.Residual(block), x)


def test_residual_refuses_a_block_that_changes_the_shape():
    model = nn.Sequential(nn.Residual(nn.Linear(3, 1, seed=0)))
    with raises(
        ShapeError,
        "0: Residual computes x + block(x), so the block must keep the shape, but 0.block: Linear(3→1) turned shape (2, 3) into (2, 1)",
    ):
        model(np.ones((2, 3)))
    with raises(TypeError, "Residual wraps a Module, got function"):
        nn.Residual(bp.tanh)


# ----- initialisers -------------------------------------------------------------------------
def _weight(shape=(400, 300)):
    return nn.Parameter(np.zeros(shape))


@pytest.mark.parametrize(
    ("fill", "std"),
    [
        (lambda w: nn.init.normal_(w, std=0.1, seed=0), 0.1),
        (lambda w: nn.init.xavier_normal_(w, seed=0), math.sqrt(2 / 700)),
        (lambda w: nn.init.xavier_normal_(w, gain=2.0, seed=0), 2 * math.sqrt(2 / 700)),
        (lambda w: nn.init.xavier_uniform_(w, seed=0), math.sqrt(2 / 700)),
        (lambda w: nn.init.kaiming_normal_(w, seed=0), math.sqrt(2 / 300)),
        (lambda w: nn.init.kaiming_normal_(w, mode="fan_out", seed=0), math.sqrt(2 / 400)),
        (lambda w: nn.init.uniform_(w, -0.3, 0.3, seed=0), 0.3 / math.sqrt(3)),
    ],
)
def test_initialiser_spreads_follow_their_formulas(fill, std):
    weight = _weight()
    assert fill(weight) is weight
    assert weight.data.mean() == pytest.approx(0.0, abs=0.01 * std + 1e-3)
    assert weight.data.std() == pytest.approx(std, rel=0.02)


def test_xavier_uniform_stays_inside_its_bound():
    weight = nn.init.xavier_uniform_(_weight((30, 20)), seed=0)
    bound = math.sqrt(6 / 50)
    assert np.abs(weight.data).max() <= bound and np.abs(weight.data).max() > 0.9 * bound


def test_initialisers_with_seed_or_generator_are_reproducible():
    a = nn.init.xavier_normal_(_weight((5, 4)), seed=3)
    b = nn.init.xavier_normal_(_weight((5, 4)), seed=3)
    assert np.array_equal(a.data, b.data)
    rng = np.random.default_rng(3)
    first = nn.init.normal_(_weight((5, 4)), seed=rng).data.copy()
    second = nn.init.normal_(_weight((5, 4)), seed=rng).data
    assert not np.array_equal(first, second)  # one generator, a stream of different numbers


def test_zeros_and_fans():
    weight = nn.init.zeros_(nn.Parameter(np.ones((2, 3, 5))))
    assert not weight.data.any()
    assert nn.init.fans(weight) == (15, 10)


def test_initialiser_errors():
    with raises(ValueError, "fan_in and fan_out need a weight with at least 2 dimensions"):
        nn.init.xavier_normal_(nn.Parameter(np.zeros(3)))
    with raises(TypeError, "initialisers fill a Tensor (e.g. layer.weight) in place, got ndarray"):
        nn.init.normal_(np.zeros(3))
    with raises(ValueError, "std must be >= 0, got -1"):
        nn.init.normal_(_weight((2, 2)), std=-1)
    with raises(ValueError, "uniform_ needs a <= b, got a=1, b=0"):
        nn.init.uniform_(_weight((2, 2)), 1, 0)
    with raises(ValueError, "mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        nn.init.kaiming_normal_(_weight((2, 2)), mode="fan_avg")


# ----- argument checks ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.Linear(2, 3, bias="False"), TypeError, "bias must be True or False, got 'False'"),
        (lambda: nn.Linear(2, 3, seed=-1), ValueError, "seed must be >= 0, got -1"),
        (
            lambda: nn.Linear(2, 3, seed=1.5),
            TypeError,
            "seed must be None, an integer >= 0 or a numpy Generator",
        ),
        (lambda: nn.Linear(2, 3, init=["zeros"]), ValueError, "init must be 'default', one of"),
        (lambda: nn.Linear(2, 3).reset_parameters(seed="0"), TypeError, "seed must be None, an integer >= 0"),
        (lambda: nn.Dropout(0.5, seed=True), TypeError, "seed must be None, an integer >= 0"),
        (lambda: nn.LayerNorm(3, eps="1e-5"), TypeError, "LayerNorm eps must be a number, got '1e-5'"),
        (lambda: nn.LayerNorm(3, eps=float("inf")), ValueError, "LayerNorm eps must be a finite number"),
        (lambda: nn.MLP(5), TypeError, "MLP sizes must be a list of layer widths such as [2, 16, 3], got 5"),
        (lambda: nn.MLP("23"), TypeError, "MLP sizes must be a list of layer widths"),
        (lambda: nn.MLP([2, 2], activation=["relu"]), ValueError, "activation must be one of"),
        (lambda: nn.MLP([2, 2], seed=-3), ValueError, "seed must be >= 0, got -3"),
        (
            lambda: nn.init.normal_(_weight((2, 2)), mean=float("nan")),
            ValueError,
            "mean must be a finite number",
        ),
        (lambda: nn.init.normal_(_weight((2, 2)), std="1"), TypeError, "std must be a number, got '1'"),
        (lambda: nn.init.uniform_(_weight((2, 2)), 0, float("inf")), ValueError, "b must be a finite number"),
        (lambda: nn.init.xavier_uniform_(_weight((2, 2)), gain=-1), ValueError, "gain must be >= 0, got -1"),
        (lambda: nn.init.xavier_normal_(_weight((2, 2)), gain=None), TypeError, "gain must be a number"),
        (lambda: nn.init.kaiming_normal_(_weight((2, 2)), seed=-1), ValueError, "seed must be >= 0"),
        (lambda: nn.Linear(2, 2).zero_grad(set_to_none="no"), TypeError, "set_to_none must be True or False"),
        (
            lambda: nn.Linear(2, 2).load_state_dict([1, 2]),
            TypeError,
            "load_state_dict takes a dict of arrays",
        ),
        (
            lambda: nn.Linear(1, 1).load_state_dict({"weight": [["a"]], "bias": [0.0]}),
            TypeError,
            "load_state_dict: 'weight' must be an array of numbers",
        ),
        (lambda: nn.MLP([2, 2]).get_submodule(0), TypeError, "get_submodule takes a dotted path"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with raises(error, message):
        call()


def test_numpy_integers_booleans_and_generators_are_accepted():
    layer = nn.Linear(np.int64(2), np.int32(3), bias=np.bool_(False), seed=np.int64(4))
    assert layer.weight.shape == (3, 2) and layer.bias is None
    assert np.array_equal(layer.weight.data, nn.Linear(2, 3, bias=False, seed=4).weight.data)
    assert nn.MLP(np.array([2, 4, 1]), seed=np.random.default_rng(0)).sizes == (2, 4, 1)
    assert nn.Dropout(np.float32(0.25), seed=np.uint8(1)).p == 0.25
    model = nn.MLP([2, 2])
    assert model.train(np.bool_(False)).training is False
    assert all(type(m.training) is bool for m in model.modules())
