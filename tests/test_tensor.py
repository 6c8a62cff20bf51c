"""Tensor and Variable: dtypes, operators, indexing, printing and NumPy interop, as TF has them.

Expected values are TF 2.21's behaviour (recorded by hand from a TF session) or plain
NumPy/Python arithmetic; none of them is computed by minitf itself.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from minitf import array_backend as B
from tests.op_specs import array, shapes, slice_key


# --- dtype inference --------------------------------------------------------------------------
@pytest.mark.parametrize("value, dtype", [
    (1.5, "float32"), ([1.0, 2.5], "float32"), ([1, 2.5], "float32"), (3, "int32"), ([1, 2], "int32"),
    (2 ** 31, "int64"), (True, "bool"), ([True, False], "bool"),
    (np.float64(1.0), "float64"), (np.array([1.0]), "float64"), (np.array([1], np.int64), "int64"),
    (np.int64(3), "int64"), (np.array([1.0], np.float16), "float16"), (np.array([True]), "bool"),
    (np.array([1, 2], np.int32), "int32"), (np.array([1], np.uint8), "uint8"),
], ids=repr)
def test_dtype_inference_like_tf(value, dtype):
    """Python floats -> float32, ints -> int32 (int64 when too large); NumPy keeps its dtype."""
    t = tf.constant(value)
    assert t.dtype == dtype and t.dtype.name == dtype
    assert tf.convert_to_tensor(value).dtype == dtype


def test_explicit_dtype_and_refused_conversions():
    assert tf.constant(3, dtype=tf.float64).dtype == tf.float64
    assert tf.constant([1, 2], dtype="float16").numpy().dtype == np.float16
    with pytest.raises(TypeError, match="int32"):
        tf.constant(2.5, dtype=tf.int32)  # TF: Cannot convert 2.5 to EagerTensor of dtype int32
    with pytest.raises(TypeError, match="float32"):
        tf.constant("text", dtype=tf.float32)  # TF: Cannot convert 'text' to EagerTensor of dtype float


def test_dtype_objects_compare_like_tf():
    assert tf.float32 == "float32" and tf.float32 == np.float32 and tf.float32 != tf.float64
    assert tf.as_dtype("float") is tf.float32 and tf.as_dtype(np.int64) is tf.int64
    assert tf.float16.is_floating and tf.int64.is_integer and tf.bool.is_bool
    assert repr(tf.float32) == "tf.float32"


# --- Variable ---------------------------------------------------------------------------------------
def test_variable_assign_family():
    v = tf.Variable([1.0, 2.0])
    before = v.value()
    v.assign([5.0, 6.0])
    np.testing.assert_array_equal(v.numpy(), [5.0, 6.0])
    np.testing.assert_array_equal(before.numpy(), [1.0, 2.0])  # read before: keeps the old value
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [6.0, 7.0])
    v.assign_sub(tf.constant([0.5, 0.5]))
    np.testing.assert_array_equal(v.numpy(), [5.5, 6.5])
    assert v.dtype == tf.float32 and v.shape == (2,)


def test_variable_assign_checks_shape_and_dtype():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(2,\).*\(3,\)"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="shape"):
        v.assign_add([[1.0, 2.0]])
    i = tf.Variable([1, 2])
    with pytest.raises(TypeError, match="int32"):
        i.assign([1.5, 2.5])


def test_sliced_assign_writes_into_the_variable():
    # TF's v[key].assign(value): the course's changeable_tensor[0].assign(7).
    v = tf.Variable([10, 7])
    before = v.numpy()
    assert v[0].assign(7) is v
    np.testing.assert_array_equal(v.numpy(), [7, 7])
    np.testing.assert_array_equal(before, [10, 7])  # read before: keeps the old value
    m = tf.Variable(np.zeros((2, 3), np.float32))
    m[:, 1].assign([1, 2])  # ints into a float32 variable, as TF converts them
    m[1, ::2].assign(tf.constant([5.0, 6.0]))
    np.testing.assert_array_equal(m.numpy(), [[0, 1, 0], [5, 2, 6]])
    assert m.dtype == tf.float32


def test_sliced_assign_checks_shape_and_dtype_and_constants_have_none():
    m = tf.Variable(np.zeros((2, 3), np.float32))
    m[:, 0].assign(5.0)  # broadcast into the slice, as TF does
    np.testing.assert_array_equal(m.numpy()[:, 0], [5.0, 5.0])
    with pytest.raises(ValueError, match=r"shape \(3,\) into the slice of shape \(2,\)"):
        m[:, 0].assign([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="int32"):
        tf.Variable([1, 2])[0].assign(1.5)
    assert not hasattr(tf.constant([1, 2])[0], "assign")


def test_a_variable_slice_is_differentiable_like_any_slice():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = x[1] * 3.0 + x[::2] ** 2
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 6.0, 6.0])


def test_variable_owns_its_array():
    source = np.array([1.0, 2.0], np.float32)
    v = tf.Variable(source)
    source[0] = 100.0
    assert v.numpy()[0] == 1.0


def test_variable_names_repr_and_hash():
    v = tf.Variable(2.0, name="w")
    assert v.name == "w:0"
    assert repr(v) == "<tf.Variable 'w:0' shape=() dtype=float32, numpy=2.0>"
    assert {v: 1}[v] == 1  # usable as a dict key (optimizer slots)
    with pytest.raises(ValueError):
        tf.Variable(None)
    assert tf.Variable(lambda: np.zeros(3, np.float32)).shape == (3,)


# --- operators ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("expr, expected", [
    (lambda a, b: a + b, lambda a, b: a + b), (lambda a, b: a - b, lambda a, b: a - b),
    (lambda a, b: a * b, lambda a, b: a * b), (lambda a, b: a / b, lambda a, b: a / b),
    (lambda a, b: a // b, lambda a, b: a // b), (lambda a, b: a % b, lambda a, b: a % b),
    (lambda a, b: a ** 2, lambda a, b: a ** 2), (lambda a, b: 2.0 ** a, lambda a, b: 2.0 ** a),
    (lambda a, b: -a, lambda a, b: -a), (lambda a, b: abs(a), lambda a, b: np.abs(a)),
    (lambda a, b: 1.0 - a, lambda a, b: 1.0 - a), (lambda a, b: 3.0 / b, lambda a, b: 3.0 / b),
    (lambda a, b: a < b, lambda a, b: a < b), (lambda a, b: a <= b, lambda a, b: a <= b),
    (lambda a, b: a > b, lambda a, b: a > b), (lambda a, b: a >= b, lambda a, b: a >= b),
    (lambda a, b: a == b, lambda a, b: a == b), (lambda a, b: a != b, lambda a, b: a != b),
], ids=["+", "-", "*", "/", "//", "%", "**2", "2**", "neg", "abs", "rsub", "rtruediv",
        "<", "<=", ">", ">=", "==", "!="])
def test_python_operators(expr, expected):
    a = np.array([[-7.5, 2.0, 3.0], [4.0, -5.0, 6.5]], np.float32)
    b = np.array([2.0, -3.0, 3.0], np.float32)
    result = expr(tf.constant(a), tf.constant(b))
    want = expected(a, b)
    assert result.dtype == want.dtype.name
    np.testing.assert_allclose(result.numpy(), want, rtol=1e-6)


def test_integer_operators_follow_tf():
    """// floors, % takes the divisor's sign, / of ints is float64 (TF's truediv)."""
    a, b = tf.constant([7, -7, 7, -7]), tf.constant([2, 2, -2, -2])
    np.testing.assert_array_equal((a // b).numpy(), [3, -4, -4, 3])
    np.testing.assert_array_equal((a % b).numpy(), [1, 1, -1, -1])
    assert (a / b).dtype == tf.float64
    np.testing.assert_array_equal((a / b).numpy(), [3.5, -3.5, -3.5, 3.5])
    assert (tf.constant(2) ** 3).numpy() == 8 and (tf.constant(2) ** 3).dtype == tf.int32


def test_matmul_operator_and_logic_operators():
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal((a @ a).numpy(), [[7.0, 10.0], [15.0, 22.0]])
    np.testing.assert_array_equal((np.eye(2, dtype=np.float32) @ a).numpy(), a.numpy())
    t, f = tf.constant([True, True]), tf.constant([True, False])
    np.testing.assert_array_equal((t & f).numpy(), [True, False])
    np.testing.assert_array_equal((t | f).numpy(), [True, True])
    np.testing.assert_array_equal((t ^ f).numpy(), [False, True])
    np.testing.assert_array_equal((~f).numpy(), [False, True])


@given(st.integers(1, 70), st.integers(1, 70), st.integers(1, 70), st.booleans(), st.booleans(),
       st.sampled_from(["float32", "float64", "float16", "int32"]), st.integers(0, 2**32 - 1))
def test_matmul_of_matrices_has_the_bits_of_numpys_matmul(m, k, n, transpose_a, transpose_b, dtype, seed):
    # MatMul's kernel is np.dot (fewer Python steps than np.matmul, same BLAS call): the bits must be
    # matmul's, at any shape (1s: BLAS's vector kernels), transposed views, zeros of either sign included.
    rng = np.random.default_rng(seed)

    def matrix(shape):
        x = rng.standard_normal(shape) * (8 if dtype == "int32" else 1)
        x[rng.random(shape) < 0.2] = 0.0
        x[rng.random(shape) < 0.1] = -0.0
        return x.astype(dtype)

    a = matrix((k, m) if transpose_a else (m, k))
    b = matrix((n, k) if transpose_b else (k, n))
    got = tf.matmul(tf.constant(a), tf.constant(b), transpose_a=transpose_a, transpose_b=transpose_b).numpy()
    want = np.matmul(a.T if transpose_a else a, b.T if transpose_b else b)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


def test_equality_with_none_and_hashing():
    x = tf.constant([1.0, 2.0])
    assert (x == None) is False and (x != None) is True  # noqa: E711 (TF's behaviour)
    assert bool(tf.constant(1.0) == 1.0)
    with pytest.raises(TypeError, match="unhashable"):
        hash(x)
    assert {x.ref(): 1}[x.ref()] == 1 and x.ref().deref() is x


def test_python_scalars_take_the_tensor_dtype():
    assert (tf.constant([1.0], tf.float64) + 1).dtype == tf.float64
    assert (tf.constant([1, 2]) * 2).dtype == tf.int32
    with pytest.raises(TypeError):
        tf.constant(3) * 2.5  # TF: Cannot convert 2.5 to EagerTensor of dtype int32


# --- indexing ---------------------------------------------------------------------------------------------
@given(data=st.data())
def test_getitem_matches_numpy(data):
    """x[key] for slices (negative steps too), ints, tf.newaxis and Ellipsis equals NumPy's x[key]."""
    shape = data.draw(shapes(1))
    x = data.draw(array(shape)).astype(np.float32)
    key = data.draw(slice_key(shape))
    np.testing.assert_array_equal(tf.constant(x)[key].numpy(), x[key])


def test_getitem_specific_keys():
    x = tf.constant(np.arange(24).reshape(2, 3, 4))
    assert x[..., tf.newaxis, ::-2].shape == (2, 3, 1, 2)
    assert x[1].shape == (3, 4) and int(x[1, 2, 3]) == 23
    assert x[:, 1:].shape == (2, 2, 4)
    np.testing.assert_array_equal(x[-1, ::-1, 0].numpy(), [20, 16, 12])
    assert x[tf.constant(1)].shape == (3, 4)


def test_getitem_refuses_lists_and_masks_with_a_pointer_to_gather():
    x = tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="gather"):
        x[[0, 2]]
    with pytest.raises(TypeError, match="boolean_mask"):
        x[tf.constant([True, False, True])]
    with pytest.raises(ValueError, match="out of bounds"):
        x[5]


# --- printing -----------------------------------------------------------------------------------------------
def test_repr_and_str_like_tf():
    assert repr(tf.constant(1.5)) == "<tf.Tensor: shape=(), dtype=float32, numpy=1.5>"
    assert repr(tf.constant(True)) == "<tf.Tensor: shape=(), dtype=bool, numpy=True>"
    assert repr(tf.constant([1, 2])) == "<tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>"
    assert str(tf.constant([[1.0, 2.0]])) == "tf.Tensor([[1. 2.]], shape=(1, 2), dtype=float32)"
    assert repr(tf.constant([1.0]).shape) == "TensorShape([1])"
    # What print() shows, as TF 2.21 shows it:
    assert str(tf.constant(108.0)) == "tf.Tensor(108.0, shape=(), dtype=float32)"
    assert str(tf.constant([[1, 2], [3, 4]])) == "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"
    assert repr(tf.constant([[1, 2], [3, 4]])) == \
        "<tf.Tensor: shape=(2, 2), dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]], dtype=int32)>"
    assert str(tf.constant([1.0]).shape) == "(1,)" and str(tf.TensorShape([2, None])) == "(2, None)"
    assert str(tf.float32) == "<dtype: 'float32'>"


# --- NumPy interop, iteration, len, bool ----------------------------------------------------------------------
def test_numpy_interop():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    a = np.asarray(x)
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    assert np.array(x, dtype=np.float64).dtype == np.float64
    total = np.array([1.0, 2.0], np.float32) + x  # the tensor's reflected operator runs: a Tensor
    assert isinstance(total, tf.Tensor)
    np.testing.assert_array_equal(total.numpy(), [[2.0, 4.0], [4.0, 6.0]])
    assert isinstance(x + np.array([1.0, 1.0]), tf.Tensor)  # float64 array takes the tensor's float32
    assert float(np.sum(x)) == 10.0 and np.exp(x).shape == (2, 2)
    assert float(tf.constant(2.5)) == 2.5 and int(tf.constant(3)) == 3


def test_iteration_len_and_bool():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    rows = list(x)
    assert len(x) == 3 and len(rows) == 3 and all(isinstance(r, tf.Tensor) for r in rows)
    np.testing.assert_array_equal(rows[2].numpy(), [5.0, 6.0])
    with pytest.raises(TypeError):
        len(tf.constant(1.0))
    with pytest.raises(TypeError):
        iter(tf.constant(1.0))
    assert bool(tf.constant(1.0)) and not bool(tf.constant(0)) and bool(tf.constant(True))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(tf.constant([1.0, 2.0]))
    assert list(range(10))[tf.constant(3)] == 3  # __index__ for integer scalars
    with pytest.raises(TypeError):
        list(range(10))[tf.constant(3.0)]


def test_shape_properties():
    x = tf.constant(np.zeros((2, 3, 4), np.float32))
    assert x.shape == (2, 3, 4) and x.shape.as_list() == [2, 3, 4] and x.shape.rank == 3
    assert x.ndim == 3 and x.shape[1:] == (3, 4) and x.shape.num_elements() == 24
    # On the GPU backends (CuPy and its stand-in) a tensor lives on the GPU, as TF's would.
    assert x.get_shape() == x.shape and x.device.endswith("CPU:0" if B.name == "numpy" else "GPU:0")


def test_constant_with_shape():
    np.testing.assert_array_equal(tf.constant(7.0, shape=(2, 2)).numpy(), np.full((2, 2), 7.0))
    np.testing.assert_array_equal(tf.constant([1, 2, 3, 4], shape=(2, 2)).numpy(), [[1, 2], [3, 4]])
    with pytest.raises(ValueError):
        tf.constant([1, 2, 3], shape=(2, 2))
    source = np.array([1.0, 2.0])
    c = tf.constant(source)
    source[0] = 50.0
    assert c.numpy()[0] == 1.0  # tf.constant copies a NumPy array


def test_numpy_scalars_on_the_left_keep_the_tape():
    """np.sqrt(2.0) * x must stay a recorded Tensor op (not a silent NumPy array), so gradients flow."""
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = np.sqrt(2.0) * x + np.float32(1.0) - np.array([0.5, 0.5]) * x
    assert isinstance(y, tf.Tensor) and y.dtype == tf.float32
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [np.sqrt(2.0) - 0.5] * 2, rtol=1e-6)


