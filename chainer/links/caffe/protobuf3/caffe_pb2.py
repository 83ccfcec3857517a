"""Caffe's ``caffe.proto`` messages (the subset used to read and write models).

The descriptors are built in code with :mod:`google.protobuf.descriptor_pb2`, so
no ``protoc`` run is needed; field numbers, types and defaults are Caffe's, so
files written by Caffe parse here and files written here parse in Caffe.
Importing this module needs the ``protobuf`` package.
"""
from __future__ import annotations

from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf import message_factory

_F = descriptor_pb2.FieldDescriptorProto
_TYPES = {
    'string': _F.TYPE_STRING, 'bool': _F.TYPE_BOOL, 'float': _F.TYPE_FLOAT,
    'double': _F.TYPE_DOUBLE, 'int32': _F.TYPE_INT32, 'uint32': _F.TYPE_UINT32,
    'int64': _F.TYPE_INT64, 'bytes': _F.TYPE_BYTES,
}
_LABELS = {'optional': _F.LABEL_OPTIONAL, 'repeated': _F.LABEL_REPEATED}

# message name -> [(label, type, name, number, default or None, packed)];
# a type that is not a scalar names a message or an enum ('Enum:...') of this file.
_MESSAGES = {
    'BlobShape': [('repeated', 'int64', 'dim', 1, None, True)],
    'BlobProto': [
        ('optional', 'BlobShape', 'shape', 7, None, False),
        ('repeated', 'float', 'data', 5, None, True),
        ('repeated', 'float', 'diff', 6, None, True),
        ('repeated', 'double', 'double_data', 8, None, True),
        ('repeated', 'double', 'double_diff', 9, None, True),
        ('optional', 'int32', 'num', 1, '0', False),
        ('optional', 'int32', 'channels', 2, '0', False),
        ('optional', 'int32', 'height', 3, '0', False),
        ('optional', 'int32', 'width', 4, '0', False),
    ],
    'NetParameter': [
        ('optional', 'string', 'name', 1, None, False),
        ('repeated', 'string', 'input', 3, None, False),
        ('repeated', 'BlobShape', 'input_shape', 8, None, False),
        ('repeated', 'int32', 'input_dim', 4, None, False),
        ('optional', 'bool', 'force_backward', 5, 'false', False),
        ('repeated', 'LayerParameter', 'layer', 100, None, False),
        ('repeated', 'V1LayerParameter', 'layers', 2, None, False),
    ],
    'ParamSpec': [
        ('optional', 'string', 'name', 1, None, False),
        ('optional', 'float', 'lr_mult', 3, '1', False),
        ('optional', 'float', 'decay_mult', 4, '1', False),
    ],
    'LayerParameter': [
        ('optional', 'string', 'name', 1, None, False),
        ('optional', 'string', 'type', 2, None, False),
        ('repeated', 'string', 'bottom', 3, None, False),
        ('repeated', 'string', 'top', 4, None, False),
        ('repeated', 'float', 'loss_weight', 5, None, False),
        ('repeated', 'ParamSpec', 'param', 6, None, False),
        ('repeated', 'BlobProto', 'blobs', 7, None, False),
        ('optional', 'Enum:Phase', 'phase', 10, None, False),
        ('repeated', 'bool', 'propagate_down', 11, None, False),
        ('optional', 'ConcatParameter', 'concat_param', 104, None, False),
        ('optional', 'ConvolutionParameter', 'convolution_param', 106, None, False),
        ('optional', 'DropoutParameter', 'dropout_param', 108, None, False),
        ('optional', 'EltwiseParameter', 'eltwise_param', 110, None, False),
        ('optional', 'InnerProductParameter', 'inner_product_param', 117, None, False),
        ('optional', 'LRNParameter', 'lrn_param', 118, None, False),
        ('optional', 'PoolingParameter', 'pooling_param', 121, None, False),
        ('optional', 'ReLUParameter', 'relu_param', 123, None, False),
        ('optional', 'SoftmaxParameter', 'softmax_param', 125, None, False),
        ('optional', 'SliceParameter', 'slice_param', 126, None, False),
        ('optional', 'ReshapeParameter', 'reshape_param', 133, None, False),
        ('optional', 'BatchNormParameter', 'batch_norm_param', 139, None, False),
        ('optional', 'BiasParameter', 'bias_param', 141, None, False),
        ('optional', 'ScaleParameter', 'scale_param', 142, None, False),
        ('optional', 'InputParameter', 'input_param', 143, None, False),
    ],
    'ConcatParameter': [
        ('optional', 'int32', 'axis', 2, '1', False),
        ('optional', 'uint32', 'concat_dim', 1, '1', False),
    ],
    'ConvolutionParameter': [
        ('optional', 'uint32', 'num_output', 1, None, False),
        ('optional', 'bool', 'bias_term', 2, 'true', False),
        ('repeated', 'uint32', 'pad', 3, None, False),
        ('repeated', 'uint32', 'kernel_size', 4, None, False),
        ('repeated', 'uint32', 'stride', 6, None, False),
        ('repeated', 'uint32', 'dilation', 18, None, False),
        ('optional', 'uint32', 'pad_h', 9, '0', False),
        ('optional', 'uint32', 'pad_w', 10, '0', False),
        ('optional', 'uint32', 'kernel_h', 11, None, False),
        ('optional', 'uint32', 'kernel_w', 12, None, False),
        ('optional', 'uint32', 'stride_h', 13, None, False),
        ('optional', 'uint32', 'stride_w', 14, None, False),
        ('optional', 'uint32', 'group', 5, '1', False),
        ('optional', 'int32', 'axis', 16, '1', False),
        ('optional', 'bool', 'force_nd_im2col', 17, 'false', False),
    ],
    'DropoutParameter': [('optional', 'float', 'dropout_ratio', 1, '0.5', False)],
    'EltwiseParameter': [
        ('optional', 'Enum:EltwiseOp', 'operation', 1, 'SUM', False),
        ('repeated', 'float', 'coeff', 2, None, False),
        ('optional', 'bool', 'stable_prod_grad', 3, 'true', False),
    ],
    'InnerProductParameter': [
        ('optional', 'uint32', 'num_output', 1, None, False),
        ('optional', 'bool', 'bias_term', 2, 'true', False),
        ('optional', 'int32', 'axis', 5, '1', False),
        ('optional', 'bool', 'transpose', 6, 'false', False),
    ],
    'LRNParameter': [
        ('optional', 'uint32', 'local_size', 1, '5', False),
        ('optional', 'float', 'alpha', 2, '1', False),
        ('optional', 'float', 'beta', 3, '0.75', False),
        ('optional', 'Enum:NormRegion', 'norm_region', 4, 'ACROSS_CHANNELS', False),
        ('optional', 'float', 'k', 5, '1', False),
    ],
    'PoolingParameter': [
        ('optional', 'Enum:PoolMethod', 'pool', 1, 'MAX', False),
        ('optional', 'uint32', 'pad', 4, '0', False),
        ('optional', 'uint32', 'pad_h', 9, '0', False),
        ('optional', 'uint32', 'pad_w', 10, '0', False),
        ('optional', 'uint32', 'kernel_size', 2, None, False),
        ('optional', 'uint32', 'kernel_h', 5, None, False),
        ('optional', 'uint32', 'kernel_w', 6, None, False),
        ('optional', 'uint32', 'stride', 3, '1', False),
        ('optional', 'uint32', 'stride_h', 7, None, False),
        ('optional', 'uint32', 'stride_w', 8, None, False),
        ('optional', 'bool', 'global_pooling', 12, 'false', False),
    ],
    'ReLUParameter': [('optional', 'float', 'negative_slope', 1, '0', False)],
    'SoftmaxParameter': [('optional', 'int32', 'axis', 2, '1', False)],
    'SliceParameter': [
        ('optional', 'int32', 'axis', 3, '1', False),
        ('repeated', 'uint32', 'slice_point', 2, None, False),
        ('optional', 'uint32', 'slice_dim', 1, '1', False),
    ],
    'ReshapeParameter': [
        ('optional', 'BlobShape', 'shape', 1, None, False),
        ('optional', 'int32', 'axis', 2, '0', False),
        ('optional', 'int32', 'num_axes', 3, '-1', False),
    ],
    'BatchNormParameter': [
        ('optional', 'bool', 'use_global_stats', 1, None, False),
        ('optional', 'float', 'moving_average_fraction', 2, '0.999', False),
        ('optional', 'float', 'eps', 3, '1e-05', False),
    ],
    'BiasParameter': [
        ('optional', 'int32', 'axis', 1, '1', False),
        ('optional', 'int32', 'num_axes', 2, '1', False),
    ],
    'ScaleParameter': [
        ('optional', 'int32', 'axis', 1, '1', False),
        ('optional', 'int32', 'num_axes', 2, '1', False),
        ('optional', 'bool', 'bias_term', 4, 'false', False),
    ],
    'InputParameter': [('repeated', 'BlobShape', 'shape', 1, None, False)],
    # The layers of models written before 2015 (NetParameter.layers).
    'V1LayerParameter': [
        ('repeated', 'string', 'bottom', 2, None, False),
        ('repeated', 'string', 'top', 3, None, False),
        ('optional', 'string', 'name', 4, None, False),
        ('optional', 'Enum:LayerType', 'type', 5, None, False),
        ('repeated', 'BlobProto', 'blobs', 6, None, False),
        ('repeated', 'string', 'param', 1001, None, False),
        ('repeated', 'float', 'blobs_lr', 7, None, False),
        ('repeated', 'float', 'weight_decay', 8, None, False),
        ('repeated', 'float', 'loss_weight', 35, None, False),
        ('optional', 'ConcatParameter', 'concat_param', 9, None, False),
        ('optional', 'ConvolutionParameter', 'convolution_param', 10, None, False),
        ('optional', 'DropoutParameter', 'dropout_param', 12, None, False),
        ('optional', 'EltwiseParameter', 'eltwise_param', 24, None, False),
        ('optional', 'InnerProductParameter', 'inner_product_param', 17, None, False),
        ('optional', 'LRNParameter', 'lrn_param', 18, None, False),
        ('optional', 'PoolingParameter', 'pooling_param', 19, None, False),
        ('optional', 'ReLUParameter', 'relu_param', 30, None, False),
        ('optional', 'SoftmaxParameter', 'softmax_param', 39, None, False),
        ('optional', 'SliceParameter', 'slice_param', 31, None, False),
    ],
}

