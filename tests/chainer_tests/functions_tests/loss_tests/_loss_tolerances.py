"""Tolerances shared by the loss tests."""
import numpy


def set_tolerances(case, dtype, fwd32=None, bwd32=None):
    case.numerical_grad_dtype = numpy.float64
    if dtype == numpy.float16:
        case.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
        case.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        case.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
    else:
        case.check_forward_options = fwd32 or {'atol': 1e-5, 'rtol': 1e-4}
        case.check_backward_options = bwd32 or {'atol': 1e-3, 'rtol': 1e-3}
        case.check_double_backward_options = bwd32 or {'atol': 1e-3, 'rtol': 1e-3}
