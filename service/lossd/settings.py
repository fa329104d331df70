"""Settings, read once from ``LOSSD_*`` environment variables and handed down."""

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service; each field is the ``LOSSD_<NAME>`` variable."""

    model_config = SettingsConfigDict(env_prefix="LOSSD_", frozen=True)

    host: str = Field("127.0.0.1", description="Address `lossd serve` binds.")
    port: int = Field(8000, ge=0, le=65535, description="Port `lossd serve` binds.")
    workers: int = Field(1, ge=1, description="API processes `lossd serve` starts.")

    device: Literal["cpu", "auto"] = Field(
        "cpu", description="Compute device: `cpu`, or `auto` for the first CUDA device when one is present."
    )
    max_body_bytes: int = Field(134_217_728, ge=1, description="Largest request body, in bytes (128 MiB).")
    max_tensor_elements: int = Field(16_777_216, ge=1, description="Most elements in one tensor.")
    max_total_elements: int = Field(
        33_554_432, ge=1, description="Most elements over all tensors of one request, a batch's items together."
    )
    max_dims: int = Field(8, ge=1, le=64, description="Most dimensions of one tensor.")
    max_batch_items: int = Field(256, ge=1, description="Most items in one `/v1/batch` request.")
    request_timeout_s: float = Field(30.0, gt=0, description="Longest a computation may run, in seconds.")
    max_concurrency: int = Field(
        4, ge=1, description="Computations run at once off the event loop; more wait their turn."
    )
    max_queue: int = Field(64, ge=0, description="Computations waiting for a slot before new ones get a 503.")
    inline_max_elements: int = Field(
        4096,
        ge=0,
        description="CPU computations over at most this many elements run on the event loop (the hop costs more).",
    )
