"""BinaryHierarchicalSoftmax: the hierarchical softmax loss over a binary tree of words."""
from __future__ import annotations

import copy
import heapq
from typing import TYPE_CHECKING, Any, Dict, Hashable

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer import initializers
from chainer import link
from chainer import utils
from chainer import variable
from chainer.functions.loss import _util as _loss_util
from chainer.utils.error import _IndexValueError

if TYPE_CHECKING:
    from chainer.device_resident import DeviceResidentsVisitor
    from chainer.types import DTypeSpec, VariableOrArray


class TreeParser:
    """Numbers the internal nodes of a binary tree and records each leaf's path.

    A tree is a leaf (a word id) or a pair ``(left, right)`` of trees. Internal
    nodes are numbered in depth-first, left-first order; the code of a step is
    ``1`` when the path goes to the left child and ``-1`` to the right.

    Args:
        dtype: Data type of the codes.
    """

    def __init__(self, dtype: Any = numpy.float32) -> None:
        self.next_id = 0
        self.dtype = numpy.dtype(dtype)
        self.paths: Dict[Any, numpy.ndarray] = {}
        self.codes: Dict[Any, numpy.ndarray] = {}

    def size(self) -> int:
        """Number of internal nodes."""
        return self.next_id

    def get_paths(self) -> Dict[Any, numpy.ndarray]:
        """Leaf -> int32 array of the internal node ids from the root to the leaf."""
        return self.paths

    def get_codes(self) -> Dict[Any, numpy.ndarray]:
        """Leaf -> array of the directions (``1`` left, ``-1`` right) along its path."""
        return self.codes

    def parse(self, tree: Any) -> None:
        """Reads ``tree``; raises ValueError for a malformed tree."""
        self.next_id = 0
        self.paths = {}
        self.codes = {}
        path: list = []
        code: list = []
        # Iterative depth-first walk: deep (e.g. Huffman) trees must not hit
        # the recursion limit.
        stack: list = [('node', tree)]
        while stack:
            kind, node = stack.pop()
            if kind == 'pop':
                path.pop()
                code.pop()
            elif kind == 'right':
                code[-1] = -1.0
                stack.append(('node', node))
            elif isinstance(node, tuple):
                if len(node) != 2:
                    raise ValueError('All internal nodes must have two child nodes')
                left, right = node
                path.append(self.next_id)
                self.next_id += 1
                code.append(1.0)
                stack.append(('pop', None))
                stack.append(('right', right))
                stack.append(('node', left))
            else:
                if not isinstance(node, Hashable):
                    raise TypeError(
                        f'a leaf of the tree must be a word id; got {type(node).__name__}')
                if node in self.paths:
                    raise ValueError(f'leaf {node!r} appears more than once in the tree')
                self.paths[node] = numpy.array(path, dtype=numpy.int32)
                self.codes[node] = numpy.array(code, dtype=self.dtype)


