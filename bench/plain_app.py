"""The baseline: the same MSE and gradient behind a plain FastAPI endpoint with default body handling."""

import torch
import torch.nn.functional as F
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Inputs(BaseModel):
    input: list[float]
    target: list[float]


class Body(BaseModel):
    inputs: Inputs
    grad: list[str] = []


@app.post("/v1/losses/mse")
def mse(body: Body) -> dict[str, object]:
    x = torch.tensor(body.inputs.input, requires_grad=True)
    y = torch.tensor(body.inputs.target)
    value = F.mse_loss(x, y)
    (g,) = torch.autograd.grad(value, [x])
    return {"loss": "mse", "value": value.item(), "grads": {"input": g.tolist()}}