# enum name -> (message it is nested in, [(value name, number)])
_ENUMS = {
    'EltwiseOp': ('EltwiseParameter', [('PROD', 0), ('SUM', 1), ('MAX', 2)]),
    'NormRegion': ('LRNParameter', [('ACROSS_CHANNELS', 0), ('WITHIN_CHANNEL', 1)]),
    'PoolMethod': ('PoolingParameter', [('MAX', 0), ('AVE', 1), ('STOCHASTIC', 2)]),
    # Caffe's top-level Phase (caffe_pb2.TRAIN, caffe_pb2.TEST); nested here,
    # which changes its name but not its values on the wire.
    'Phase': ('LayerParameter', [('TRAIN', 0), ('TEST', 1)]),
    'LayerType': ('V1LayerParameter', [
        ('NONE', 0), ('ABSVAL', 35), ('ACCURACY', 1), ('ARGMAX', 30), ('BNLL', 2),
        ('CONCAT', 3), ('CONTRASTIVE_LOSS', 37), ('CONVOLUTION', 4), ('DATA', 5),
        ('DECONVOLUTION', 39), ('DROPOUT', 6), ('DUMMY_DATA', 32), ('EUCLIDEAN_LOSS', 7),
        ('ELTWISE', 25), ('EXP', 38), ('FLATTEN', 8), ('HDF5_DATA', 9), ('HDF5_OUTPUT', 10),
        ('HINGE_LOSS', 28), ('IM2COL', 11), ('IMAGE_DATA', 12), ('INFOGAIN_LOSS', 13),
        ('INNER_PRODUCT', 14), ('LRN', 15), ('MEMORY_DATA', 29),
        ('MULTINOMIAL_LOGISTIC_LOSS', 16), ('MVN', 34), ('POOLING', 17), ('POWER', 26),
        ('RELU', 18), ('SIGMOID', 19), ('SIGMOID_CROSS_ENTROPY_LOSS', 27), ('SILENCE', 36),
        ('SOFTMAX', 20), ('SOFTMAX_LOSS', 21), ('SPLIT', 22), ('SLICE', 33), ('TANH', 23),
        ('WINDOW_DATA', 24), ('THRESHOLD', 31)]),
}


