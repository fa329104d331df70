"""The plugin's losses against independent references, and as lossd loads and computes them."""

from importlib.metadata import entry_points

import numpy as np
import pytest
import torch
from lossd_tutorial import DiceLoss, MAPELoss, dice, mape

from lossd.catalogue.registry import BUILTIN
from lossd.catalogue.validate import prepare
from lossd.codec import ElementBudget, Limits
from lossd.compute.engine import run
from lossd.errors import InvalidRequest
from lossd.plugins import GROUP, check_plugin

PRICES = [310000.0, 455000.0, 198000.0, 620000.0]
TRUE_PRICES = [300000.0, 480000.0, 210000.0, 600000.0]
LIMITS = Limits(max_tensor_elements=1 << 20, max_dims=8)


def test_mape_equals_the_textbook_formula() -> None:
    pred, truth = np.array(PRICES), np.array(TRUE_PRICES)
    want = np.mean(np.abs((truth - pred) / truth))  # 100 times this is the percentage
    got = MAPELoss()(torch.tensor(PRICES, dtype=torch.float64), torch.tensor(TRUE_PRICES, dtype=torch.float64))
    assert got.item() == pytest.approx(want, rel=1e-12)


def test_mape_gradient_is_sign_over_target() -> None:
    pred = torch.tensor(PRICES, dtype=torch.float64, requires_grad=True)
    truth = torch.tensor(TRUE_PRICES, dtype=torch.float64)
    (g,) = torch.autograd.grad(MAPELoss()(pred, truth), pred)
    want = np.sign(np.array(PRICES) - np.array(TRUE_PRICES)) / np.abs(TRUE_PRICES) / len(PRICES)
    np.testing.assert_allclose(g.numpy(), want, rtol=1e-12)


def test_mape_eps_floors_a_zero_target() -> None:
    value = MAPELoss(eps=0.5)(torch.tensor([1.0]), torch.tensor([0.0]))
    assert value.item() == 2.0


def test_dice_equals_the_formula_over_the_whole_batch() -> None:
    rng = np.random.default_rng(0)
    p, t = rng.uniform(size=(3, 4, 4)), (rng.uniform(size=(3, 4, 4)) > 0.5).astype(float)
    want = 1 - (2 * (p * t).sum() + 1.0) / (p.sum() + t.sum() + 1.0)
    got = DiceLoss()(torch.from_numpy(p), torch.from_numpy(t)).item()
    assert got == pytest.approx(want, rel=1e-12)


def test_dice_of_a_perfect_mask_is_zero() -> None:
    mask = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    assert DiceLoss(smooth=0.0)(mask, mask).item() == 0.0


@pytest.mark.parametrize("loss", [mape, dice()], ids=["mape", "dice"])
def test_descriptor_passes_lossds_plugin_checks(loss) -> None:  # noqa: ANN001
    check_plugin(loss, {key.lower() for b in BUILTIN for key in (b.name, *b.aliases)})


def test_entry_points_are_registered() -> None:
    found = {ep.name: ep.value for ep in entry_points(group=GROUP)}
    assert found.get("tutorial_mape") == "lossd_tutorial:mape"
    assert found.get("tutorial_dice") == "lossd_tutorial:dice"


@pytest.mark.parametrize("loss", [mape, dice()], ids=["mape", "dice"])
def test_lossd_computes_the_example_as_the_module_does(loss) -> None:  # noqa: ANN001
    job = prepare(loss, loss.example["inputs"], None, True, None, "float64", LIMITS, ElementBudget(1 << 21))
    result = run(job, torch.device("cpu"))
    x = {n: t.clone().requires_grad_(n in job.grad) for n, t in job.inputs.items()}
    module = (MAPELoss if loss is mape else DiceLoss)()
    want = module(x["input"], x["target"])
    (g,) = torch.autograd.grad(want, x["input"])
    assert result.value.item() == pytest.approx(want.item(), rel=1e-12)
    torch.testing.assert_close(result.grads["input"], g)


@pytest.mark.parametrize(
    ("loss", "inputs", "loc"),
    [
        (mape, {"input": [1.0, 2.0], "target": [1.0]}, ("inputs", "target")),
        ("dice", {"input": [1.5, 0.5], "target": [1.0, 0.0]}, ("inputs", "input")),
        ("dice", {"input": [0.5, 0.5], "target": [2.0, 0.0]}, ("inputs", "target")),
    ],
)
def test_checks_refuse_what_the_module_would_misread(loss, inputs, loc) -> None:  # noqa: ANN001
    loss = dice() if loss == "dice" else loss
    with pytest.raises(InvalidRequest) as e:
        prepare(loss, inputs, None, None, None, "float32", LIMITS, ElementBudget(1 << 21))
    assert e.value.errors[0].loc == loc
