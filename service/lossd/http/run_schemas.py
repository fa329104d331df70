"""Wire schemas of the runs API (runs.md), one per direction. Strict, like every lossd request."""

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from ..codec import Overflow
from ..runs.curves import NON_FINITE

SERIES_PATTERN = r"^[A-Za-z0-9_./-]{1,64}$"
MAX_STEP = 2**63 - 1


def no_dot_parts(name: str) -> str:
    """A series name whose `/`-separated parts include `.` or `..` is refused (ValueError): URL clients resolve
    such parts away (RFC 3986, 5.2.4), so `GET /v1/runs/{id}/series/{series}` could not reach the series."""
    if any(part in (".", "..") for part in name.split("/")):
        raise ValueError("a series name has no part `.` or `..` between slashes: URLs would resolve it away")
    return name


SeriesName = Annotated[
    str,
    Field(
        pattern=SERIES_PATTERN,
        description=(
            "1–64 characters from `A-Z a-z 0-9 _ . / -` (`train`, `validation`, `val/focal`), with no part "
            "`.` or `..` between slashes (URLs resolve those away)."
        ),
        examples=["validation"],
    ),
    AfterValidator(no_dot_parts),
]
Step = Annotated[int, Field(ge=0, le=MAX_STEP, description="An integer ≥ 0: an epoch or an optimizer step.")]
_NUMBER = {"anyOf": [{"type": "number"}, {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}]}
Number = Annotated[Any, WithJsonSchema({**_NUMBER, "description": 'A number, or "NaN", "Infinity", "-Infinity".'})]
NullableNumber = Annotated[Any, WithJsonSchema({"anyOf": [*_NUMBER["anyOf"], {"type": "null"}]})]
OnConflict = Annotated[
    Literal["error", "replace"] | None,
    Field(
        description=(
            "What a point stored with another value does: `error` (default), a 409 naming it, nothing kept; "
            "`replace`, overwrite it."
        )
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def wire_number(value: Any) -> float:
    """A JSON number or non-finite string as a float; ValueError for anything else."""
    if isinstance(value, str):
        if value in NON_FINITE:
            return NON_FINITE[value]
        raise ValueError('must be a number, or one of the strings "NaN", "Infinity", "-Infinity"')
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError('must be a number, or one of the strings "NaN", "Infinity", "-Infinity"')
    if isinstance(value, Overflow):
        raise ValueError("is beyond float64's range")
    try:
        return float(value)
    except OverflowError:
        raise ValueError("is beyond float64's range") from None


def wire_time(value: Any) -> float | None:
    """An RFC 3339 time or Unix seconds as Unix seconds; ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an RFC 3339 time (2026-01-31T12:00:00Z) or Unix seconds") from None
        if when.tzinfo is None:
            raise ValueError("an RFC 3339 time needs its offset (Z or ±hh:mm)")
        return when.timestamp()
    if isinstance(value, bool) or not isinstance(value, int | float) or isinstance(value, Overflow):
        raise ValueError("must be an RFC 3339 time (2026-01-31T12:00:00Z) or Unix seconds")
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 <= seconds < 253402300800:  # before year 10000
        raise ValueError("Unix seconds must be finite, ≥ 0 and before the year 10000")
    return seconds


TagKey = Annotated[str, Field(pattern=r"^[^:]{1,256}$")]
TagValue = Annotated[str, Field(max_length=1024)]


class RunCreate(_Strict):
    """A new run. `tags` are strings; a key holds no `:` (filters are `?tag=key:value`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "linear-regression", "tags": {"lr": "0.01"}}]})

    name: str = Field(min_length=1, max_length=256, description="What the run is called; need not be unique.")
    tags: dict[TagKey, TagValue] | None = Field(
        None, max_length=64, description="Labels to find the run by, string to string; at most 64."
    )


class PointIn(_Strict):
    series: SeriesName
    step: Step
    value: Number = Field(description='The loss: a number, or "NaN", "Infinity", "-Infinity" (data, not errors).')
    time: Annotated[
        Any,
        WithJsonSchema({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "number"}, {"type": "null"}]}),
    ] = Field(None, description="When it was measured: RFC 3339 or Unix seconds; default the server's clock.")

    _value = field_validator("value", mode="plain")(wire_number)
    _time = field_validator("time", mode="plain")(wire_time)


