from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.compute_request import ComputeRequest
from ...models.compute_response import ComputeResponse
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    name: str,
    *,
    body: ComputeRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/losses/{name}".format(
            name=quote(str(name), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ComputeResponse | Problem | None:
    if response.status_code == 200:
        response_200 = ComputeResponse.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = Problem.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ComputeResponse | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    body: ComputeRequest,
) -> Response[ComputeResponse | Problem]:
    """Compute one loss

     The loss of `inputs` under `params`, computed by PyTorch in `dtype`, with the gradients `grad` asks
    for.
    Values and gradients equal `torch.nn`'s on the same inputs and dtype. Every loss has an example
    below, under
    its name (in the docs explorer, choosing one also fills in `name`).

    Args:
        name (str): The loss's canonical name, torch.nn class name or functional name, in any
            case.
        body (ComputeRequest): Compute one loss. `null` means the default for every optional
            field.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ComputeResponse | Problem]
    """

    kwargs = _get_kwargs(
        name=name,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    *,
    client: AuthenticatedClient,
    body: ComputeRequest,
) -> ComputeResponse | Problem | None:
    """Compute one loss

     The loss of `inputs` under `params`, computed by PyTorch in `dtype`, with the gradients `grad` asks
    for.
    Values and gradients equal `torch.nn`'s on the same inputs and dtype. Every loss has an example
    below, under
    its name (in the docs explorer, choosing one also fills in `name`).

    Args:
        name (str): The loss's canonical name, torch.nn class name or functional name, in any
            case.
        body (ComputeRequest): Compute one loss. `null` means the default for every optional
            field.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ComputeResponse | Problem
    """

    return sync_detailed(
        name=name,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    body: ComputeRequest,
) -> Response[ComputeResponse | Problem]:
    """Compute one loss

     The loss of `inputs` under `params`, computed by PyTorch in `dtype`, with the gradients `grad` asks
    for.
    Values and gradients equal `torch.nn`'s on the same inputs and dtype. Every loss has an example
    below, under
    its name (in the docs explorer, choosing one also fills in `name`).

    Args:
        name (str): The loss's canonical name, torch.nn class name or functional name, in any
            case.
        body (ComputeRequest): Compute one loss. `null` means the default for every optional
            field.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ComputeResponse | Problem]
    """

    kwargs = _get_kwargs(
        name=name,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient,
    body: ComputeRequest,
) -> ComputeResponse | Problem | None:
    """Compute one loss

     The loss of `inputs` under `params`, computed by PyTorch in `dtype`, with the gradients `grad` asks
    for.
    Values and gradients equal `torch.nn`'s on the same inputs and dtype. Every loss has an example
    below, under
    its name (in the docs explorer, choosing one also fills in `name`).

    Args:
        name (str): The loss's canonical name, torch.nn class name or functional name, in any
            case.
        body (ComputeRequest): Compute one loss. `null` means the default for every optional
            field.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ComputeResponse | Problem
    """

    return (
        await asyncio_detailed(
            name=name,
            client=client,
            body=body,
        )
    ).parsed
