"""Watch a training run through lossd: the tutorials' linear regression, its loss curves kept, diagnosed and
plotted by lossd.

Each epoch the trainer logs its training loss (`run.log`) and asks lossd to compute the validation loss
(`run.compute(..., series="validation")`), so the validation curve holds PyTorch's exact MSE, computed and
kept by the server. At the end it saves the plot and prints what the curves say. While it runs, the curves
grow live at http://127.0.0.1:8000/runs/<id>.

    make serve                                      # in another terminal
    .venv/bin/python examples/monitor_training.py --log-y   # the tutorial's linear regression
    .venv/bin/python examples/monitor_training.py --overfit --plot overfit.png

`--overfit` trains a degree-15 polynomial on 12 noisy points instead: the training loss keeps falling while
the validation loss turns back up, and the diagnosis says from which epoch the model overfits.
"""

import argparse
from dataclasses import dataclass

import torch
from torch import nn

from lossd_client import LossClient, Run

DEGREE = 15  # the overfitting model's polynomial degree: 15 weights for 12 training points


@dataclass
class Task:
    """A model, its optimizer and its data, split into training and validation."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor


def linear_regression(seed: int = 0) -> Task:
    """The tutorial's task: y = 2x + 1 plus noise, fitted by one `nn.Linear` with SGD, 800 points to learn from
    and 200 held out (with a few dozen, the held-out loss is noisy enough to bottom out early by chance)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(1000, 1, generator=g) * 10
    y = 2 * x + 1 + torch.randn(1000, 1, generator=g)
    torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    return Task(model, torch.optim.SGD(model.parameters(), lr=0.01), x[:800], y[:800], x[800:], y[800:])


def overfitting_polynomial(seed: int = 0) -> Task:
    """Too many parameters for too little data: a degree-15 polynomial (powers of x as features) fitted by
    Adam to 12 noisy samples of sin(3x), judged on 200 others."""
    g = torch.Generator().manual_seed(seed)

    def sample(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.rand(n, 1, generator=g) * 2 - 1
        y = torch.sin(3 * x) + 0.3 * torch.randn(n, 1, generator=g)
        return x ** torch.arange(1, DEGREE + 1), y

    (x_train, y_train), (x_val, y_val) = sample(12), sample(200)
    torch.manual_seed(seed)
    model = nn.Linear(DEGREE, 1)
    return Task(model, torch.optim.Adam(model.parameters(), lr=0.05), x_train, y_train, x_val, y_val)


def train(task: Task, run: Run, epochs: int) -> None:
    """Full-batch training, the tutorials' loop: each epoch one step on the training data, its loss logged,
    then the validation loss computed and stored by lossd."""
    criterion = nn.MSELoss()
    for epoch in range(epochs):
        task.model.train()
        task.optimizer.zero_grad()
        loss = criterion(task.model(task.x_train), task.y_train)
        loss.backward()
        task.optimizer.step()
        run.log(epoch, train=loss.item())

        task.model.eval()
        with torch.no_grad():
            predictions = task.model(task.x_val)
        run.compute("mse", input=predictions, target=task.y_val, series="validation", step=epoch)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="where lossd answers")
    parser.add_argument("--overfit", action="store_true", help="train the overfitting polynomial instead")
    parser.add_argument("--epochs", type=int, default=None, help="default: 100 (linear), 150 (--overfit)")
    parser.add_argument("--plot", default="curves.png", help="where to save the plot (.png or .svg)")
    parser.add_argument("--log-y", action="store_true", help="plot the loss on a log scale")
    args = parser.parse_args(argv)

    task = overfitting_polynomial() if args.overfit else linear_regression()
    epochs = args.epochs or (150 if args.overfit else 100)
    model = "polynomial-15" if args.overfit else "linear"
    with LossClient(args.url) as client:
        run = client.run(f"{model} regression", tags={"example": "monitor_training", "model": model})
        print(f"run {run.id}: follow it at {args.url}/runs/{run.id}")
        train(task, run, epochs)
        print(f"plot saved to {run.plot(args.plot, log_y=args.log_y)}")
        d = run.diagnosis()

    print(f"status: {d.status}")
    if d.best is not None:
        print(f"best {d.monitor} loss: {d.best.value:.6g} at epoch {d.best.step}")
    if d.overfitting_since is not None:
        print(f"overfitting since epoch {d.overfitting_since}: {d.train} kept improving, {d.monitor} did not")
    if d.stop_at is not None:
        print(f"early stopping (patience 5) would have stopped at epoch {d.stop_at}")
    if d.generalization_gap is not None:
        print(f"generalization gap at the end: {d.generalization_gap:.6g}")


if __name__ == "__main__":
    main()