# --- no shared buffers: what a user passes in or gets out never aliases a tensor ------------------------
def test_numpy_of_a_weight_is_a_copy():
    layer = tf.keras.layers.Dense(2)
    layer.build((None, 3))
    k = layer.kernel.numpy()
    k *= 0
    assert np.abs(layer.kernel.numpy()).sum() > 0  # TF returns a copy: the model's kernel is untouched
    w = layer.get_weights()[0]
    w[:] = 5
    assert not np.all(layer.kernel.numpy() == 5)


def test_converted_arrays_are_copied():
    buffer = np.zeros(3, np.float32)
    made = []
    for i in range(3):
        buffer[:] = i
        made.append(tf.convert_to_tensor(buffer))
        made.append(tf.identity(buffer))
        made.append(tf.constant(buffer))
    assert [float(t.numpy()[0]) for t in made] == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_writing_into_numpy_of_a_view_changes_nothing():
    x = tf.constant(np.arange(6, dtype=np.float32))
    r = tf.reshape(x, (2, 3)).numpy()
    r[0, 0] = 100
    assert float(x.numpy()[0]) == 0.0
    s = x[1:3].numpy()
    s[:] = -1
    assert x.numpy().tolist() == [0, 1, 2, 3, 4, 5]


def test_a_variable_never_shares_the_array_it_was_given_or_assigned():
    data = np.ones(3, np.float32)
    v = tf.Variable(data)
    data[:] = 7
    assert v.numpy().tolist() == [1, 1, 1]
    new = np.full(3, 2.0, np.float32)
    v.assign(new)
    new[:] = 9
    assert v.numpy().tolist() == [2, 2, 2]
    before = v.value()
    v.assign_add([1.0, 1.0, 1.0])
    assert before.numpy().tolist() == [2, 2, 2]  # a tensor read before keeps its value