def _build_file() -> descriptor_pb2.FileDescriptorProto:
    fdp = descriptor_pb2.FileDescriptorProto(name='caffe.proto', package='caffe',
                                             syntax='proto2')
    messages = {}
    for msg_name, fields in _MESSAGES.items():
        msg = fdp.message_type.add(name=msg_name)
        messages[msg_name] = msg
        for label, typ, name, number, default, packed in fields:
            field = msg.field.add(name=name, number=number, label=_LABELS[label])
            if typ in _TYPES:
                field.type = _TYPES[typ]
            elif typ.startswith('Enum:'):
                enum_name = typ[5:]
                field.type = _F.TYPE_ENUM
                field.type_name = f'.caffe.{_ENUMS[enum_name][0]}.{enum_name}'
            else:
                field.type = _F.TYPE_MESSAGE
                field.type_name = f'.caffe.{typ}'
            if default is not None:
                field.default_value = default
            if packed:
                field.options.packed = True
    for enum_name, (owner, values) in _ENUMS.items():
        enum = messages[owner].enum_type.add(name=enum_name)
        for value_name, number in values:
            enum.value.add(name=value_name, number=number)
    return fdp


_pool = descriptor_pool.DescriptorPool()
_file = _pool.Add(_build_file())


def _class_for(descriptor):
    """The message class of ``descriptor`` (``GetMessageClass`` came in protobuf 4.22)."""
    get_class = getattr(message_factory, 'GetMessageClass', None)
    if get_class is None:
        return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)
    return get_class(descriptor)


