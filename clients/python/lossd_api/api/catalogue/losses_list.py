from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.catalogue import Catalogue
from ...models.losses_list_handles_imbalance_type_0 import LossesListHandlesImbalanceType0
from ...models.losses_list_input_kind_type_0 import LossesListInputKindType0
from ...models.losses_list_robust_to_outliers_type_0 import LossesListRobustToOutliersType0
from ...models.losses_list_task_type_0 import LossesListTaskType0
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    task: LossesListTaskType0 | None | Unset = UNSET,
    input_kind: LossesListInputKindType0 | None | Unset = UNSET,
    robust_to_outliers: LossesListRobustToOutliersType0 | None | Unset = UNSET,
    handles_imbalance: LossesListHandlesImbalanceType0 | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_task: None | str | Unset
    if isinstance(task, Unset):
        json_task = UNSET
    elif isinstance(task, LossesListTaskType0):
        json_task = task.value
    else:
        json_task = task
    params["task"] = json_task

    json_input_kind: None | str | Unset
    if isinstance(input_kind, Unset):
        json_input_kind = UNSET
    elif isinstance(input_kind, LossesListInputKindType0):
        json_input_kind = input_kind.value
    else:
        json_input_kind = input_kind
    params["input_kind"] = json_input_kind

    json_robust_to_outliers: None | str | Unset
    if isinstance(robust_to_outliers, Unset):
        json_robust_to_outliers = UNSET
    elif isinstance(robust_to_outliers, LossesListRobustToOutliersType0):
        json_robust_to_outliers = robust_to_outliers.value
    else:
        json_robust_to_outliers = robust_to_outliers
    params["robust_to_outliers"] = json_robust_to_outliers

    json_handles_imbalance: None | str | Unset
    if isinstance(handles_imbalance, Unset):
        json_handles_imbalance = UNSET
    elif isinstance(handles_imbalance, LossesListHandlesImbalanceType0):
        json_handles_imbalance = handles_imbalance.value
    else:
        json_handles_imbalance = handles_imbalance
    params["handles_imbalance"] = json_handles_imbalance

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/losses",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Catalogue | Problem | None:
    if response.status_code == 200:
        response_200 = Catalogue.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Catalogue | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    task: LossesListTaskType0 | None | Unset = UNSET,
    input_kind: LossesListInputKindType0 | None | Unset = UNSET,
    robust_to_outliers: LossesListRobustToOutliersType0 | None | Unset = UNSET,
    handles_imbalance: LossesListHandlesImbalanceType0 | None | Unset = UNSET,
) -> Response[Catalogue | Problem]:
    """List the catalogue

     Every loss's descriptor: what it computes (`formula`), when to use it (`use_when`), its inputs, its
    params
    with PyTorch's defaults, and an example request. The filters narrow the list; an unknown filter or
    value is
    a 422.

    Args:
        task (LossesListTaskType0 | None | Unset): Only losses for this task.
        input_kind (LossesListInputKindType0 | None | Unset): Only losses expecting this kind of
            input.
        robust_to_outliers (LossesListRobustToOutliersType0 | None | Unset): Only losses that are
            (true) or are not (false) robust to outliers.
        handles_imbalance (LossesListHandlesImbalanceType0 | None | Unset): Only losses with
            (true) or without (false) a class weight, pos_weight or focusing term.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Catalogue | Problem]
    """

    kwargs = _get_kwargs(
        task=task,
        input_kind=input_kind,
        robust_to_outliers=robust_to_outliers,
        handles_imbalance=handles_imbalance,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    task: LossesListTaskType0 | None | Unset = UNSET,
    input_kind: LossesListInputKindType0 | None | Unset = UNSET,
    robust_to_outliers: LossesListRobustToOutliersType0 | None | Unset = UNSET,
    handles_imbalance: LossesListHandlesImbalanceType0 | None | Unset = UNSET,
) -> Catalogue | Problem | None:
    """List the catalogue

     Every loss's descriptor: what it computes (`formula`), when to use it (`use_when`), its inputs, its
    params
    with PyTorch's defaults, and an example request. The filters narrow the list; an unknown filter or
    value is
    a 422.

    Args:
        task (LossesListTaskType0 | None | Unset): Only losses for this task.
        input_kind (LossesListInputKindType0 | None | Unset): Only losses expecting this kind of
            input.
        robust_to_outliers (LossesListRobustToOutliersType0 | None | Unset): Only losses that are
            (true) or are not (false) robust to outliers.
        handles_imbalance (LossesListHandlesImbalanceType0 | None | Unset): Only losses with
            (true) or without (false) a class weight, pos_weight or focusing term.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Catalogue | Problem
    """

    return sync_detailed(
        client=client,
        task=task,
        input_kind=input_kind,
        robust_to_outliers=robust_to_outliers,
        handles_imbalance=handles_imbalance,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    task: LossesListTaskType0 | None | Unset = UNSET,
    input_kind: LossesListInputKindType0 | None | Unset = UNSET,
    robust_to_outliers: LossesListRobustToOutliersType0 | None | Unset = UNSET,
    handles_imbalance: LossesListHandlesImbalanceType0 | None | Unset = UNSET,
) -> Response[Catalogue | Problem]:
    """List the catalogue

     Every loss's descriptor: what it computes (`formula`), when to use it (`use_when`), its inputs, its
    params
    with PyTorch's defaults, and an example request. The filters narrow the list; an unknown filter or
    value is
    a 422.

    Args:
        task (LossesListTaskType0 | None | Unset): Only losses for this task.
        input_kind (LossesListInputKindType0 | None | Unset): Only losses expecting this kind of
            input.
        robust_to_outliers (LossesListRobustToOutliersType0 | None | Unset): Only losses that are
            (true) or are not (false) robust to outliers.
        handles_imbalance (LossesListHandlesImbalanceType0 | None | Unset): Only losses with
            (true) or without (false) a class weight, pos_weight or focusing term.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Catalogue | Problem]
    """

    kwargs = _get_kwargs(
        task=task,
        input_kind=input_kind,
        robust_to_outliers=robust_to_outliers,
        handles_imbalance=handles_imbalance,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    task: LossesListTaskType0 | None | Unset = UNSET,
    input_kind: LossesListInputKindType0 | None | Unset = UNSET,
    robust_to_outliers: LossesListRobustToOutliersType0 | None | Unset = UNSET,
    handles_imbalance: LossesListHandlesImbalanceType0 | None | Unset = UNSET,
) -> Catalogue | Problem | None:
    """List the catalogue

     Every loss's descriptor: what it computes (`formula`), when to use it (`use_when`), its inputs, its
    params
    with PyTorch's defaults, and an example request. The filters narrow the list; an unknown filter or
    value is
    a 422.

    Args:
        task (LossesListTaskType0 | None | Unset): Only losses for this task.
        input_kind (LossesListInputKindType0 | None | Unset): Only losses expecting this kind of
            input.
        robust_to_outliers (LossesListRobustToOutliersType0 | None | Unset): Only losses that are
            (true) or are not (false) robust to outliers.
        handles_imbalance (LossesListHandlesImbalanceType0 | None | Unset): Only losses with
            (true) or without (false) a class weight, pos_weight or focusing term.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Catalogue | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            task=task,
            input_kind=input_kind,
            robust_to_outliers=robust_to_outliers,
            handles_imbalance=handles_imbalance,
        )
    ).parsed
