"""Tolerances shared by the normalization function tests."""
import numpy


def set_tolerances(case, dtype, loose: bool = False):
    case.numerical_grad_dtype = numpy.float64
    if dtype == numpy.float16:
        case.check_forward_options = {'atol': 1e-2, 'rtol': 1e-2}
        case.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        case.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
    else:
        tol = 5e-3 if loose else 1e-3
        case.check_forward_options = {'atol': 1e-5, 'rtol': 1e-4}
        case.check_backward_options = {'atol': tol, 'rtol': tol}
        case.check_double_backward_options = {'atol': tol, 'rtol': tol}
