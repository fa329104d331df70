"""The peer: the same MSE and gradient served by LitServe, as its documentation sets a model up.

Run: python bench/litserve_app.py PORT (one CPU worker; the bench pins the whole tree to one core).
"""

import sys

import litserve as ls
import torch
import torch.nn.functional as F


class MSE(ls.LitAPI):
    def setup(self, device: str) -> None:
        torch.set_num_threads(1)  # as lossd's workers (LOSSD_TORCH_THREADS=1)

    def decode_request(self, request: dict) -> tuple[torch.Tensor, torch.Tensor]:
        inputs = request["inputs"]
        return torch.tensor(inputs["input"]), torch.tensor(inputs["target"])

    def predict(self, x: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        prediction, target = x
        prediction.requires_grad_(True)
        value = F.mse_loss(prediction, target)
        (grad,) = torch.autograd.grad(value, [prediction])
        return value.detach(), grad

    def encode_response(self, output: tuple[torch.Tensor, torch.Tensor]) -> dict:
        value, grad = output
        return {"loss": "mse", "value": value.item(), "grads": {"input": grad.tolist()}}


if __name__ == "__main__":
    server = ls.LitServer(MSE(), accelerator="cpu", devices=1, workers_per_device=1, api_path="/v1/losses/mse")
    server.run(port=int(sys.argv[1]), num_api_servers=1, log_level="warning", generate_client_file=False)
