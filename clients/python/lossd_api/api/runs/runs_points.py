from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.accepted import Accepted
from ...models.points_write import PointsWrite
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    run_id: str,
    *,
    body: PointsWrite,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/runs/{run_id}/points".format(
            run_id=quote(str(run_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Accepted | Problem | None:
    if response.status_code == 200:
        response_200 = Accepted.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Accepted | Problem]:
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
    body: PointsWrite,
) -> Response[Accepted | Problem]:
    """Write points

     Store points, all or none, in any order. A point already stored with the same value is accepted
    again and changes nothing (retries are safe); one stored with another value is a 409 naming it,
    unless
    `on_conflict` is `replace`. A 2xx means the points are on disk. Over `max_points_per_request` is a
    413;
    an unknown run a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        body (PointsWrite): Points for one run, stored all or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Accepted | Problem]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    run_id: str,
    *,
    client: AuthenticatedClient,
    body: PointsWrite,
) -> Accepted | Problem | None:
    """Write points

     Store points, all or none, in any order. A point already stored with the same value is accepted
    again and changes nothing (retries are safe); one stored with another value is a 409 naming it,
    unless
    `on_conflict` is `replace`. A 2xx means the points are on disk. Over `max_points_per_request` is a
    413;
    an unknown run a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        body (PointsWrite): Points for one run, stored all or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Accepted | Problem
    """

    return sync_detailed(
        run_id=run_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient,
    body: PointsWrite,
) -> Response[Accepted | Problem]:
    """Write points

     Store points, all or none, in any order. A point already stored with the same value is accepted
    again and changes nothing (retries are safe); one stored with another value is a 409 naming it,
    unless
    `on_conflict` is `replace`. A 2xx means the points are on disk. Over `max_points_per_request` is a
    413;
    an unknown run a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        body (PointsWrite): Points for one run, stored all or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Accepted | Problem]
    """

    kwargs = _get_kwargs(
        run_id=run_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    run_id: str,
    *,
    client: AuthenticatedClient,
    body: PointsWrite,
) -> Accepted | Problem | None:
    """Write points

     Store points, all or none, in any order. A point already stored with the same value is accepted
    again and changes nothing (retries are safe); one stored with another value is a 409 naming it,
    unless
    `on_conflict` is `replace`. A 2xx means the points are on disk. Over `max_points_per_request` is a
    413;
    an unknown run a 404.

    Args:
        run_id (str): The run's id, as `POST /v1/runs` made it.
        body (PointsWrite): Points for one run, stored all or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Accepted | Problem
    """

    return (
        await asyncio_detailed(
            run_id=run_id,
            client=client,
            body=body,
        )
    ).parsed
