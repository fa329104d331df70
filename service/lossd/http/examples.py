"""The examples the OpenAPI document shows: requests, the answers lossd gives them, and problems.

The per-loss examples come from the catalogue (each descriptor's `example`); the rest are written
here once. tests/test_openapi.py checks that each answer here is what the service answers.
"""

from typing import Any

from ..catalogue import CATALOGUE
from ..catalogue.descriptor import describe

SEED_INPUTS = {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 9.0]}
SEED_REQUEST = {"inputs": SEED_INPUTS, "grad": ["input"]}
SEED_RESPONSE = {
    "loss": "mse",
    "value": 0.13749998807907104,
    "shape": [],
    "dtype": "float32",
    "grads": {"input": [-0.25, -0.09999990463256836, -0.04999995231628418, 0.25]},
    "device": "cpu",
}

BATCH_REQUEST = {
    "items": [{"loss": "mse", **SEED_REQUEST}, {"loss": "l1", **SEED_REQUEST}, {"loss": "l2", **SEED_REQUEST}]
}
BATCH_RESPONSE = {
    "results": [
        SEED_RESPONSE,
        {
            "loss": "l1",
            "value": 0.32499992847442627,
            "shape": [],
            "dtype": "float32",
            "grads": {"input": [-0.25, -0.25, -0.25, 0.25]},
            "device": "cpu",
        },
        {
            "error": {
                "type": "urn:lossd:problem:not-found",
                "title": "Unknown loss",
                "status": 404,
                "detail": "There is no loss named 'l2'; did you mean l1?",
                "suggestions": ["l1"],
            }
        },
    ]
}

COMPARE_REQUEST = {
    "inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 30.0]},
    "losses": ["mse", "l1", "huber"],
    "params": {"huber": {"delta": 2.0}},
    "top": 2,
}
COMPARE_RESPONSE = {
    "results": [
        {
            "loss": "mse",
            "value": 105.13749694824219,
            "top_contributors": [
                {"index": [3], "share": 0.9992866486605222},
                {"index": [0], "share": 0.0005944596363239276},
            ],
        },
        {
            "loss": "l1",
            "value": 5.324999809265137,
            "top_contributors": [
                {"index": [3], "share": 0.9624413274815339},
                {"index": [0], "share": 0.0234741787190618},
            ],
        },
        {
            "loss": "huber",
            "value": 9.787500381469727,
            "top_contributors": [
                {"index": [3], "share": 0.9961685835745687},
                {"index": [0], "share": 0.003192848024277464},
            ],
        },
    ],
    "skipped": [],
}

INFO_RESPONSE = {
    "version": "0.1.0",
    "torch": "2.13.0+cpu",
    "cuda": None,
    "devices": ["cpu"],
    "pool": {
        "kind": "process",
        "devices": ["cpu"],
        "workers": 1,
        "workers_ready": 1,
        "max_concurrency": 4,
        "max_queue": 64,
        "inline_max_elements": 4096,
        "running_or_queued": 0,
    },
    "losses": 28,
    "limits": {
        "max_body_bytes": 134217728,
        "max_points_per_request": 100000,
        "max_tensor_elements": 16777216,
        "max_total_elements": 33554432,
        "max_dims": 8,
        "max_batch_items": 256,
        "request_timeout_s": 30.0,
    },
}

# One problem for each status the document lists, as lossd writes it.
_CONFLICT = (
    "'validation' step 12 is stored with the value 0.47; send the same value, or on_conflict: \"replace\" to "
    "overwrite it"
)
PROBLEMS: dict[int, dict[str, Any]] = {
    409: {
        "type": "urn:lossd:problem:conflict",
        "title": "Conflicting point",
        "status": 409,
        "detail": _CONFLICT,
        "errors": [{"loc": ["points", 0], "msg": _CONFLICT}],
    },
    400: {
        "type": "urn:lossd:problem:malformed-body",
        "title": "Malformed request body",
        "status": 400,
        "detail": "the body is not valid JSON: unexpected character, expected a string key: line 1 column 2 (char 1)",
    },
    401: {
        "type": "urn:lossd:problem:unauthorized",
        "title": "Unauthorized",
        "status": 401,
        "detail": "send an API key: Authorization: Bearer <key>",
    },
    404: {
        "type": "urn:lossd:problem:not-found",
        "title": "Unknown loss",
        "status": 404,
        "detail": "There is no loss named 'mse_los'; did you mean mse, rmse, mape, dice?",
        "suggestions": ["mse", "rmse", "mape", "dice"],
    },
    413: {
        "type": "urn:lossd:problem:too-large",
        "title": "Request too large",
        "status": 413,
        "detail": "a tensor of shape [5000, 5000] has too many elements (limit max_tensor_elements = 16777216)",
        "limit": "max_tensor_elements",
        "limit_value": 16777216,
    },
    415: {
        "type": "urn:lossd:problem:unsupported-media-type",
        "title": "Unsupported media type",
        "status": 415,
        "detail": "content type 'text/plain' is not accepted; send application/json",
    },
    422: {
        "type": "urn:lossd:problem:invalid-request",
        "title": "Invalid request",
        "status": 422,
        "detail": "params.reduction: must be one of none, mean, sum; got 'avg'",
        "errors": [{"loc": ["params", "reduction"], "msg": "must be one of none, mean, sum; got 'avg'"}],
    },
    429: {
        "type": "urn:lossd:problem:rate-limited",
        "title": "Too many requests",
        "status": 429,
        "detail": "key 'ci-runner' is over its rate of 10 requests a second",
    },
    503: {
        "type": "urn:lossd:problem:busy",
        "title": "Service busy",
        "status": 503,
        "detail": "68 computations are running or queued; try again shortly",
    },
    504: {
        "type": "urn:lossd:problem:timeout",
        "title": "Computation timed out",
        "status": 504,
        "detail": "the computation ran past request_timeout_s = 30.0",
    },
}


def loss_examples() -> dict[str, dict[str, Any]]:
    """Each loss's descriptor, keyed by its name: the seed's `mse` first, then the catalogue's order."""
    descriptors = {loss.name: describe(loss) for loss in CATALOGUE}
    first = {"mse": descriptors.pop("mse")} if "mse" in descriptors else {}
    return first | descriptors
