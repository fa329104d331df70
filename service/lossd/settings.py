"""Settings, read once from ``LOSSD_*`` environment variables and handed down."""

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service; each field is the ``LOSSD_<NAME>`` variable."""

    # An empty variable means the default (as docker-compose.yml passes `${LOSSD_X:-}` through).
    model_config = SettingsConfigDict(env_prefix="LOSSD_", frozen=True, env_ignore_empty=True)

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
    offload_bytes: int = Field(
        262_144,
        ge=0,
        description=(
            "Bodies over this many bytes (and responses estimated over it) are parsed, validated and encoded "
            "off the event loop, so one large request does not stall the others."
        ),
    )
    body_timeout_s: float = Field(
        60.0, gt=0, description="Longest a client may take to send its request body before a 408."
    )
    inline_max_elements: int = Field(
        4096,
        ge=0,
        description="CPU computations over at most this many elements run on the event loop (the hop costs more).",
    )

    # The compute pool (lossd.compute): process workers per device, batching, routing by cost.
    pool: Literal["process", "local"] = Field(
        "process",
        description=(
            "`process`: compute in worker processes, one or more per device, supervised and restarted; "
            "`local`: in threads of the API process (no crash isolation)."
        ),
    )
    devices: str = Field(
        "auto",
        pattern=r"^(auto|cpu|cuda(:\d+)?(,cuda(:\d+)?)*)$",
        description=(
            "Devices the process pool's workers own: `auto` (every visible CUDA device, else the CPU), `cpu`, "
            "or a list such as `cuda:0,cuda:1`."
        ),
    )
    workers_per_device: int = Field(1, ge=1, le=64, description="Worker processes per device.")
    torch_threads: int = Field(1, ge=1, description="torch intra-op threads in each CPU worker.")
    max_batch_elements: int = Field(
        1_048_576,
        ge=1,
        description="Most input elements a worker computes together in one dynamic batch.",
    )
    max_batch_delay_ms: float = Field(
        0.0,
        ge=0,
        le=1000,
        description=(
            "How long a worker waits for compatible requests to join a batch; 0 batches only what is already "
            "queued (no added latency)."
        ),
    )
    run_dir: str | None = Field(
        None, description="Folder for the workers' Unix sockets (default: a fresh private temporary folder)."
    )
    pool_sockets: str | None = Field(
        None,
        description=(
            "Set by `lossd serve --workers N`: the workers' socket paths (comma-separated) that each API process "
            "connects to instead of starting its own workers."
        ),
    )

    # Runs (lossd.runs): where they are kept, and how many points one request may write.
    data_dir: str | None = Field(
        None,
        description=(
            "lossd's data folder, home of the default runs database (default: `$XDG_DATA_HOME/lossd`, "
            "else `~/.local/share/lossd`)."
        ),
    )
    database_url: str | None = Field(
        None,
        description=(
            "The runs database: `sqlite:///path` or `postgresql+psycopg://user:password@host/db` "
            "(default: SQLite, `runs.db` in the data folder)."
        ),
    )
    max_points_per_request: int = Field(
        100_000, ge=1, description="Most points one `POST /v1/runs/{id}/points` writes."
    )

    # Deployment: graceful shutdown and access control (lossd.shutdown, lossd.http.auth); off by default.
    shutdown_grace_s: float = Field(
        30.0,
        gt=0,
        description=(
            "On SIGTERM, how long in-flight requests may take to finish (readiness is false at once and no new "
            "connection is accepted) before they are cancelled and the process exits."
        ),
    )
    api_keys_file: str | None = Field(
        None,
        description=(
            "A file of API keys, one `<key id> <sha256 hex of the key>` a line (`lossd keys new`); set, every "
            "route but /healthz, /readyz and the documentation pages needs `Authorization: Bearer <key>`."
        ),
    )
    metrics_keys: str | None = Field(
        None,
        pattern=r"^(\*|[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*)$",
        description=(
            "With API keys: who may read /metrics. Unset: anyone (it holds counts, no data); `*`: any key; "
            "or a comma-separated list of key ids (any other key gets a 403)."
        ),
    )
    rate_limit_per_s: float = Field(
        0.0, ge=0, description="With API keys: requests per second each key may make (a token bucket); 0: no limit."
    )
    rate_limit_burst: int = Field(
        20, ge=1, description="With API keys and a rate limit: requests a key may make at once before the rate applies."
    )
    cors_origins: str = Field(
        "",
        description="Origins allowed to call lossd from a browser (comma-separated); empty: no CORS headers.",
    )
    opentelemetry: bool = Field(
        False,
        description=(
            "FastAPI's OpenTelemetry spans, metrics and logs, through the globally configured providers. Off by "
            "default: lossd exports Prometheus metrics and a request log, and looking the providers up costs every "
            "request about a tenth of a small computation."
        ),
    )

    def runs_database_url(self) -> str:
        """`database_url`, or the SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir) if self.data_dir else default_data_dir()}/runs.db"


def default_data_dir() -> Path:
    """The per-user data folder: `$XDG_DATA_HOME/lossd`, else `~/.local/share/lossd`."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lossd"
