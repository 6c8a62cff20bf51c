"""``tf.nn.embedding_lookup``: rows of an embedding table, a gather (so its gradient is a scatter-add).

    table = tf.Variable(tf.random.normal([vocab, dim]))
    vectors = tf.nn.embedding_lookup(table, ids)       # shape ids.shape + (dim,)

The gradient of the table is zero except in the rows that were looked up, where the gradients
of every lookup of that row add up (``tf.gather``'s gradient: what the lessons show with the tape).
"""
from __future__ import annotations

from minitf.errors import InvalidArgumentError
from minitf.ops.shape_ops import gather
from minitf.tensor import Tensor, convert_to_tensor


def embedding_lookup(params, ids, max_norm=None, name=None) -> Tensor:
    """``params[ids]`` along the first axis; ``params`` may be a list of one table (TF's sharded form)."""
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise NotImplementedError("tf.nn.embedding_lookup: minitf takes one table (a list of one), not a "
                                      f"sharded list of {len(params)}")
        params = params[0]
    if max_norm is not None:
        raise NotImplementedError("tf.nn.embedding_lookup: max_norm is not implemented in minitf")
    ids = convert_to_tensor(ids)
    if not ids.dtype.is_integer:
        raise InvalidArgumentError(f"embedding_lookup: ids must be integers, got {ids.dtype.name}", "GatherV2")
    return gather(params, ids)
