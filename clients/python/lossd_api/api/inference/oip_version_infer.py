from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.inference_request import InferenceRequest
from ...models.inference_response import InferenceResponse
from ...types import Response


def _get_kwargs(
    model_name: str,
    model_version: str,
    *,
    body: InferenceRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/models/{model_name}/versions/{model_version}/infer".format(
            model_name=quote(str(model_name), safe=""),
            model_version=quote(str(model_version), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | InferenceResponse | None:
    if response.status_code == 200:
        response_200 = InferenceResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = Error.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | InferenceResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    model_name: str,
    model_version: str,
    *,
    client: AuthenticatedClient,
    body: InferenceRequest,
) -> Response[Error | InferenceResponse]:
    """Inference on a model version

     As `POST /v2/models/{model_name}/infer`, for version "1".

    Args:
        model_name (str): A loss, by any of its names (`mse`, `MSELoss`, `mse_loss`).
        model_version (str): The model version; every loss has one, "1".
        body (InferenceRequest): `POST /v2/models/{model}/infer`'s body (its JSON header, with
            binary data).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | InferenceResponse]
    """

    kwargs = _get_kwargs(
        model_name=model_name,
        model_version=model_version,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    model_name: str,
    model_version: str,
    *,
    client: AuthenticatedClient,
    body: InferenceRequest,
) -> Error | InferenceResponse | None:
    """Inference on a model version

     As `POST /v2/models/{model_name}/infer`, for version "1".

    Args:
        model_name (str): A loss, by any of its names (`mse`, `MSELoss`, `mse_loss`).
        model_version (str): The model version; every loss has one, "1".
        body (InferenceRequest): `POST /v2/models/{model}/infer`'s body (its JSON header, with
            binary data).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | InferenceResponse
    """

    return sync_detailed(
        model_name=model_name,
        model_version=model_version,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    model_name: str,
    model_version: str,
    *,
    client: AuthenticatedClient,
    body: InferenceRequest,
) -> Response[Error | InferenceResponse]:
    """Inference on a model version

     As `POST /v2/models/{model_name}/infer`, for version "1".

    Args:
        model_name (str): A loss, by any of its names (`mse`, `MSELoss`, `mse_loss`).
        model_version (str): The model version; every loss has one, "1".
        body (InferenceRequest): `POST /v2/models/{model}/infer`'s body (its JSON header, with
            binary data).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | InferenceResponse]
    """

    kwargs = _get_kwargs(
        model_name=model_name,
        model_version=model_version,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    model_name: str,
    model_version: str,
    *,
    client: AuthenticatedClient,
    body: InferenceRequest,
) -> Error | InferenceResponse | None:
    """Inference on a model version

     As `POST /v2/models/{model_name}/infer`, for version "1".

    Args:
        model_name (str): A loss, by any of its names (`mse`, `MSELoss`, `mse_loss`).
        model_version (str): The model version; every loss has one, "1".
        body (InferenceRequest): `POST /v2/models/{model}/infer`'s body (its JSON header, with
            binary data).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | InferenceResponse
    """

    return (
        await asyncio_detailed(
            model_name=model_name,
            model_version=model_version,
            client=client,
            body=body,
        )
    ).parsed
