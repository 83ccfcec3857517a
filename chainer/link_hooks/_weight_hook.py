"""Shared helpers of the hooks that replace a link's weight during its forward."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer import link_hook
from chainer import utils

if TYPE_CHECKING:
    from chainer.link import Link


def set_weight(link: Any, name: str, value: Any) -> None:
    """Puts ``value`` in place of the attribute ``name`` without touching its registration.

    The hooks swap the Parameter for a normalized Variable and back around
    each forward; going through ``Link.__setattr__`` would unregister the
    parameter on the first swap.
    """
    link.__dict__[name] = value


def swap_in(hook: Any, link: Any, name: str, make_weight: Any) -> None:
    """Replaces the weight ``name`` by ``make_weight(link)``, remembering the original.

    If the previous forward raised, its postprocess never put the original
    back; it is restored first so that the hook never normalizes its own output.
    """
    current = link.__dict__.get(name)
    if current is not None and current is getattr(hook, '_normalized_weight', None):
        set_weight(link, name, hook.original_weight)
    hook.original_weight = getattr(link, name)
    normalized = make_weight(link)
    hook._normalized_weight = normalized
    set_weight(link, name, normalized)


def swap_out(hook: Any, link: Any, name: str) -> None:
    """Puts back the weight that :func:`swap_in` replaced.

    Weight hooks stacked on one weight are undone together: postprocesses run
    in the order of the preprocesses, so the first hook finds the last one's
    weight in place. Each normalized weight found in place is replaced by the
    weight its hook replaced, down to the Parameter (Chainer left the first
    hook's normalized Variable in place).
    """
    hooks = [h for h in link.local_link_hooks.values()
             if isinstance(h, WeightHook) and h.weight_name == name]
    if hook not in hooks:
        hooks.append(hook)
    weight = link.__dict__.get(name)
    undone = True
    while undone:
        undone = False
        for h in hooks:
            normalized = getattr(h, '_normalized_weight', None)
            if normalized is not None and normalized is weight:
                weight = h.original_weight
                h._normalized_weight = None
                undone = True
    set_weight(link, name, weight)


def initialize_lazy_weight(link: Any, cb_args: Any) -> None:
    """Initializes an uninitialized weight from the first positional input of the call."""
    if not cb_args.args:
        return
    x = cb_args.args[0]
    if x is None:
        return
    from chainer.links.connection.linear import Linear
    if isinstance(link, Linear):
        n_batch_axes = cb_args.kwargs.get('n_batch_axes', 1)
        link._initialize_params(utils.size_of_shape(x.shape[n_batch_axes:]))
    else:
        # Convolution-like links take the number of input channels.
        link._initialize_params(x.shape[1])


def check_weight(link: Any, weight_name: str) -> None:
    """Raises ValueError unless ``link`` has the attribute ``weight_name``."""
    if link is None:
        raise ValueError('this hook must be registered on a link with Link.add_hook')
    if not hasattr(link, weight_name):
        raise ValueError(f"Weight '{weight_name}' does not exist!")


class WeightHook(link_hook.LinkHook):
    """Base of the hooks that run a link with :meth:`_make_weight` ``(link)`` in place
    of its weight ``weight_name``; they are registered with
    :meth:`chainer.Link.add_hook`, not used as context managers.

    The first forward initializes a lazy weight from its input and calls
    :meth:`_prepare`, which sets ``_initialized``.
    """

    weight_name: str
    _initialized: bool

    def __enter__(self) -> None:
        raise NotImplementedError(
            'This hook is not supposed to be used as context manager.')

    def __exit__(self, *args: Any) -> None:
        raise NotImplementedError

    def added(self, link: Link) -> None:
        check_weight(link, self.weight_name)
        if getattr(link, self.weight_name).array is not None:
            self._prepare(link)

    def _prepare(self, link: Any) -> None:
        """Readies the hook for the link's initialized weight."""
        self._initialized = True

    def _make_weight(self, link: Any) -> Any:
        """The Variable the link's forward uses as its weight."""
        raise NotImplementedError

    def forward_preprocess(self, cb_args: Any) -> None:
        link = cb_args.link
        if not self._initialized:
            if getattr(link, self.weight_name).array is None:
                initialize_lazy_weight(link, cb_args)
                if getattr(link, self.weight_name).array is None:
                    # As Chainer's WeightStandardization; the hook stays unprepared,
                    # so a later call with an input still initializes the weight.
                    raise ValueError(
                        f'Input variable does not exist! {self.weight_name} is not '
                        'initialized and the call has no input to infer its size from.')
            self._prepare(link)
        swap_in(self, link, self.weight_name, self._make_weight)

    def forward_postprocess(self, cb_args: Any) -> None:
        swap_out(self, cb_args.link, self.weight_name)

    def _call_failed(self, link: Any) -> None:
        # The call raised before forward_postprocess: the weight is put back now
        # (Chainer left the link with the normalized Variable for good).
        normalized = getattr(self, '_normalized_weight', None)
        if normalized is not None and link.__dict__.get(self.weight_name) is normalized:
            swap_out(self, link, self.weight_name)
