"""SpectralNormalization: divides a link's weight by its largest singular value."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import chainer
from chainer import backend
from chainer import utils
from chainer import variable
from chainer.graph_optimizations.static_graph import static_code
from chainer.link_hooks import _weight_hook
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.link import Link


def l2normalize(xp: Any, v: Any, eps: float) -> Any:
    return v / (xp.linalg.norm(v) + v.dtype.type(eps))


def update_approximate_vectors(weight_matrix: Any, u: Any, n_power_iteration: int,
                               eps: float) -> tuple:
    """Runs ``n_power_iteration`` steps of the power iteration on the 2-D ``weight_matrix``
    (a Variable, as Chainer's takes, or an array).

    Returns:
        tuple: The updated left and right singular vector estimates ``(u, v)``.
    """
    if isinstance(weight_matrix, variable.Variable):
        weight_matrix = weight_matrix.array
    xp = backend.get_array_module(weight_matrix)
    v = None
    for _ in range(n_power_iteration):
        v = l2normalize(xp, xp.dot(u, weight_matrix), eps)
        u = l2normalize(xp, xp.dot(weight_matrix, v), eps)
    return u, v


def calculate_max_singular_value(weight_matrix: Any, u: Any, v: Any) -> variable.Variable:
    """``(u^T W) v``: the largest singular value estimate, differentiable in ``weight_matrix``.

    The products are taken in Chainer's order, so that the estimate rounds as Chainer's.
    """
    from chainer import functions as F
    return F.matmul(F.matmul(u, weight_matrix), v)


class SpectralNormalization(_weight_hook.WeightHook):
    """Spectral normalization: the link runs with ``W / sigma(W)`` in place of ``W``.

    ``sigma(W)``, the largest singular value of ``W`` reshaped to a matrix
    (axis 0 first; axis 1 for deconvolutions), is estimated by power
    iteration with a persistent vector ``<weight_name>_u`` on the link, which
    is updated in training mode only. Register it with
    :meth:`chainer.Link.add_hook`; it cannot be used as a context manager.

    Args:
        n_power_iteration: Power-iteration steps per forward (positive).
        eps: Added to norms to avoid dividing by zero.
        use_gamma: If True, a learnable scalar ``gamma`` (initialised to the
            largest singular value of the initial weight) multiplies the
            normalized weight.
        factor: If given, the weight is divided by ``sigma / factor``.
        weight_name: Attribute name of the weight to normalize.
        name: Name of the hook (default ``'SpectralNormalization'``).
    """

    name = 'SpectralNormalization'

    def __init__(self, n_power_iteration: int = 1, eps: float = 1e-6,
                 use_gamma: bool = False, factor: Optional[float] = None,
                 weight_name: str = 'W', name: Optional[str] = None) -> None:
        if n_power_iteration <= 0:
            raise _ValueAssertionError(
                f'n_power_iteration must be positive; got {n_power_iteration}')
        self.n_power_iteration = n_power_iteration
        self.eps = eps
        self.use_gamma = use_gamma
        self.factor = factor
        self.weight_name = weight_name
        self.vector_name = weight_name + '_u'
        self._initialized = False
        self.axis = 0
        self.u = None
        self.v = None
        if name is not None:
            self.name = name

    def added(self, link: Link) -> None:
        from chainer import links
        # Deconvolution weights are (in, out, ...): their output axis is 1.
        deconvolutions = tuple(
            getattr(links, name) for name in
            ('Deconvolution1D', 'Deconvolution2D', 'Deconvolution3D', 'DeconvolutionND')
            if hasattr(links, name))
        if deconvolutions and isinstance(link, deconvolutions):
            self.axis = 1
        super().added(link)

    def deleted(self, link: Link) -> None:
        if self._initialized:
            delattr(link, self.vector_name)
            if self.use_gamma:
                del link.gamma

    def _make_weight(self, link: Any) -> variable.Variable:
        return self.normalize_weight(link)

    def _prepare(self, link: Any) -> None:
        """Creates the persistent vector ``u`` (and ``gamma``) for an initialized weight."""
        W = getattr(link, self.weight_name)
        if W.array is None:
            raise RuntimeError(
                f'{self.weight_name} is not initialized; call the link once first')
        if W.shape[self.axis] == 0:
            raise ValueError(f'Expect {self.weight_name}.shape[{self.axis}] > 0')
        xp = link.xp
        with chainer.using_device(link.device):
            u = xp.random.normal(size=(W.shape[self.axis],)).astype(W.dtype)
            if self.use_gamma:
                # float16 has no SVD (Chainer failed there): it runs in float32.
                s = xp.linalg.svd(utils.array.as_compute(self.reshape_W(W.array)),
                                  compute_uv=False)
                s0 = xp.asarray(s[0], dtype=W.dtype).reshape(())
        # Registered only once everything is computed, so that a failure leaves
        # the link as it was.
        setattr(link, self.vector_name, u)
        link.register_persistent(self.vector_name)
        if self.use_gamma:
            with link.init_scope():
                link.gamma = variable.Parameter(s0)
        self._initialized = True

    def normalize_weight(self, link: Link) -> variable.Variable:
        """The normalized weight ``W / sigma`` (times ``gamma``) as a Variable."""
        W = getattr(link, self.weight_name)
        weight_matrix = self.reshape_W(W)
        if not chainer.config.in_recomputing or self.u is None:
            self._update_vectors(link, weight_matrix.array, W.dtype)
        sigma = calculate_max_singular_value(weight_matrix, self.u, self.v)
        if self.factor is not None:
            sigma = sigma / self.factor
        if self.use_gamma:
            W = link.gamma * W
        # the 0-d sigma and gamma broadcast in the arithmetic: the nodes Chainer made
        return W / sigma

    @static_code
    def _update_vectors(self, link: Any, weight_matrix: Any, dtype: Any) -> tuple:
        # Static code: a chain decorated with static_graph runs it again on every
        # replayed call, with that call's weight, as define-by-run would.
        u = getattr(link, self.vector_name)
        with chainer.using_device(link.device):
            u, v = update_approximate_vectors(
                weight_matrix, u, self.n_power_iteration, self.eps)
        if chainer.config.train:
            backend.copyto(getattr(link, self.vector_name), u)
        # F.forget recomputes the forward: it must see the same vectors.
        self.u = u.astype(dtype, copy=False)
        self.v = v.astype(dtype, copy=False)
        return self.u, self.v

    def reshape_W(self, W: Any) -> Any:
        """``W`` as a matrix: axis ``self.axis`` first, the other axes flattened."""
        from chainer import functions as F
        is_var = isinstance(W, variable.Variable)
        if self.axis != 0:
            axes = [self.axis] + [i for i in range(W.ndim) if i != self.axis]
            W = F.transpose(W, axes) if is_var else W.transpose(axes)
        if W.ndim == 2:
            return W
        shape = (W.shape[0], -1)
        return F.reshape(W, shape) if is_var else W.reshape(shape)