class PointsWrite(_Strict):
    """Points for one run, stored all or none."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "points": [
                        {"series": "train", "step": 3, "value": 0.41},
                        {"series": "validation", "step": 3, "value": 0.47},
                    ]
                }
            ]
        }
    )

    points: list[PointIn] = Field(
        min_length=1, description="At most `max_points_per_request` (GET /v1/info `limits`); any order."
    )
    on_conflict: OnConflict = None


class Record(_Strict):
    """Store the computed value as a point of a run."""

    run: str = Field(description="The run's id.")
    series: SeriesName
    step: Step
    on_conflict: OnConflict = None


class SeriesSummaryOut(BaseModel):
    count: int
    last_step: int
    last_value: NullableNumber
    best_step: int | None = Field(description="The step of the smallest finite value; null when there is none.")
    best_value: NullableNumber


_RUN_EXAMPLE = {
    "id": "Jx2v7Qm1aZ0c",
    "name": "linear-regression",
    "tags": {"lr": "0.01"},
    "created_at": "2026-01-31T12:00:00.000000Z",
    "series": {
        "train": {"count": 30, "last_step": 29, "last_value": 0.081, "best_step": 29, "best_value": 0.081},
        "validation": {"count": 30, "last_step": 29, "last_value": 0.142, "best_step": 17, "best_value": 0.118},
    },
    "status": "overfitting",
}


class RunOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_RUN_EXAMPLE]})

    id: str = Field(description="Made by the server; URL-safe.")
    name: str
    tags: dict[str, str]
    created_at: str = Field(description="RFC 3339, UTC.")
    series: dict[str, SeriesSummaryOut]
    status: Literal["insufficient_data", "diverged", "overfitting", "plateau", "improving"] = Field(
        description="The status of the run's default diagnosis (GET /v1/runs/{id}/diagnosis with no parameters)."
    )


class RunList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"runs": [_RUN_EXAMPLE], "next_cursor": None}]})

    runs: list[RunOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Accepted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"accepted": 2}]})

    accepted: int = Field(description="How many points of the request are stored (all of them).")


class SeriesOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "series": "train",
                    "count": 9,
                    "steps": [0, 3, 6],
                    "values": [0.8, 0.5, "NaN"],
                    "min": [0.7, 0.45, "NaN"],
                    "max": [0.9, 0.55, "NaN"],
                    "smoothed": [0.8, 0.6125, "NaN"],
                }
            ]
        }
    )

    series: str
    count: int = Field(description="How many points the series holds.")
    steps: list[int] = Field(description="Every step, or each bucket's first step.")
    values: list[NullableNumber] = Field(description="Every value, or each bucket's mean.")
    min: list[NullableNumber] = Field(description="Each bucket's smallest value (= `values` when not bucketed).")
    max: list[NullableNumber] = Field(description="Each bucket's largest value (= `values` when not bucketed).")
    smoothed: list[NullableNumber] = Field(description="TensorBoard's debiased EMA of `values`.")


class BestOut(BaseModel):
    step: int
    value: float


class DiagnosisOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "monitor": "validation",
                    "train": "train",
                    "mode": "min",
                    "patience": 5,
                    "min_delta": 0.0,
                    "status": "overfitting",
                    "best": {"step": 17, "value": 0.118},
                    "stop_at": 22,
                    "diverged_at": None,
                    "overfitting_since": 17,
                    "generalization_gap": 0.061,
                }
            ]
        }
    )

    monitor: str | None = Field(description="The series diagnosed; null when the run had none to pick.")
    train: str | None = Field(description="The training series compared with it, when there is one.")
    mode: Literal["min", "max"]
    patience: int
    min_delta: float
    status: Literal["insufficient_data", "diverged", "overfitting", "plateau", "improving"]
    best: BestOut | None
    stop_at: int | None = Field(description="Where Lightning's EarlyStopping would have stopped.")
    diverged_at: int | None
    overfitting_since: int | None
    generalization_gap: NullableNumber
