from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.compare_request_dtype_type_0 import CompareRequestDtypeType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.compare_request_inputs import CompareRequestInputs
    from ..models.compare_request_params_type_0 import CompareRequestParamsType0


T = TypeVar("T", bound="CompareRequest")


@_attrs_define
class CompareRequest:
    """Several losses on the same inputs. `null` means the default for every optional field.

    Attributes:
        inputs (CompareRequestInputs): The inputs every loss is computed on, by their functional names.
        losses (list[str] | None | Unset): The losses to run (names or aliases, each once); absent: every loss whose
            input names are exactly the given ones.
        params (CompareRequestParamsType0 | None | Unset): Params by loss name, as compute takes them; naming a loss
            that is not run is a 422. A bad value in them is a 422 for the whole request.
        dtype (CompareRequestDtypeType0 | None | Unset): Compute dtype; default float32.
        top (int | None | Unset): How many top contributors to return per loss; default 3, at most max_tensor_elements.
    """

    inputs: CompareRequestInputs
    losses: list[str] | None | Unset = UNSET
    params: CompareRequestParamsType0 | None | Unset = UNSET
    dtype: CompareRequestDtypeType0 | None | Unset = UNSET
    top: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.compare_request_params_type_0 import CompareRequestParamsType0

        inputs = self.inputs.to_dict()

        losses: list[str] | None | Unset
        if isinstance(self.losses, Unset):
            losses = UNSET
        elif isinstance(self.losses, list):
            losses = self.losses

        else:
            losses = self.losses

        params: dict[str, Any] | None | Unset
        if isinstance(self.params, Unset):
            params = UNSET
        elif isinstance(self.params, CompareRequestParamsType0):
            params = self.params.to_dict()
        else:
            params = self.params

        dtype: None | str | Unset
        if isinstance(self.dtype, Unset):
            dtype = UNSET
        elif isinstance(self.dtype, CompareRequestDtypeType0):
            dtype = self.dtype.value
        else:
            dtype = self.dtype

        top: int | None | Unset
        if isinstance(self.top, Unset):
            top = UNSET
        else:
            top = self.top

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "inputs": inputs,
            }
        )
        if losses is not UNSET:
            field_dict["losses"] = losses
        if params is not UNSET:
            field_dict["params"] = params
        if dtype is not UNSET:
            field_dict["dtype"] = dtype
        if top is not UNSET:
            field_dict["top"] = top

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.compare_request_inputs import CompareRequestInputs
        from ..models.compare_request_params_type_0 import CompareRequestParamsType0

        d = dict(src_dict)
        inputs = CompareRequestInputs.from_dict(d.pop("inputs"))

        def _parse_losses(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                losses_type_0 = cast(list[str], data)

                return losses_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        losses = _parse_losses(d.pop("losses", UNSET))

        def _parse_params(data: object) -> CompareRequestParamsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                params_type_0 = CompareRequestParamsType0.from_dict(data)

                return params_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompareRequestParamsType0 | None | Unset, data)

        params = _parse_params(d.pop("params", UNSET))

        def _parse_dtype(data: object) -> CompareRequestDtypeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                dtype_type_0 = CompareRequestDtypeType0(data)

                return dtype_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompareRequestDtypeType0 | None | Unset, data)

        dtype = _parse_dtype(d.pop("dtype", UNSET))

        def _parse_top(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        top = _parse_top(d.pop("top", UNSET))

        compare_request = cls(
            inputs=inputs,
            losses=losses,
            params=params,
            dtype=dtype,
            top=top,
        )

        return compare_request
