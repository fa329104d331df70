"""Contains all the data models used in inputs/outputs"""

from .batch_item import BatchItem
from .batch_item_dtype_type_0 import BatchItemDtypeType0
from .batch_item_inputs import BatchItemInputs
from .batch_item_output_encoding_type_0 import BatchItemOutputEncodingType0
from .batch_item_params_type_0 import BatchItemParamsType0
from .batch_request import BatchRequest
from .batch_response import BatchResponse
from .batch_slot_error import BatchSlotError
from .binary_tensor import BinaryTensor
from .catalogue import Catalogue
from .compare_request import CompareRequest
from .compare_request_dtype_type_0 import CompareRequestDtypeType0
from .compare_request_inputs import CompareRequestInputs
from .compare_request_params_type_0 import CompareRequestParamsType0
from .compare_request_params_type_0_additional_property_type_0 import CompareRequestParamsType0AdditionalPropertyType0
from .compare_response import CompareResponse
from .compare_result import CompareResult
from .compare_skipped import CompareSkipped
from .compute_request import ComputeRequest
from .compute_request_dtype_type_0 import ComputeRequestDtypeType0
from .compute_request_inputs import ComputeRequestInputs
from .compute_request_output_encoding_type_0 import ComputeRequestOutputEncodingType0
from .compute_request_params_type_0 import ComputeRequestParamsType0
from .compute_response import ComputeResponse
from .compute_response_dtype import ComputeResponseDtype
from .compute_response_grads_type_0 import ComputeResponseGradsType0
from .contributor import Contributor
from .custom_check_request import CustomCheckRequest
from .custom_check_request_shapes_type_0 import CustomCheckRequestShapesType0
from .custom_check_response import CustomCheckResponse
from .custom_request import CustomRequest
from .custom_request_dtype_type_0 import CustomRequestDtypeType0
from .custom_request_inputs import CustomRequestInputs
from .custom_request_output_encoding_type_0 import CustomRequestOutputEncodingType0
from .descriptor import Descriptor
from .descriptor_input import DescriptorInput
from .descriptor_param import DescriptorParam
from .descriptor_param_type import DescriptorParamType
from .descriptor_task import DescriptorTask
from .descriptor_traits import DescriptorTraits
from .descriptor_traits_input_kind import DescriptorTraitsInputKind
from .dtype import Dtype
from .field_error_out import FieldErrorOut
from .health import Health
from .info import Info
from .info_pool import InfoPool
from .limits import Limits
from .losses_list_handles_imbalance_type_0 import LossesListHandlesImbalanceType0
from .losses_list_input_kind_type_0 import LossesListInputKindType0
from .losses_list_robust_to_outliers_type_0 import LossesListRobustToOutliersType0
from .losses_list_task_type_0 import LossesListTaskType0
from .non_finite import NonFinite
from .problem import Problem
from .record import Record
from .record_on_conflict_type_0 import RecordOnConflictType0
from .recorded import Recorded
from .runs_diagnosis_mode import RunsDiagnosisMode
from .runs_plot_fmt import RunsPlotFmt
from .typed_tensor import TypedTensor

__all__ = (
    "BatchItem",
    "BatchItemDtypeType0",
    "BatchItemInputs",
    "BatchItemOutputEncodingType0",
    "BatchItemParamsType0",
    "BatchRequest",
    "BatchResponse",
    "BatchSlotError",
    "BinaryTensor",
    "Catalogue",
    "CompareRequest",
    "CompareRequestDtypeType0",
    "CompareRequestInputs",
    "CompareRequestParamsType0",
    "CompareRequestParamsType0AdditionalPropertyType0",
    "CompareResponse",
    "CompareResult",
    "CompareSkipped",
    "ComputeRequest",
    "ComputeRequestDtypeType0",
    "ComputeRequestInputs",
    "ComputeRequestOutputEncodingType0",
    "ComputeRequestParamsType0",
    "ComputeResponse",
    "ComputeResponseDtype",
    "ComputeResponseGradsType0",
    "Contributor",
    "CustomCheckRequest",
    "CustomCheckRequestShapesType0",
    "CustomCheckResponse",
    "CustomRequest",
    "CustomRequestDtypeType0",
    "CustomRequestInputs",
    "CustomRequestOutputEncodingType0",
    "Descriptor",
    "DescriptorInput",
    "DescriptorParam",
    "DescriptorParamType",
    "DescriptorTask",
    "DescriptorTraits",
    "DescriptorTraitsInputKind",
    "Dtype",
    "FieldErrorOut",
    "Health",
    "Info",
    "InfoPool",
    "Limits",
    "LossesListHandlesImbalanceType0",
    "LossesListInputKindType0",
    "LossesListRobustToOutliersType0",
    "LossesListTaskType0",
    "NonFinite",
    "Problem",
    "Record",
    "RecordOnConflictType0",
    "Recorded",
    "RunsDiagnosisMode",
    "RunsPlotFmt",
    "TypedTensor",
)
