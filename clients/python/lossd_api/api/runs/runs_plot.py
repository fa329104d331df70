from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.runs_plot_fmt import RunsPlotFmt
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    run_id: str,
    fmt: RunsPlotFmt,
    *,
    series: None | str | Unset = UNSET,
    smoothing: float | Unset = 0.0,
    log_y: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_series: None | str | Unset
    if isinstance(series, Unset):
        json_series = UNSET
    else:
        json_series = series
    params["series"] = json_series

    params["smoothing"] = smoothing

    params["log_y"] = log_y

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/runs/{run_id}/plot.{fmt}".format(
            run_id=quote(str(run_id), safe=""),
            fmt=quote(str(fmt), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> File | Problem | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[File | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    run_id: str,
    fmt: RunsPlotFmt,
    *,
    client: AuthenticatedClient,
    series: None | str | Unset = UNSET,
    smoothing: float | Unset = 0.0,
    log_y: bool | Unset = False,
) -> Response[File | Problem]:
    """Plot a run

     The run's curves drawn with matplotlib, 900 × 500 pixels (PNG) or the same as SVG: one colour per
    series (each reduced to 2000 buckets, whose min-max band is shaded), smoothed as TensorBoard smooths
    when `smoothing` > 0 (the raw curve stays, faint), the monitored series' best point and the
    overfitting
    onset and divergence found by the default diagnosis marked, a legend, axes `step` and `loss`. An
    unknown
    run or series is a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        fmt (RunsPlotFmt): `svg` or `png`.
        series (None | str | Unset): The series to draw, comma-separated (`train,validation`);
            default every series.
        smoothing (float | Unset): TensorBoard's smoothing weight in [0, 1): 0 (default) is none.
            Default: 0.0.
        log_y (bool | Unset): A logarithmic loss axis (values ≤ 0 are left out). Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        fmt=fmt,
        series=series,
        smoothing=smoothing,
        log_y=log_y,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    run_id: str,
    fmt: RunsPlotFmt,
    *,
    client: AuthenticatedClient,
    series: None | str | Unset = UNSET,
    smoothing: float | Unset = 0.0,
    log_y: bool | Unset = False,
) -> File | Problem | None:
    """Plot a run

     The run's curves drawn with matplotlib, 900 × 500 pixels (PNG) or the same as SVG: one colour per
    series (each reduced to 2000 buckets, whose min-max band is shaded), smoothed as TensorBoard smooths
    when `smoothing` > 0 (the raw curve stays, faint), the monitored series' best point and the
    overfitting
    onset and divergence found by the default diagnosis marked, a legend, axes `step` and `loss`. An
    unknown
    run or series is a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        fmt (RunsPlotFmt): `svg` or `png`.
        series (None | str | Unset): The series to draw, comma-separated (`train,validation`);
            default every series.
        smoothing (float | Unset): TensorBoard's smoothing weight in [0, 1): 0 (default) is none.
            Default: 0.0.
        log_y (bool | Unset): A logarithmic loss axis (values ≤ 0 are left out). Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return sync_detailed(
        run_id=run_id,
        fmt=fmt,
        client=client,
        series=series,
        smoothing=smoothing,
        log_y=log_y,
    ).parsed


async def asyncio_detailed(
    run_id: str,
    fmt: RunsPlotFmt,
    *,
    client: AuthenticatedClient,
    series: None | str | Unset = UNSET,
    smoothing: float | Unset = 0.0,
    log_y: bool | Unset = False,
) -> Response[File | Problem]:
    """Plot a run

     The run's curves drawn with matplotlib, 900 × 500 pixels (PNG) or the same as SVG: one colour per
    series (each reduced to 2000 buckets, whose min-max band is shaded), smoothed as TensorBoard smooths
    when `smoothing` > 0 (the raw curve stays, faint), the monitored series' best point and the
    overfitting
    onset and divergence found by the default diagnosis marked, a legend, axes `step` and `loss`. An
    unknown
    run or series is a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        fmt (RunsPlotFmt): `svg` or `png`.
        series (None | str | Unset): The series to draw, comma-separated (`train,validation`);
            default every series.
        smoothing (float | Unset): TensorBoard's smoothing weight in [0, 1): 0 (default) is none.
            Default: 0.0.
        log_y (bool | Unset): A logarithmic loss axis (values ≤ 0 are left out). Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        fmt=fmt,
        series=series,
        smoothing=smoothing,
        log_y=log_y,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    run_id: str,
    fmt: RunsPlotFmt,
    *,
    client: AuthenticatedClient,
    series: None | str | Unset = UNSET,
    smoothing: float | Unset = 0.0,
    log_y: bool | Unset = False,
) -> File | Problem | None:
    """Plot a run

     The run's curves drawn with matplotlib, 900 × 500 pixels (PNG) or the same as SVG: one colour per
    series (each reduced to 2000 buckets, whose min-max band is shaded), smoothed as TensorBoard smooths
    when `smoothing` > 0 (the raw curve stays, faint), the monitored series' best point and the
    overfitting
    onset and divergence found by the default diagnosis marked, a legend, axes `step` and `loss`. An
    unknown
    run or series is a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        fmt (RunsPlotFmt): `svg` or `png`.
        series (None | str | Unset): The series to draw, comma-separated (`train,validation`);
            default every series.
        smoothing (float | Unset): TensorBoard's smoothing weight in [0, 1): 0 (default) is none.
            Default: 0.0.
        log_y (bool | Unset): A logarithmic loss axis (values ≤ 0 are left out). Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return (
        await asyncio_detailed(
            run_id=run_id,
            fmt=fmt,
            client=client,
            series=series,
            smoothing=smoothing,
            log_y=log_y,
        )
    ).parsed
