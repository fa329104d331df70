from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.descriptor import Descriptor
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    name: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/losses/{name}".format(
            name=quote(str(name), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Descriptor | Problem | None:
    if response.status_code == 200:
        response_200 = Descriptor.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Descriptor | Problem]:
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
) -> Response[Descriptor | Problem]:
    """Describe one loss

     One loss's descriptor, found by its canonical name, `torch.nn` class name or functional name in any
    case
    (`MSELoss`, `mse_loss` and `MSE` all find `mse`). An unknown name is a 404 whose `suggestions` list
    the
    closest names.

    Args:
        name (str): The loss's canonical name, torch.nn class name or functional name, in any
            case.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Descriptor | Problem]
    """

    kwargs = _get_kwargs(
        name=name,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    *,
    client: AuthenticatedClient,
) -> Descriptor | Problem | None:
    """Describe one loss

     One loss's descriptor, found by its canonical name, `torch.nn` class name or functional name in any
    case
    (`MSELoss`, `mse_loss` and `MSE` all find `mse`). An unknown name is a 404 whose `suggestions` list
    the
    closest names.

    Args:
        name (str): The loss's canonical name, torch.nn class name or functional name, in any
            case.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Descriptor | Problem
    """

    return sync_detailed(
        name=name,
        client=client,
    ).parsed


async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
) -> Response[Descriptor | Problem]:
    """Describe one loss

     One loss's descriptor, found by its canonical name, `torch.nn` class name or functional name in any
    case
    (`MSELoss`, `mse_loss` and `MSE` all find `mse`). An unknown name is a 404 whose `suggestions` list
    the
    closest names.

    Args:
        name (str): The loss's canonical name, torch.nn class name or functional name, in any
            case.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Descriptor | Problem]
    """

    kwargs = _get_kwargs(
        name=name,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient,
) -> Descriptor | Problem | None:
    """Describe one loss

     One loss's descriptor, found by its canonical name, `torch.nn` class name or functional name in any
    case
    (`MSELoss`, `mse_loss` and `MSE` all find `mse`). An unknown name is a 404 whose `suggestions` list
    the
    closest names.

    Args:
        name (str): The loss's canonical name, torch.nn class name or functional name, in any
            case.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Descriptor | Problem
    """

    return (
        await asyncio_detailed(
            name=name,
            client=client,
        )
    ).parsed
