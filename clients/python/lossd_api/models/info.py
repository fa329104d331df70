from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.info_pool import InfoPool
    from ..models.limits import Limits


T = TypeVar("T", bound="Info")


@_attrs_define
class Info:
    """
    Attributes:
        version (str): lossd's version.
        torch (str): torch's version.
        cuda (None | str): The CUDA version torch was built with, where a GPU is visible.
        devices (list[str]): The devices torch sees.
        pool (InfoPool): The compute pool's kind and settings.
        losses (int): How many losses the catalogue holds.
        limits (Limits):
    """

    version: str
    torch: str
    cuda: None | str
    devices: list[str]
    pool: InfoPool
    losses: int
    limits: Limits
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        torch = self.torch

        cuda: None | str
        cuda = self.cuda

        devices = self.devices

        pool = self.pool.to_dict()

        losses = self.losses

        limits = self.limits.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
                "torch": torch,
                "cuda": cuda,
                "devices": devices,
                "pool": pool,
                "losses": losses,
                "limits": limits,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.info_pool import InfoPool
        from ..models.limits import Limits

        d = dict(src_dict)
        version = d.pop("version")

        torch = d.pop("torch")

        def _parse_cuda(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        cuda = _parse_cuda(d.pop("cuda"))

        devices = cast(list[str], d.pop("devices"))

        pool = InfoPool.from_dict(d.pop("pool"))

        losses = d.pop("losses")

        limits = Limits.from_dict(d.pop("limits"))

        info = cls(
            version=version,
            torch=torch,
            cuda=cuda,
            devices=devices,
            pool=pool,
            losses=losses,
            limits=limits,
        )

        info.additional_properties = d
        return info

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