def _message_class(name: str):
    return _class_for(_pool.FindMessageTypeByName(f'caffe.{name}'))


BlobShape = _message_class('BlobShape')
BlobProto = _message_class('BlobProto')
NetParameter = _message_class('NetParameter')
ParamSpec = _message_class('ParamSpec')
LayerParameter = _message_class('LayerParameter')
ConcatParameter = _message_class('ConcatParameter')
ConvolutionParameter = _message_class('ConvolutionParameter')
DropoutParameter = _message_class('DropoutParameter')
EltwiseParameter = _message_class('EltwiseParameter')
InnerProductParameter = _message_class('InnerProductParameter')
LRNParameter = _message_class('LRNParameter')
PoolingParameter = _message_class('PoolingParameter')
ReLUParameter = _message_class('ReLUParameter')
SoftmaxParameter = _message_class('SoftmaxParameter')
SliceParameter = _message_class('SliceParameter')
ReshapeParameter = _message_class('ReshapeParameter')
BatchNormParameter = _message_class('BatchNormParameter')
BiasParameter = _message_class('BiasParameter')
ScaleParameter = _message_class('ScaleParameter')
InputParameter = _message_class('InputParameter')
V1LayerParameter = _message_class('V1LayerParameter')
TRAIN = LayerParameter.TRAIN
TEST = LayerParameter.TEST
