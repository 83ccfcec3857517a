"""Every function of the implemented chainer.functions families is exported."""
import pytest

import chainer.functions as F

FAMILIES = {
    'activation': 'clipped_relu crelu elu hard_sigmoid leaky_relu log_softmax maxout prelu relu '
                  'relu6 rrelu selu sigmoid softmax softplus swish tanh',
    'array': 'as_strided broadcast broadcast_to cast concat copy depth2space diagonal dstack '
             'expand_dims flatten flip fliplr flipud get_item hstack im2col moveaxis pad '
             'pad_sequence permutate repeat reshape resize_images rollaxis scatter_add '
             'select_item separate space2depth spatial_transformer_grid '
             'spatial_transformer_sampler split_axis squeeze stack swapaxes tile transpose '
             'transpose_sequence vstack where',
    'math': 'absolute add arccos arcsin arctan arctan2 arctanh argmax argmin average batch_det '
            'batch_inv batch_l2_norm_squared batch_matmul bias ceil cholesky clip cos cosh '
            'cumprod cumsum det digamma einsum erf erfc erfcinv erfcx erfinv exp expm1 fft fix '
            'floor fmod identity ifft inv lgamma linear_interpolate log log10 log1p log2 '
            'log_ndtr logsumexp matmul max maximum mean min minimum ndtr ndtri polygamma prod '
            'rsqrt scale sign sin sinh sparse_matmul sqrt square sum sum_to tan tensordot zeta',
    'loss': 'absolute_error argmax_crf1d bernoulli_nll black_out '
            'connectionist_temporal_classification contrastive crf1d cross_covariance decov '
            'discriminative_margin_based_clustering_loss gaussian_kl_divergence gaussian_nll '
            'hinge huber_loss mean_absolute_error mean_squared_error negative_sampling '
            'sigmoid_cross_entropy softmax_cross_entropy squared_difference squared_error '
            'triplet',
    'evaluation': 'accuracy binary_accuracy classification_summary f1_score precision '
                  'r2_score recall',
    'noise': 'dropout gaussian gumbel_softmax simplified_dropconnect zoneout',
    'util': 'forget',
    'connection': 'linear embed_id bilinear',
}
NAMES = sorted(n for names in FAMILIES.values() for n in names.split())


def test_count():
    assert len(NAMES) == 165


@pytest.mark.parametrize('name', NAMES)
def test_exported(name):
    fn = getattr(F, name)
    assert callable(fn)
    assert fn.__module__.startswith('chainer.functions.')
