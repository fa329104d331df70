"""Contains all the data models used in inputs/outputs"""

from .accepted import Accepted
from .batch_item import BatchItem
from .batch_item_dtype_type_0 import BatchItemDtypeType0
from .batch_item_inputs import BatchItemInputs
from .batch_item_output_encoding_type_0 import BatchItemOutputEncodingType0
from .batch_item_params_type_0 import BatchItemParamsType0
from .batch_request import BatchRequest
from .batch_response import BatchResponse
from .batch_slot_error import BatchSlotError
from .best_out import BestOut
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
from .diagnosis_out import DiagnosisOut
from .diagnosis_out_generalization_gap_type_1 import DiagnosisOutGeneralizationGapType1
from .diagnosis_out_mode import DiagnosisOutMode
from .diagnosis_out_status import DiagnosisOutStatus
from .dtype import Dtype
from .error import Error
from .field_error_out import FieldErrorOut
from .health import Health
from .inference_request import InferenceRequest
from .inference_request_parameters_type_0 import InferenceRequestParametersType0
from .inference_response import InferenceResponse
from .inference_response_parameters_type_0 import InferenceResponseParametersType0
from .info import Info
from .info_pool import InfoPool
from .limits import Limits
from .losses_list_handles_imbalance_type_0 import LossesListHandlesImbalanceType0
from .losses_list_input_kind_type_0 import LossesListInputKindType0
from .losses_list_robust_to_outliers_type_0 import LossesListRobustToOutliersType0
from .losses_list_task_type_0 import LossesListTaskType0
from .model_metadata import ModelMetadata
from .model_ready import ModelReady
from .non_finite import NonFinite
from .point_in import PointIn
from .point_in_value_type_1 import PointInValueType1
from .points_write import PointsWrite
from .points_write_on_conflict_type_0 import PointsWriteOnConflictType0
from .problem import Problem
from .record import Record
from .record_on_conflict_type_0 import RecordOnConflictType0
from .recorded import Recorded
from .request_input import RequestInput
from .request_input_datatype import RequestInputDatatype
from .request_input_parameters_type_0 import RequestInputParametersType0
from .request_output import RequestOutput
from .request_output_parameters_type_0 import RequestOutputParametersType0
from .response_output import ResponseOutput
from .response_output_datatype import ResponseOutputDatatype
from .response_output_parameters_type_0 import ResponseOutputParametersType0
from .run_create import RunCreate
from .run_create_tags_type_0 import RunCreateTagsType0
from .run_list import RunList
from .run_out import RunOut
from .run_out_series import RunOutSeries
from .run_out_status import RunOutStatus
from .run_out_tags import RunOutTags
from .runs_diagnosis_mode import RunsDiagnosisMode
from .runs_plot_fmt import RunsPlotFmt
from .series_out import SeriesOut
from .series_out_max_item_type_1 import SeriesOutMaxItemType1
from .series_out_min_item_type_1 import SeriesOutMinItemType1
from .series_out_smoothed_item_type_1 import SeriesOutSmoothedItemType1
from .series_out_values_item_type_1 import SeriesOutValuesItemType1
from .series_summary_out import SeriesSummaryOut
from .series_summary_out_best_value_type_1 import SeriesSummaryOutBestValueType1
from .series_summary_out_last_value_type_1 import SeriesSummaryOutLastValueType1
from .server_live import ServerLive
from .server_metadata import ServerMetadata
from .server_ready import ServerReady
from .tensor_metadata import TensorMetadata
from .tensor_metadata_datatype import TensorMetadataDatatype
from .typed_tensor import TypedTensor

__all__ = (
    "Accepted",
    "BatchItem",
    "BatchItemDtypeType0",
    "BatchItemInputs",
    "BatchItemOutputEncodingType0",
    "BatchItemParamsType0",
    "BatchRequest",
    "BatchResponse",
    "BatchSlotError",
    "BestOut",
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
    "DiagnosisOut",
    "DiagnosisOutGeneralizationGapType1",
    "DiagnosisOutMode",
    "DiagnosisOutStatus",
    "Dtype",
    "Error",
    "FieldErrorOut",
    "Health",
    "InferenceRequest",
    "InferenceRequestParametersType0",
    "InferenceResponse",
    "InferenceResponseParametersType0",
    "Info",
    "InfoPool",
    "Limits",
    "LossesListHandlesImbalanceType0",
    "LossesListInputKindType0",
    "LossesListRobustToOutliersType0",
    "LossesListTaskType0",
    "ModelMetadata",
    "ModelReady",
    "NonFinite",
    "PointIn",
    "PointInValueType1",
    "PointsWrite",
    "PointsWriteOnConflictType0",
    "Problem",
    "Record",
    "RecordOnConflictType0",
    "Recorded",
    "RequestInput",
    "RequestInputDatatype",
    "RequestInputParametersType0",
    "RequestOutput",
    "RequestOutputParametersType0",
    "ResponseOutput",
    "ResponseOutputDatatype",
    "ResponseOutputParametersType0",
    "RunCreate",
    "RunCreateTagsType0",
    "RunList",
    "RunOut",
    "RunOutSeries",
    "RunOutStatus",
    "RunOutTags",
    "RunsDiagnosisMode",
    "RunsPlotFmt",
    "SeriesOut",
    "SeriesOutMaxItemType1",
    "SeriesOutMinItemType1",
    "SeriesOutSmoothedItemType1",
    "SeriesOutValuesItemType1",
    "SeriesSummaryOut",
    "SeriesSummaryOutBestValueType1",
    "SeriesSummaryOutLastValueType1",
    "ServerLive",
    "ServerMetadata",
    "ServerReady",
    "TensorMetadata",
    "TensorMetadataDatatype",
    "TypedTensor",
)
