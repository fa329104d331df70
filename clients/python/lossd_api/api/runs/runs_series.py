from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.series_out import SeriesOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    run_id: str,
    series: str,
    *,
    max_points: int | None | Unset = UNSET,
    smoothing: float | Unset = 0.0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_max_points: int | None | Unset
    if isinstance(max_points, Unset):
        json_max_points = UNSET
    else:
        json_max_points = max_points
    params["max_points"] = json_max_points

    params["smoothing"] = smoothing

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/runs/{run_id}/series/{series}".format(
            run_id=quote(str(run_id), safe=""),
            series=quote(str(series), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SeriesOut | None:
    if response.status_code == 200:
        response_200 = SeriesOut.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | SeriesOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    run_id: str,
    series: str,
    *,
    client: AuthenticatedClient,
    max_points: int | None | Unset = UNSET,
    smoothing: float | Unset = 0.0,
) -> Response[Problem | SeriesOut]:
    """Read a curve

     One curve in step order. With more than `max_points` stored, the points are cut into `max_points`
    buckets of consecutive points (sizes differing by at most one) in the database: each gives its first
    step,
    its mean as `value`, its `min` and `max`; a bucket holding a NaN reports NaN, an infinity stays.
    `smoothed`
    is TensorBoard's debiased EMA of the `values` returned; a non-finite value passes through.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        series (str): The series' name; may hold `/` (`val/focal`).
        max_points (int | None | Unset): Most points to return: longer curves come back in
            buckets.
        smoothing (float | Unset): TensorBoard's smoothing weight in [0, 1): 0 (default) is none.
            Default: 0.0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SeriesOut]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        series=series,
        max_points=max_points,
        smoothing=smoothing,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    run_id: str,
    series: str,
    *,
    client: AuthenticatedClient,
    max_points: int | None | Unset = UNSET,
    smoothing: float | Unset = 0.0,
) -> Problem | SeriesOut | None:
    """Read a curve

     One curve in step order. With more than `max_points` stored, the points are cut into `max_points`
    buckets of consecutive points (sizes differing by at most one) in the database: each gives its first
    step,
    its mean as `value`, its `min` and `max`; a bucket holding a NaN reports NaN, an infinity stays.
    `smoothed`
    is TensorBoard's debiased EMA of the `values` returned; a non-finite value passes through.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        series (str): The series' name; may hold `/` (`val/focal`).
        max_points (int | None | Unset): Most points to return: longer curves come back in
            buckets.
        smoothing (float | Unset): TensorBoard's smoothing weight in [0, 1): 0 (default) is none.
            Default: 0.0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SeriesOut
    """

    return sync_detailed(
        run_id=run_id,
        series=series,
        client=client,
        max_points=max_points,
        smoothing=smoothing,
    ).parsed


async def asyncio_detailed(
    run_id: str,
    series: str,
    *,
    client: AuthenticatedClient,
    max_points: int | None | Unset = UNSET,
    smoothing: float | Unset = 0.0,
) -> Response[Problem | SeriesOut]:
    """Read a curve

     One curve in step order. With more than `max_points` stored, the points are cut into `max_points`
    buckets of consecutive points (sizes differing by at most one) in the database: each gives its first
    step,
    its mean as `value`, its `min` and `max`; a bucket holding a NaN reports NaN, an infinity stays.
    `smoothed`
    is TensorBoard's debiased EMA of the `values` returned; a non-finite value passes through.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        series (str): The series' name; may hold `/` (`val/focal`).
        max_points (int | None | Unset): Most points to return: longer curves come back in
            buckets.
        smoothing (float | Unset): TensorBoard's smoothing weight in [0, 1): 0 (default) is none.
            Default: 0.0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SeriesOut]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        series=series,
        max_points=max_points,
        smoothing=smoothing,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    run_id: str,
    series: str,
    *,
    client: AuthenticatedClient,
    max_points: int | None | Unset = UNSET,
    smoothing: float | Unset = 0.0,
) -> Problem | SeriesOut | None:
    """Read a curve

     One curve in step order. With more than `max_points` stored, the points are cut into `max_points`
    buckets of consecutive points (sizes differing by at most one) in the database: each gives its first
    step,
    its mean as `value`, its `min` and `max`; a bucket holding a NaN reports NaN, an infinity stays.
    `smoothed`
    is TensorBoard's debiased EMA of the `values` returned; a non-finite value passes through.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        series (str): The series' name; may hold `/` (`val/focal`).
        max_points (int | None | Unset): Most points to return: longer curves come back in
            buckets.
        smoothing (float | Unset): TensorBoard's smoothing weight in [0, 1): 0 (default) is none.
            Default: 0.0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SeriesOut
    """

    return (
        await asyncio_detailed(
            run_id=run_id,
            series=series,
            client=client,
            max_points=max_points,
            smoothing=smoothing,
        )
    ).parsed
