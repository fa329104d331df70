from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.diagnosis_out import DiagnosisOut
from ...models.problem import Problem
from ...models.runs_diagnosis_mode import RunsDiagnosisMode
from ...types import UNSET, Response, Unset


def _get_kwargs(
    run_id: str,
    *,
    monitor: None | str | Unset = UNSET,
    train: str | Unset = "train",
    mode: RunsDiagnosisMode | Unset = RunsDiagnosisMode.MIN,
    patience: int | Unset = 5,
    min_delta: float | Unset = 0.0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_monitor: None | str | Unset
    if isinstance(monitor, Unset):
        json_monitor = UNSET
    else:
        json_monitor = monitor
    params["monitor"] = json_monitor

    params["train"] = train

    json_mode: str | Unset = UNSET
    if not isinstance(mode, Unset):
        json_mode = mode.value

    params["mode"] = json_mode

    params["patience"] = patience

    params["min_delta"] = min_delta

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/runs/{run_id}/diagnosis".format(
            run_id=quote(str(run_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DiagnosisOut | Problem | None:
    if response.status_code == 200:
        response_200 = DiagnosisOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DiagnosisOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient,
    monitor: None | str | Unset = UNSET,
    train: str | Unset = "train",
    mode: RunsDiagnosisMode | Unset = RunsDiagnosisMode.MIN,
    patience: int | Unset = 5,
    min_delta: float | Unset = 0.0,
) -> Response[DiagnosisOut | Problem]:
    """Diagnose a run

     What the curves say: `status` (`insufficient_data`, `diverged`, `overfitting`, `plateau`,
    `improving`, the first that applies), the best point, where Lightning's `EarlyStopping` would have
    stopped (`stop_at`), `diverged_at`, `overfitting_since` and the `generalization_gap`. A `monitor`
    named
    but absent is a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        monitor (None | str | Unset): The series to judge; default `validation`, else the run's
            only series.
        train (str | Unset): The training series, for overfitting and the gap. Default: 'train'.
        mode (RunsDiagnosisMode | Unset): Whether lower (min) or higher is better. Default:
            RunsDiagnosisMode.MIN.
        patience (int | Unset): Points without improvement before stopping. Default: 5.
        min_delta (float | Unset): How much better a value must be to count (finite). Default:
            0.0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiagnosisOut | Problem]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        monitor=monitor,
        train=train,
        mode=mode,
        patience=patience,
        min_delta=min_delta,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    run_id: str,
    *,
    client: AuthenticatedClient,
    monitor: None | str | Unset = UNSET,
    train: str | Unset = "train",
    mode: RunsDiagnosisMode | Unset = RunsDiagnosisMode.MIN,
    patience: int | Unset = 5,
    min_delta: float | Unset = 0.0,
) -> DiagnosisOut | Problem | None:
    """Diagnose a run

     What the curves say: `status` (`insufficient_data`, `diverged`, `overfitting`, `plateau`,
    `improving`, the first that applies), the best point, where Lightning's `EarlyStopping` would have
    stopped (`stop_at`), `diverged_at`, `overfitting_since` and the `generalization_gap`. A `monitor`
    named
    but absent is a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        monitor (None | str | Unset): The series to judge; default `validation`, else the run's
            only series.
        train (str | Unset): The training series, for overfitting and the gap. Default: 'train'.
        mode (RunsDiagnosisMode | Unset): Whether lower (min) or higher is better. Default:
            RunsDiagnosisMode.MIN.
        patience (int | Unset): Points without improvement before stopping. Default: 5.
        min_delta (float | Unset): How much better a value must be to count (finite). Default:
            0.0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiagnosisOut | Problem
    """

    return sync_detailed(
        run_id=run_id,
        client=client,
        monitor=monitor,
        train=train,
        mode=mode,
        patience=patience,
        min_delta=min_delta,
    ).parsed


async def asyncio_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient,
    monitor: None | str | Unset = UNSET,
    train: str | Unset = "train",
    mode: RunsDiagnosisMode | Unset = RunsDiagnosisMode.MIN,
    patience: int | Unset = 5,
    min_delta: float | Unset = 0.0,
) -> Response[DiagnosisOut | Problem]:
    """Diagnose a run

     What the curves say: `status` (`insufficient_data`, `diverged`, `overfitting`, `plateau`,
    `improving`, the first that applies), the best point, where Lightning's `EarlyStopping` would have
    stopped (`stop_at`), `diverged_at`, `overfitting_since` and the `generalization_gap`. A `monitor`
    named
    but absent is a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        monitor (None | str | Unset): The series to judge; default `validation`, else the run's
            only series.
        train (str | Unset): The training series, for overfitting and the gap. Default: 'train'.
        mode (RunsDiagnosisMode | Unset): Whether lower (min) or higher is better. Default:
            RunsDiagnosisMode.MIN.
        patience (int | Unset): Points without improvement before stopping. Default: 5.
        min_delta (float | Unset): How much better a value must be to count (finite). Default:
            0.0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiagnosisOut | Problem]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        monitor=monitor,
        train=train,
        mode=mode,
        patience=patience,
        min_delta=min_delta,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    run_id: str,
    *,
    client: AuthenticatedClient,
    monitor: None | str | Unset = UNSET,
    train: str | Unset = "train",
    mode: RunsDiagnosisMode | Unset = RunsDiagnosisMode.MIN,
    patience: int | Unset = 5,
    min_delta: float | Unset = 0.0,
) -> DiagnosisOut | Problem | None:
    """Diagnose a run

     What the curves say: `status` (`insufficient_data`, `diverged`, `overfitting`, `plateau`,
    `improving`, the first that applies), the best point, where Lightning's `EarlyStopping` would have
    stopped (`stop_at`), `diverged_at`, `overfitting_since` and the `generalization_gap`. A `monitor`
    named
    but absent is a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        monitor (None | str | Unset): The series to judge; default `validation`, else the run's
            only series.
        train (str | Unset): The training series, for overfitting and the gap. Default: 'train'.
        mode (RunsDiagnosisMode | Unset): Whether lower (min) or higher is better. Default:
            RunsDiagnosisMode.MIN.
        patience (int | Unset): Points without improvement before stopping. Default: 5.
        min_delta (float | Unset): How much better a value must be to count (finite). Default:
            0.0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiagnosisOut | Problem
    """

    return (
        await asyncio_detailed(
            run_id=run_id,
            client=client,
            monitor=monitor,
            train=train,
            mode=mode,
            patience=patience,
            min_delta=min_delta,
        )
    ).parsed
