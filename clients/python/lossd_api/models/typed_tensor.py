from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dtype import Dtype
from ..models.non_finite import NonFinite
from ..types import UNSET, Unset

T = TypeVar("T", bound="TypedTensor")


@_attrs_define
class TypedTensor:
    """Typed JSON: `data` flat or nested, row-major; `shape` optional (checked when given).

    Attributes:
        dtype (Dtype): A wire dtype (lower-case).
        data (bool | float | list[Any] | NonFinite):
        shape (list[int] | None | Unset):
        b64 (None | Unset):
    """

    dtype: Dtype
    data: bool | float | list[Any] | NonFinite
    shape: list[int] | None | Unset = UNSET
    b64: None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        dtype = self.dtype.value

        data: bool | float | list[Any] | str
        if isinstance(self.data, NonFinite):
            data = self.data.value
        elif isinstance(self.data, list):
            data = self.data

        else:
            data = self.data

        shape: list[int] | None | Unset
        if isinstance(self.shape, Unset):
            shape = UNSET
        elif isinstance(self.shape, list):
            shape = self.shape

        else:
            shape = self.shape

        b64 = self.b64

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dtype": dtype,
                "data": data,
            }
        )
        if shape is not UNSET:
            field_dict["shape"] = shape
        if b64 is not UNSET:
            field_dict["b64"] = b64

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        dtype = Dtype(d.pop("dtype"))

        def _parse_data(data: object) -> bool | float | list[Any] | NonFinite:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                data_type_2 = NonFinite(data)

                return data_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                data_type_3 = cast(list[Any], data)

                return data_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[Any] | NonFinite, data)

        data = _parse_data(d.pop("data"))

        def _parse_shape(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                shape_type_0 = cast(list[int], data)

                return shape_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        shape = _parse_shape(d.pop("shape", UNSET))

        b64 = d.pop("b64", UNSET)

        typed_tensor = cls(
            dtype=dtype,
            data=data,
            shape=shape,
            b64=b64,
        )

        return typed_tensor
