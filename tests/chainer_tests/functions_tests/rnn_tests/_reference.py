"""Plain NumPy references of the n-step RNNs: one sequence at a time, one step at a time."""
import numpy


def sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def lstm_step(x, h, c, w, b):
    i = sigmoid(w[0] @ x + b[0] + w[4] @ h + b[4])
    f = sigmoid(w[1] @ x + b[1] + w[5] @ h + b[5])
    a = numpy.tanh(w[2] @ x + b[2] + w[6] @ h + b[6])
    o = sigmoid(w[3] @ x + b[3] + w[7] @ h + b[7])
    c = f * c + i * a
    return o * numpy.tanh(c), c


def gru_step(x, h, c, w, b):
    r = sigmoid(w[0] @ x + b[0] + w[3] @ h + b[3])
    z = sigmoid(w[1] @ x + b[1] + w[4] @ h + b[4])
    n = numpy.tanh(w[2] @ x + b[2] + r * (w[5] @ h + b[5]))
    return (1 - z) * n + z * h, None


def rnn_step(activation):
    def step(x, h, c, w, b):
        y = w[0] @ x + b[0] + w[1] @ h + b[1]
        return (numpy.tanh(y) if activation == 'tanh' else numpy.maximum(y, 0)), None
    return step


def n_step(step, n_layers, n_dirs, hx, cx, ws, bs, xs):
    """``(hy, cy, ys)`` of a stacked (bi)directional RNN, in float64."""
    ws = [[numpy.asarray(a, numpy.float64) for a in w] for w in ws]
    bs = [[numpy.asarray(a, numpy.float64) for a in b] for b in bs]
    hy = numpy.zeros(hx.shape)
    cy = numpy.zeros(hx.shape)
    ys = []
    for s, x in enumerate(xs):
        seq = [numpy.asarray(v, numpy.float64) for v in x]
        for layer in range(n_layers):
            outs = []
            for di in range(n_dirs):
                idx = layer * n_dirs + di
                h = numpy.asarray(hx[idx, s], numpy.float64)
                c = None if cx is None else numpy.asarray(cx[idx, s], numpy.float64)
                order = range(len(seq)) if di == 0 else range(len(seq) - 1, -1, -1)
                out = [None] * len(seq)
                for t in order:
                    h, c = step(seq[t], h, c, ws[idx], bs[idx])
                    out[t] = h
                hy[idx, s] = h
                if c is not None:
                    cy[idx, s] = c
                outs.append(out)
            seq = [numpy.concatenate([o[t] for o in outs]) for t in range(len(seq))]
        units = hx.shape[2] * n_dirs
        ys.append(numpy.array(seq).reshape(len(x), units))
    return hy, cy, ys


def set_tolerances(case, dtype):
    """Forward/backward tolerances of a FunctionTestCase for ``dtype``."""
    if dtype == numpy.float16:
        case.check_forward_options = {'atol': 1e-2, 'rtol': 5e-2}
        case.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        case.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
    else:
        case.check_forward_options = {'atol': 1e-5, 'rtol': 1e-4}
        case.check_backward_options = {'atol': 1e-4, 'rtol': 1e-3}
        case.check_double_backward_options = {'atol': 1e-4, 'rtol': 1e-3}
