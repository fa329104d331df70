"""The baseline: the same MSE and gradient behind a plain FastAPI endpoint with default body handling."""

import numpy as np
import orjson
import torch
import torch.nn.functional as F
from fastapi import FastAPI, Request, Response
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


@app.post("/reference/mse")
async def reference(request: Request) -> Response:
    """The same work with orjson and numpy and nothing else: no validation, the same JSON as lossd's answer
    (float64-widened numbers), the large-request reference."""
    body = orjson.loads(await request.body())
    x = torch.from_numpy(np.array(body["inputs"]["input"], dtype=np.float32)).requires_grad_(True)
    y = torch.from_numpy(np.array(body["inputs"]["target"], dtype=np.float32))
    value = F.mse_loss(x, y)
    (g,) = torch.autograd.grad(value, [x])
    out = {"loss": "mse", "value": value.item(), "grads": {"input": g.double().numpy()}}
    return Response(orjson.dumps(out, option=orjson.OPT_SERIALIZE_NUMPY), media_type="application/json")
