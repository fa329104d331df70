from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.custom_check_request_shapes_type_0 import CustomCheckRequestShapesType0


T = TypeVar("T", bound="CustomCheckRequest")


@_attrs_define
class CustomCheckRequest:
    """A dry run of a custom expression: nothing is computed.

    Attributes:
        expression (str): A loss written over the inputs' names: numbers, + - * / **, comparisons (< <= > >= == !=,
            true/false, 1/0 in arithmetic), and the functions abs, exp, log, log1p, sqrt, sigmoid, tanh, relu, softplus(x,
            beta, threshold), pow, minimum, maximum, where(condition, x, other), clamp(x, min, max), softmax(x, dim),
            log_softmax(x, dim), and the reductions sum, mean, amax, amin, logsumexp (x, dim, keepdim). Nothing else: no
            attributes, subscripts, strings or other names. At most 1000 characters, 256 nodes, nesting 32, 16 inputs;
            numbers and constant parts within ±1e9, constant exponents within ±64. A mistake is a 422 whose message names
            the column and the token.
        shapes (CustomCheckRequestShapesType0 | None | Unset): The inputs' shapes, by name (every input the expression
            uses): with them the check also infers the result's shape and bounds what the expression would allocate, as a
            compute request would.
    """

    expression: str
    shapes: CustomCheckRequestShapesType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.custom_check_request_shapes_type_0 import CustomCheckRequestShapesType0

        expression = self.expression

        shapes: dict[str, Any] | None | Unset
        if isinstance(self.shapes, Unset):
            shapes = UNSET
        elif isinstance(self.shapes, CustomCheckRequestShapesType0):
            shapes = self.shapes.to_dict()
        else:
            shapes = self.shapes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "expression": expression,
            }
        )
        if shapes is not UNSET:
            field_dict["shapes"] = shapes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.custom_check_request_shapes_type_0 import CustomCheckRequestShapesType0

        d = dict(src_dict)
        expression = d.pop("expression")

        def _parse_shapes(data: object) -> CustomCheckRequestShapesType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                shapes_type_0 = CustomCheckRequestShapesType0.from_dict(data)

                return shapes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CustomCheckRequestShapesType0 | None | Unset, data)

        shapes = _parse_shapes(d.pop("shapes", UNSET))

        custom_check_request = cls(
            expression=expression,
            shapes=shapes,
        )

        return custom_check_request