class BinaryHierarchicalSoftmaxFunction(function_node.FunctionNode):
    """Hierarchical softmax loss ``sum_i sum_k softplus(-code_ik * W[node_ik] . x_i)``.

    Built once from a tree; each call of the link applies a copy of it to
    ``(x, t, W)``. The per-word paths and codes are kept flat (``paths``,
    ``codes``, word ``i`` at ``begins[i]:begins[i + 1]``) and padded to a
    ``(n_vocab, max_depth)`` table (code 0 marks padding) for vectorized use.

    Args:
        tree: Binary tree whose leaves are the word ids (non-negative ints).
        dtype: Data type of the codes (the dtype of ``x`` and ``W``).
    """

    def __init__(self, tree: Any, dtype: Any) -> None:
        parser = TreeParser(dtype)
        parser.parse(tree)
        paths = parser.get_paths()
        codes = parser.get_codes()
        for leaf in paths:
            if (not isinstance(leaf, (int, numpy.integer)) or isinstance(leaf, bool)
                    or leaf < 0):
                raise TypeError(
                    f'the leaves of the tree must be non-negative int word ids; got {leaf!r}')
        n_vocab = max((int(leaf) for leaf in paths), default=-1) + 1
        self.n_vocab = n_vocab
        self.parser_size = parser.size()

        lengths = numpy.zeros(n_vocab, dtype=numpy.int32)
        for leaf, p in paths.items():
            lengths[leaf] = len(p)
        begins = numpy.zeros(n_vocab + 1, dtype=numpy.int32)
        numpy.cumsum(lengths, out=begins[1:])
        self.begins = begins
        ordered = [i for i in range(n_vocab) if i in paths]
        self.paths = numpy.concatenate(
            [paths[i] for i in ordered] + [numpy.empty(0, numpy.int32)])
        self.codes = numpy.concatenate(
            [codes[i] for i in ordered] + [numpy.empty(0, parser.dtype)])
        self._padded_paths, self._padded_codes = self._padded(self.paths, self.codes, begins)

    @staticmethod
    def _padded(paths: Any, codes: Any, begins: Any) -> tuple:
        """The ``(n_vocab, max_depth)`` path and code tables of the flat ones."""
        lengths = numpy.diff(begins)
        n_vocab = len(lengths)
        depth = int(lengths.max()) if n_vocab else 0
        padded_paths = numpy.zeros((n_vocab, depth), dtype=numpy.int32)
        padded_codes = numpy.zeros((n_vocab, depth), dtype=codes.dtype)
        for i in range(n_vocab):
            padded_paths[i, :lengths[i]] = paths[begins[i]:begins[i + 1]]
            padded_codes[i, :lengths[i]] = codes[begins[i]:begins[i + 1]]
        return padded_paths, padded_codes

    def __setstate__(self, state: Any) -> None:
        from chainer import _pickle_compat  # Chainer's pickles have another layout
        _pickle_compat.set_state(self, state, '_overridden_to_methods',
                                 _pickle_compat.hierarchical_softmax_state)

    def to_device(self, device: Any) -> None:
        """Moves the lookup tables to ``device``."""
        device = chainer.get_device(device)
        self._padded_paths = device.send(self._padded_paths)
        self._padded_codes = device.send(self._padded_codes)

    def check_type_forward(self, in_types: Any) -> None:
        _loss_util.check_word_loss_types(in_types, named=False, n_rows=self.parser_size)

    def _tables_for(self, t: Any, xp: Any, dtype: Any) -> tuple:
        if t.size and (int(t.min()) < 0 or int(t.max()) >= self.n_vocab):
            raise _IndexValueError(
                f'every t must be a word id of the tree, in [0, {self.n_vocab})')
        paths = xp.asarray(self._padded_paths)[t]
        codes = xp.asarray(self._padded_codes)[t].astype(dtype, copy=False)
        return paths, codes

    def forward(self, inputs: tuple) -> tuple:
        self.retain_inputs((0, 2))
        x, t, W = inputs
        xp = backend.get_array_module(x)
        paths, codes = self._tables_for(t, xp, x.dtype)
        self._batch_paths = paths
        self._batch_codes = codes
        wx = xp.einsum('bld,bd->bl', W[paths], x)
        # softplus(-code * wx); padded steps (code 0) contribute nothing
        loss = xp.logaddexp(x.dtype.type(0), -codes * wx) * (codes != 0)
        # As in Chainer, the loss takes the wider of x's and the codes' dtypes.
        dtype = numpy.promote_types(x.dtype, self._padded_codes.dtype)
        return utils.force_array(loss.sum(), dtype),

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        from chainer import functions as F
        x, W = self.get_retained_inputs()
        gloss, = grad_outputs
        if gloss.dtype != x.dtype:
            gloss = F.cast(gloss, x.dtype)
        paths = self._batch_paths
        codes = self._batch_codes
        w = F.embed_id(paths, W)  # (B, L, D)
        x3 = F.broadcast_to(F.expand_dims(x, 1), w.shape)
        wx = F.sum(w * x3, axis=2)
        # d softplus(-c * wx) / d wx = -c * sigmoid(-c * wx)
        g = F.broadcast_to(-gloss, codes.shape) * codes * F.sigmoid(-codes * wx)
        g3 = F.broadcast_to(F.expand_dims(g, 2), w.shape)
        ret = []
        if 0 in indexes:
            ret.append(F.sum(g3 * w, axis=1))
        if 1 in indexes:
            ret.append(None)
        if 2 in indexes:
            zeros = variable.Variable(W.xp.zeros(W.shape, W.dtype), requires_grad=False)
            ret.append(F.scatter_add(zeros, paths, g3 * x3))
        return tuple(ret)


class BinaryHierarchicalSoftmax(link.Link):
    """Hierarchical softmax layer over a binary tree of words.

    Each internal node ``k`` of ``tree`` has a vector ``W[k]``; the
    probability of word ``t`` given ``x`` is the product, along the path from
    the root to ``t``, of ``sigmoid(code * W[k] . x)`` (code ``1`` for a left
    turn, ``-1`` for a right one). Calling the link returns the negative log
    of these probabilities summed over the batch.

    Args:
        in_size: Size of the input vectors.
        tree: Binary tree: nested pairs ``(left, right)`` whose leaves are
            word ids (e.g. from :meth:`create_huffman_tree`).
        dtype: Data type of the tree's codes (default ``chainer.config.dtype``);
            ``W`` takes ``chainer.config.dtype``, as in Chainer.

    Attributes:
        W (~chainer.Parameter): Node vectors ``(number of internal nodes, in_size)``.
    """

    def __init__(self, in_size: int, tree: Any, dtype: DTypeSpec | None = None) -> None:
        super().__init__()
        dtype = chainer.get_dtype(dtype)
        self._func = BinaryHierarchicalSoftmaxFunction(tree, dtype)
        with self.init_scope():
            self.W = variable.Parameter(
                initializers.Uniform(1), (self._func.parser_size, in_size))

    def device_resident_accept(self, visitor: DeviceResidentsVisitor) -> None:
        super().device_resident_accept(visitor)
        self._func.to_device(self.device)

    @staticmethod
    def create_huffman_tree(word_counts: Dict[Any, Any]) -> Any:
        """Builds a Huffman tree from a dict mapping words to their counts.

        The two least frequent subtrees are merged repeatedly (ties broken by
        the order of the dict), so frequent words get short paths.

        Args:
            word_counts: ``{word: count}``; must not be empty.

        Returns:
            The tree as nested pairs ``(left, right)`` with the words as leaves.
        """
        if not word_counts:
            raise ValueError('Empty vocabulary')
        # (count, uid, tree): a merged tree keeps the smaller uid of its parts,
        # so entries never compare by tree.
        heap = [(count, uid, word)
                for uid, (word, count) in enumerate(word_counts.items())]
        heapq.heapify(heap)
        while len(heap) >= 2:
            count1, id1, tree1 = heapq.heappop(heap)
            count2, id2, tree2 = heapq.heappop(heap)
            heapq.heappush(heap, (count1 + count2, min(id1, id2), (tree1, tree2)))
        return heap[0][2]

    def forward(self, x: VariableOrArray, t: VariableOrArray) -> variable.Variable:
        """Loss of the words ``t`` (int32, (B,)) given the vectors ``x`` ((B, in_size))."""
        f = copy.copy(self._func)
        return f.apply((x, t, self.W))[0]
