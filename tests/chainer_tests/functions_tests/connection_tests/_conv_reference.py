"""Plain-loop NumPy references for convolution tests (slow, obviously correct) and the
tolerances shared by the convolution and pooling tests."""
import itertools

import numpy


def conv_outsize(size, k, s, p, cover_all, d):
    dk = (k - 1) * d + 1
    if cover_all:
        return (size + 2 * p - dk + s - 1) // s + 1
    return (size + 2 * p - dk) // s + 1


def convolution(x, W, b, stride, pad, cover_all=False, dilate=None, groups=1):
    """``y[n, o, p] = sum x[n, g*cg + c, p*s + k*d - pad] W[o, c, k]`` by loops."""
    nd = x.ndim - 2
    dilate = dilate or (1,) * nd
    n, c = x.shape[:2]
    out_c, cg = W.shape[:2]
    ksize = W.shape[2:]
    out = [conv_outsize(x.shape[2 + i], ksize[i], stride[i], pad[i], cover_all, dilate[i])
           for i in range(nd)]
    y = numpy.zeros((n, out_c) + tuple(out))
    og = out_c // groups
    xd = x.astype(numpy.float64)
    Wd = W.astype(numpy.float64)
    for o in range(out_c):
        g = o // og
        for pos in itertools.product(*(range(v) for v in out)):
            for kidx in itertools.product(*(range(k) for k in ksize)):
                src = [pos[i] * stride[i] + kidx[i] * dilate[i] - pad[i] for i in range(nd)]
                if all(0 <= s < x.shape[2 + i] for i, s in enumerate(src)):
                    y[(slice(None), o) + tuple(pos)] += (
                        xd[(slice(None), slice(g * cg, (g + 1) * cg)) + tuple(src)]
                        @ Wd[(o, slice(None)) + kidx])
    if b is not None:
        y += b.reshape((1, -1) + (1,) * nd)
    return y


def deconvolution(x, W, b, stride, pad, out_dims, dilate=None, groups=1):
    """The transpose of :func:`convolution`: every input pixel scatters ``x * W``."""
    nd = x.ndim - 2
    dilate = dilate or (1,) * nd
    n, in_c = x.shape[:2]
    ocg = W.shape[1]
    ksize = W.shape[2:]
    icg = in_c // groups
    y = numpy.zeros((n, ocg * groups) + tuple(out_dims))
    for ci in range(in_c):
        g = ci // icg
        for pos in itertools.product(*(range(v) for v in x.shape[2:])):
            for kidx in itertools.product(*(range(k) for k in ksize)):
                dst = [pos[i] * stride[i] + kidx[i] * dilate[i] - pad[i] for i in range(nd)]
                if all(0 <= d < out_dims[i] for i, d in enumerate(dst)):
                    y[(slice(None), slice(g * ocg, (g + 1) * ocg)) + tuple(dst)] += (
                        x[(slice(None), ci) + tuple(pos)][:, None].astype(numpy.float64)
                        * W[(ci, slice(None)) + kidx][None])
    if b is not None:
        y += b.reshape((1, -1) + (1,) * nd)
    return y


def set_tolerances(case, dtype):
    """Forward/backward/double-backward tolerances of a FunctionTestCase for ``dtype``."""
    if dtype == numpy.float16:
        case.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
        case.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        case.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
    else:
        case.check_forward_options = {'atol': 1e-5, 'rtol': 1e-4}
        case.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
        case.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
