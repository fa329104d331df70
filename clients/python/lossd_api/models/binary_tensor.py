from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dtype import Dtype
from ..types import UNSET, Unset

T = TypeVar("T", bound="BinaryTensor")


@_attrs_define
class BinaryTensor:
    """Binary: `b64` holds the base64 of the little-endian, row-major bytes of `shape` × `dtype`.

    Attributes:
        dtype (Dtype): A wire dtype (lower-case).
        shape (list[int]): The tensor's shape.
        b64 (str): Base64 of the raw bytes.
        data (None | Unset):
    """

    dtype: Dtype
    shape: list[int]
    b64: str
    data: None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        dtype = self.dtype.value

        shape = self.shape

        b64 = self.b64

        data = self.data

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dtype": dtype,
                "shape": shape,
                "b64": b64,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        dtype = Dtype(d.pop("dtype"))

        shape = cast(list[int], d.pop("shape"))

        b64 = d.pop("b64")

        data = d.pop("data", UNSET)

        binary_tensor = cls(
            dtype=dtype,
            shape=shape,
            b64=b64,
            data=data,
        )

        return binary_tensor
