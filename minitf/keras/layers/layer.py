"""Layer: the base class of every Keras layer (and of Model), as in Keras 3.

A layer owns weights (``add_weight``), creates them lazily in ``build(input_shape)`` the first
time it sees data, and computes ``call(inputs, training=None, mask=None)``::

    class Linear(keras.layers.Layer):
        def __init__(self, units):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, x):
            return x @ self.w + self.b

What ``layer(x)`` (``__call__``) does around ``call``, in order:

1. symbolic inputs (``keras.Input``): no arithmetic, record a graph ``Node`` instead;
2. NumPy arrays and lists become tensors; float inputs are cast to the layer's dtype;
3. the first call builds the layer (``build`` with the input's shape);
4. ``input_spec`` is checked: a wrong shape is an error naming this layer, expected vs got;
5. ``training`` is resolved: given explicitly, else inherited from the outer layer's call
   (``model(x, training=True)`` reaches every Dropout inside), else ``call``'s default;
6. ``mask`` is filled in from the input's mask if ``call`` takes one;
7. ``call`` runs; then the activity regularizer adds its loss, and, if the layer
   ``supports_masking``, ``compute_mask`` gives the output's mask.

Weights: ``weights`` lists the layer's own variables (trainable ones first, in creation order,
then non-trainable ones), then its sublayers' in the order they were assigned; that is the
order of ``get_weights()``. Setting ``layer.trainable = False`` marks all its variables (and
its sublayers') non-trainable: they leave ``trainable_weights`` and join
``non_trainable_weights``, and their regularization losses stop counting.
"""
from __future__ import annotations

import functools
import inspect
import threading
import warnings
import weakref
from typing import Any

import numpy as np

from minitf import nest
from minitf._context import init_scope
from minitf import array_backend as B
from minitf.keras import backend, constraints, naming, regularizers
from minitf.keras.engine.keras_tensor import KerasTensor, any_symbolic
from minitf.keras.engine.node import Node
from minitf.keras.layers.input_spec import InputSpec, assert_input_compatibility, check_input
from minitf.keras.losses import _divide_no_nan as divide_no_nan
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, Variable, convert_to_tensor

_AUTO_CONFIG_TYPES = (str, int, float, bool, type(None))


# What an outer call hands down to the layers it calls (see CallContext, below Layer).
_call_context: "CallContext | None" = None
_CONTEXT_KWARGS = frozenset({"training", "mask"})
# Layers holding add_loss losses right now: lets a call skip clearing when there are none.
_LAYERS_WITH_LOSSES: "weakref.WeakSet[Layer]" = weakref.WeakSet()


class Layer:
    """Base class of layers: weights, lazy build, ``call``, configs. See the module docstring."""

    # ---- per-class facts about ``call`` and ``__init__`` (computed once per subclass) ----
    _call_has_training_arg = False
    _call_has_mask_arg = False
    _call_training_default = None
    _call_first_arg = "inputs"
    _init_arg_names: list = []
    # A layer that overrides compute_mask may create a mask where there was none (mask_zero=True).
    _computes_own_mask = False

    def __init__(self, *, activity_regularizer=None, trainable: bool = True, dtype=None, autocast: bool = True,
                 name: str | None = None, **kwargs):
        from minitf import dtypes
        input_dim = kwargs.pop("input_dim", None)
        input_shape = (input_dim,) if input_dim is not None else kwargs.pop("input_shape", None)
        kwargs.pop("input_shape", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        if name is not None and (not isinstance(name, str) or "/" in name):
            # As Keras: '/' separates a weight's path in a saved file (layers/<name>/vars/0).
            raise ValueError(f"{type(self).__name__}: argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name!r} (of type {type(name)})")
        self.name = name or naming.auto_name(type(self).__name__)
        from minitf.keras import dtype_policies
        self._dtype_policy = dtype_policies.get(dtype_name(dtype))
        self._dtype = self._dtype_policy.variable_dtype  # weights' dtype; inputs go to compute_dtype
        self._np_dtype = dtypes.as_dtype(self._dtype_policy.compute_dtype)._np  # (object for "string")
        self._trainable = bool(trainable)
        self.autocast = autocast
        self.built = False
        self._build_input_shape = None
        self._input_shape_arg = None if input_shape is None else _plain_shape(tuple(input_shape))
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._losses: list[Tensor] = []
        self._inbound_nodes: list[Node] = []
        self.input_spec = None
        self._supports_masking = self._computes_own_mask  # Keras: overriding compute_mask means support
        from minitf.keras import regularizers
        self.activity_regularizer = regularizers.get(activity_regularizer) if activity_regularizer else None
        self._initialized = True

    # ---- per-class facts and per-instance set-up that run before __init__ ----
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__ and not getattr(cls.__dict__["build"], "_minitf_wrapped", False):
            cls.build = _wrap_build(cls.__dict__["build"])
        try:
            params = inspect.signature(cls.call).parameters
        except (TypeError, ValueError):
            params = {}
        names = [n for n in params if n != "self"]
        cls._call_has_training_arg = "training" in params
        cls._call_has_mask_arg = "mask" in params
        default = params["training"].default if "training" in params else None
        cls._call_training_default = None if default is inspect.Parameter.empty else default
        cls._call_first_arg = names[0] if names else "inputs"
        cls._computes_own_mask = cls.compute_mask is not Layer.compute_mask
        try:
            cls._init_arg_names = inspect.getfullargspec(cls.__init__).args[1:]
        except TypeError:
            cls._init_arg_names = []

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        object.__setattr__(obj, "_tracked", {})
        # Keras's auto-config: a layer whose constructor took only plain values
        # (numbers, strings, None) gets a working get_config() without writing one.
        given = dict(zip(cls._init_arg_names, args))
        given.update(kwargs)
        plain = all(isinstance(v, _AUTO_CONFIG_TYPES) for v in nest.flatten(given))
        object.__setattr__(obj, "_auto_config", given if plain else None)
        return obj

    # ---- attribute tracking: sublayers assigned as attributes, in assignment order ----
    def __setattr__(self, name: str, value: Any) -> None:
        tracked = self.__dict__.get("_tracked")
        if tracked is not None and not name.startswith("__"):
            if isinstance(value, (Layer, list, tuple, dict)) and name not in _UNTRACKED:
                tracked[name] = value
            elif name in tracked:
                del tracked[name]
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self.__dict__.get("_tracked", {}).pop(name, None)
        object.__delattr__(self, name)

    @property
    def _layers(self) -> list["Layer"]:
        """Direct sublayers, in the order they were assigned (lists read as they are now)."""
        found, seen = [], set()

        def visit(value, depth=0):
            if isinstance(value, Layer):
                if id(value) not in seen and value is not self:
                    seen.add(id(value))
                    found.append(value)
            elif depth < 3 and isinstance(value, (list, tuple)):
                for item in value:
                    visit(item, depth + 1)
            elif depth < 3 and isinstance(value, dict):
                for item in value.values():
                    visit(item, depth + 1)

        for value in self._tracked.values():
            visit(value)
        return found

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True):
        seen = set()
        stack = [self] if include_self else list(reversed(self._layers))
        out = []
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive or layer is self:
                stack.extend(reversed(layer._layers))
        return out

    # ---- dtype (see keras/dtype_policies.py) ----
    @property
    def dtype_policy(self):
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value) -> None:
        from minitf import dtypes
        from minitf.keras import dtype_policies
        self._dtype_policy = dtype_policies.get(value)
        self._dtype = self._dtype_policy.variable_dtype
        self._np_dtype = dtypes.as_dtype(self._dtype_policy.compute_dtype)._np

    @property
    def dtype(self) -> str:
        """The variables' dtype (Keras 3: an alias of ``variable_dtype``)."""
        return self._dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype

    @property
    def input_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    # ---- weights ----
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable: bool = True, autocast: bool = True,
                   regularizer=None, constraint=None, aggregation: str = "none", name: str | None = None,
                   **kwargs) -> Variable:
        """Create a weight Variable owned by this layer (default initializer: glorot_uniform for floats)."""
        from minitf import dtypes
        shape = () if shape is None else tuple(int(d) for d in (shape if isinstance(shape, (list, tuple)) else (shape,)))
        dtype = dtypes.as_dtype(dtype or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        with init_scope():  # built inside a trace (a first traced call), the initial value is still computed now
            value = _initial_value(initializer, shape, dtype, self.name, name)
        variable = Variable(value, trainable=trainable, name=name or "variable", dtype=dtype)
        variable.path = f"{self.name}/{name or 'variable'}"
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        variable.aggregation = aggregation
        variable.autocast = autocast  # read in the compute dtype inside a mixed-precision call
        if trainable:
            variable.trainable = self._trainable  # a frozen layer makes frozen weights
            self._trainable_variables.append(variable)
        else:
            self._non_trainable_variables.append(variable)
        return variable

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for v in self._trainable_variables:
            v.trainable = value
        for layer in self._layers:
            layer.trainable = value

    @property
    def weights(self) -> list[Variable]:
        """Own variables (trainable-created first, then non-trainable), then sublayers', deduplicated."""
        out, seen = [], set()
        for v in self._trainable_variables + self._non_trainable_variables:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for layer in self._layers:
            for v in layer.weights:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_weights(self) -> list[Variable]:
        return [v for v in self.weights if v.trainable] if self._trainable else []

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return [v for v in self.weights if not v.trainable] if self._trainable else self.weights

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of ``weights`` as NumPy arrays."""
        return [np.array(v.numpy(), copy=True) for v in self.weights]

    def set_weights(self, weights: list) -> None:
        """Assign ``weights`` (NumPy arrays, in ``get_weights()`` order) to this layer's variables."""
        own = self.weights
        weights = list(weights)
        if len(own) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of "
                             f"length {len(weights)}, but the layer was expecting {len(own)} weights.")
        values = []
        for variable, value in zip(own, weights):
            value = np.asarray(value)
            if tuple(variable.shape) != tuple(value.shape):
                raise ValueError(f"Layer {self.name} weight shape {tuple(variable.shape)} is not compatible with "
                                 f"provided weight shape {tuple(value.shape)} (weight '{variable.path}').")
            values.append(value)
        for variable, value in zip(own, values):  # all checked first: a bad list changes nothing
            variable.assign(value)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                             "You can build it manually via: `layer.build(input_shape)`.")
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # ---- losses ----
    def add_loss(self, loss: Any) -> None:
        """Add a scalar loss (e.g. an activity penalty) from inside ``call``; ``fit`` adds it to the loss."""
        for x in nest.flatten(loss):
            if not isinstance(x, Tensor):
                x = convert_to_tensor(x, dtype_hint=self._dtype)
            self._losses.append(x)
        _LAYERS_WITH_LOSSES.add(self)

    def _clear_losses(self) -> None:
        """Forget the ``add_loss`` losses of this layer and its sublayers (each outermost call does)."""
        for layer in self._flatten_layers():
            if layer._losses:
                layer._losses.clear()
                _LAYERS_WITH_LOSSES.discard(layer)

    @property
    def losses(self) -> list[Tensor]:
        """``add_loss`` losses of this layer and its sublayers, then weight regularization losses.

        Regularization losses are computed now, from the current weights, for trainable weights only.
        """
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
        for v in self.trainable_weights:
            if getattr(v, "regularizer", None) is not None:
                out.append(v.regularizer(v))
        return out

    # ---- masks ----
    @property
    def supports_masking(self) -> bool:
        return self._supports_masking

    @supports_masking.setter
    def supports_masking(self, value: bool) -> None:
        self._supports_masking = bool(value)

    def compute_mask(self, inputs, previous_mask):
        """The mask of the output (default: the input's mask, passed on unchanged)."""
        return previous_mask

    # ---- build and call ----
    def build(self, input_shape=None) -> None:
        """Create the weights, knowing the input shape. The default creates none."""
        self.built = True

    def _build_at_init(self) -> None:
        """Keras's rule for a layer without weights (ReLU, Identity ...): built from the start, unless a
        subclass writes its own ``build``."""
        if type(self).build is Layer.build:
            self.built = True

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` method implemented.")

    def __call__(self, *args, **kwargs):
        if not self.__dict__.get("_initialized"):
            raise RuntimeError(f"You forgot to call `super().__init__()` in the `__init__()` of "
                               f"{type(self).__name__}; call it first.")
        if not args and self._call_first_arg in kwargs:
            args = (kwargs.pop(self._call_first_arg),)
        first = args[0] if args else None
        # The common case -- one tensor, maybe training=/mask= -- skips the general checks.
        if len(args) == 1 and isinstance(first, Tensor) and (not kwargs or kwargs.keys() <= _CONTEXT_KWARGS):
            value = first._value
            if self.autocast and value.dtype.kind == "f" and value.dtype != self._np_dtype:
                first = self._convert_input(first)
                args = (first,)
        else:
            if any_symbolic(args) or any_symbolic(kwargs):
                return self._symbolic_call(args, kwargs)
            if first is not None:
                converted = self._convert_input(first)
                if converted is not first:
                    args = (converted,) + args[1:]
                    first = converted
        spec = self.input_spec
        if not self.built:
            if spec is not None:
                assert_input_compatibility(spec, first, self.name)
            self._maybe_build(first)
            spec = self.input_spec
        if spec is not None:
            if type(spec) is InputSpec and isinstance(first, Tensor):
                check_input(spec, first, self.name)
            else:
                assert_input_compatibility(spec, first, self.name)

        global _call_context
        context = _call_context
        entry = context is None
        if entry:
            context = _call_context = CallContext(self)
            if _LAYERS_WITH_LOSSES:
                self._clear_losses()
        try:
            # training: explicit > inherited from the outer call > call()'s default
            training = kwargs.get("training")
            if training is None:
                training = context.training if context.training is not None else self._call_training_default
            context.training = training
            if self._call_has_training_arg:
                if training is not None:
                    kwargs["training"] = training
            elif "training" in kwargs:
                del kwargs["training"]
            # mask: from the input's mask unless given
            previous_mask = kwargs.get("mask")
            if previous_mask is None and first is not None:
                previous_mask = _mask_of(first)
                if previous_mask is not None and self._call_has_mask_arg:
                    kwargs["mask"] = previous_mask
            if not self._call_has_mask_arg and "mask" in kwargs:
                del kwargs["mask"]

            if _autocast.dtype is None and self._np_dtype == self._dtype:  # not mixed precision
                outputs = self.call(*args, **kwargs)
            else:
                outputs = self._call_autocast(args, kwargs)

            if self.activity_regularizer is not None:
                for out in nest.flatten(outputs):
                    if isinstance(out, Tensor):
                        loss = self.activity_regularizer(out)
                        if out.ndim > 0:  # per sample, as Keras 3 does: divide_no_nan(loss, batch size)
                            batch = out.shape[0]  # (unknown in a trace with any batch size: an op then)
                            if batch is None:
                                batch = S.cast(S.shape(out)[0], loss.dtype)
                            loss = divide_no_nan(loss, batch)
                        self.add_loss(loss)
            if previous_mask is not None or self._computes_own_mask:
                if self._supports_masking:
                    outputs = self._set_output_mask(first, outputs, previous_mask)
                elif previous_mask is not None:
                    warnings.warn(f"Layer '{self.name}' (of type {type(self).__name__}) was passed an input with a "
                                  "mask attached to it. However, this layer does not support masking and will "
                                  "therefore destroy the mask information. Downstream layers will not see the mask.",
                                  stacklevel=2)
        finally:
            if entry:
                _call_context = None
        return outputs

    def _call_autocast(self, args: tuple, kwargs: dict):
        """``call`` with float weights read in the autocast dtype (Keras's AutocastScope).

        Keras casts a variable whenever it is read inside the scope. Here, when a layer opens (or
        changes) the scope, the weight attributes (``self.kernel`` ...) of it and of every layer
        under it become cast tensors for the duration of ``call`` (an RNN reads its cell's kernel
        itself); a layer called inside an open scope casts its own. The tape sees ``Cast(kernel)``,
        so the gradient reaches the float32 variable. Weights made with ``autocast=False`` (the
        normalization layers' ones) stay as they are, so they can be assigned.
        """
        saved = _autocast.dtype
        scope = _autocast_dtype(self, saved)
        dtype = saved if scope is False else scope
        _autocast.dtype = dtype
        swapped = []
        try:
            from minitf.ops.shape_ops import cast
            originals = _autocast.originals
            casts: dict[int, Tensor] = {}
            for layer in (self._flatten_layers() if scope is not False else (self,)):
                for name, value in list(layer.__dict__.items()):
                    key = (id(layer), name)
                    original = value if isinstance(value, Variable) else originals.get(key)
                    if original is None or value is not original and value._value.dtype == (dtype or original._value.dtype):
                        continue  # not a weight, or already read in this scope's dtype
                    if dtype is not None and original._value.dtype.kind == "f" and original._value.dtype != dtype \
                            and getattr(original, "autocast", True):
                        new = casts.get(id(original))
                        if new is None:
                            new = casts[id(original)] = cast(original, dtype)
                    else:
                        new = original
                    if new is not value:
                        swapped.append((layer, name, value, originals.get(key)))
                        originals[key] = original
                        object.__setattr__(layer, name, new)
            return self.call(*args, **kwargs)
        finally:
            for layer, name, value, previous in reversed(swapped):
                object.__setattr__(layer, name, value)
                if previous is None:
                    _autocast.originals.pop((id(layer), name), None)
                else:
                    _autocast.originals[(id(layer), name)] = previous
            _autocast.dtype = saved

    def _convert_input(self, x: Any) -> Any:
        """Arrays and lists to tensors; float tensors cast to this layer's compute dtype (Keras's autocast)."""
        if isinstance(x, Tensor):
            value = x._value
            if self.autocast and value.dtype.kind == "f" and value.dtype != self._np_dtype:
                from minitf.ops.shape_ops import cast
                return cast(x, self._np_dtype)
            return x
        if isinstance(x, dict):
            return {k: self._convert_input(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            if _is_number_list(x):  # nested Python numbers: one array
                return self._convert_input(convert_to_tensor(x))
            return type(x)(self._convert_input(v) for v in x)  # a structure of several inputs
        if B.is_array(x) or isinstance(x, (float, int, np.generic)) or hasattr(x, "__array__"):  # pandas too
            return self._convert_input(convert_to_tensor(x))
        return x

    def _maybe_build(self, first: Any) -> None:
        shape = _shapes_of(first)
        build = type(self).build
        if build is not Layer.build and not getattr(build, "_is_default", False):
            self.build(shape)
        else:
            self._build_input_shape = shape
            self.built = True

    def _set_output_mask(self, inputs, outputs, previous_mask):
        masks = self.compute_mask(inputs, previous_mask)
        if masks is None:
            return outputs
        flat_out = nest.flatten(outputs)
        flat_masks = nest.flatten(masks) if isinstance(masks, (list, tuple)) else [masks] * len(flat_out)
        new = []
        for out, mask in zip(flat_out, flat_masks):
            if isinstance(out, Tensor) and mask is not None and _mask_of(out) is None:
                out = backend.set_keras_mask(out, mask)
            new.append(out)
        return nest.pack_sequence_as(outputs, new) if isinstance(outputs, (list, tuple, dict)) else new[0]

    # ---- symbolic calls (the functional API) ----
    def _symbolic_call(self, args: tuple, kwargs: dict):
        first = args[0] if args else None
        if not self.built:
            self._maybe_build(first)
        if self.input_spec is not None and first is not None:
            assert_input_compatibility(self.input_spec, first, self.name)
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, call_args=args, call_kwargs=kwargs, outputs=outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        """The output shape for an input shape; layers that know it override this."""
        raise NotImplementedError

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensor(s) describing the output of ``call`` on symbolic inputs.

        From ``compute_output_shape`` when the layer defines it; otherwise by running ``call``
        on placeholder data twice, with the unknown sizes set to 2 and then 3: an output size
        that follows them is unknown (None), one that stays put is known. Nothing is recorded
        and the layer's variables are left as they were.
        """
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            first = args[0] if args else None
            shape = self.compute_output_shape(_shapes_of(first))
            return _specs_from_shapes(shape, self.compute_dtype)
        return self._probe_output_spec(args, kwargs)

    def _probe_output_spec(self, args: tuple, kwargs: dict):
        kwargs = {k: v for k, v in kwargs.items() if k != "mask"}
        runs = []
        state = [(v, v._value) for layer in self._flatten_layers() for v in layer.weights]
        global _call_context
        saved_context = _call_context
        with init_scope():  # the probe must not end up on anyone's tape or trace
            try:
                for size in (2, 3):
                    _call_context = None
                    fill = lambda t, n=size: Tensor(B.zeros(tuple(n if d is None else d for d in t.shape),  # noqa: E731
                                                            t.np_dtype))
                    c_args = nest.map_structure(lambda t: fill(t) if isinstance(t, KerasTensor) else t, args)
                    c_kwargs = nest.map_structure(lambda t: fill(t) if isinstance(t, KerasTensor) else t, kwargs)
                    runs.append(self.__call__(*c_args, **c_kwargs))
            finally:
                _call_context = saved_context
                for v, value in state:
                    v._value = value
                self._clear_losses()
        first_run, second_run = runs

        def spec(a, b):
            shape = tuple(d1 if d1 == d2 else None for d1, d2 in zip(a.shape, b.shape))
            return KerasTensor(shape, dtype=a.dtype.name)
        return _zip_specs(first_run, second_run, spec)

    # ---- graph facts ----
    def _single_node(self, what: str) -> Node:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on a symbolic tensor (keras.Input), "
                                 f"so it has no defined {what}.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"Layer '{self.name}' has multiple inbound nodes (it is shared); "
                                 f"its {what} is ambiguous.")
        return self._inbound_nodes[0]

    @property
    def input(self):
        node = self._single_node("input")
        return node.call_args[0] if len(node.call_args) == 1 else list(node.call_args)

    @property
    def output(self):
        return self._single_node("output").outputs

    # ---- configs ----
    def get_config(self) -> dict:
        """The constructor arguments, so that ``type(layer).from_config(config)`` rebuilds it."""
        from minitf.keras.saving.serialization import dtype_policy_config
        config = {"name": self.name, "trainable": self.trainable, "dtype": dtype_policy_config(self._dtype_policy.name)}
        if self.activity_regularizer is not None:
            from minitf.keras.saving.serialization import serialize_keras_object
            config["activity_regularizer"] = serialize_keras_object(self.activity_regularizer)
        if type(self).get_config is Layer.get_config and type(self) is not Layer:
            if self._auto_config is None:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} was created by passing non-serializable argument values in "
                    "`__init__()`, and therefore the layer must override `get_config()` in order to be "
                    "serializable. Please implement `get_config()`.")
            extra = dict(self._auto_config)
            config.update(extra)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        return cls(**config)

    def get_build_config(self) -> dict | None:
        if self.built and self._build_input_shape is not None:
            return {"input_shape": self._build_input_shape}
        return None

    def build_from_config(self, config: dict | None) -> None:
        if config and config.get("input_shape") is not None and not self.built:
            self.build(_tuples(config["input_shape"]))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


# --- the call context: what an outer call hands down to the layers it calls --------------------
class CallContext:
    """Created by the outermost ``__call__``; nested calls read ``training`` from it."""

    __slots__ = ("entry_layer", "training")

    def __init__(self, entry_layer: "Layer"):
        self.entry_layer = entry_layer
        self.training = None


def _wrap_build(build):
    """After a subclass's ``build`` runs, the layer is built and remembers its input shape."""
    @functools.wraps(build)
    def build_wrapper(self, *args, **kwargs):
        build(self, *args, **kwargs)
        if not self.__dict__.get("_build_input_shape_set"):
            shape = args[0] if args else kwargs.get("input_shape", next(iter(kwargs.values()), None))
            self._build_input_shape = _plain_shape(shape)
            self._build_input_shape_set = True
        self.built = True
    build_wrapper._minitf_wrapped = True
    return build_wrapper


def default(method):
    """Marks a base class's ``build`` as a default that the lazy first-call build must not use."""
    method._is_default = True
    return method


def dtype_name(dtype: Any) -> Any:
    """A layer's ``dtype`` argument as a policy name (or None): Keras 3 configs give a ``DTypePolicy`` (a dict)."""
    if isinstance(dtype, dict) and dtype.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
        return (dtype.get("config") or {}).get("name")
    from minitf.keras.dtype_policies import DTypePolicy
    if dtype is None or isinstance(dtype, (str, DTypePolicy)):
        return dtype
    from minitf import dtypes
    return dtypes.as_dtype(dtype).name


class _AutocastState(threading.local):
    def __init__(self):
        self.dtype = None  # the dtype float weights are read in now (inside a mixed-precision call), or None
        self.originals: dict = {}  # (id(layer), attribute) -> the Variable a cast tensor stands for now


_autocast = _AutocastState()


def _autocast_dtype(layer: Layer, current: Any) -> Any:
    """The autocast dtype ``layer.call`` runs under, or False to keep ``current`` (Keras's rule:
    a mixed layer opens a scope; inside one, a layer that does not autocast, or computes in a
    non-float dtype, closes it, and one of another float compute dtype changes it)."""
    compute = layer._dtype_policy.compute_dtype
    if current is None:
        return compute if compute != layer._dtype else False
    if not layer.autocast or compute not in ("float16", "float32", "float64"):
        return None
    return compute if compute != current else False


def _plain_shape(shape: Any) -> Any:
    """A shape (or nested shapes) as tuples of int/None, for configs and summaries."""
    if shape is None:
        return None
    if isinstance(shape, dict):
        return {k: _plain_shape(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and all(d is None or isinstance(d, (int, np.integer)) for d in shape):
        return tuple(None if d is None else int(d) for d in shape)
    if isinstance(shape, (list, tuple)):
        if not shape:
            return ()
        return [_plain_shape(s) for s in shape]
    return shape


# Attributes never scanned for sublayers (internal bookkeeping).
_UNTRACKED = frozenset({"_inbound_nodes", "_trainable_variables", "_non_trainable_variables", "_losses",
                        "_auto_config", "_tracked", "input_spec", "_build_input_shape", "_input_shape_arg",
                        "_operations", "_nodes_by_depth", "_plan", "_inputs", "_outputs", "_inputs_struct",
                        "_outputs_struct", "_input_layers", "_output_layers", "history", "optimizer",
                        "_compile_config", "_compile_loss", "_compile_metrics", "_stateful"})


# --- helpers ----------------------------------------------------------------------------------
def _is_number_list(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and all(isinstance(e, (int, float, np.number)) or _is_number_list(e) for e in v)


def _mask_of(x: Any):
    """The mask carried by ``x``, or a list of them for a list of inputs (None if there are none)."""
    if isinstance(x, Tensor):
        return backend.get_keras_mask(x)
    if isinstance(x, (list, tuple)):
        masks = [_mask_of(v) for v in x]
        return masks if any(m is not None for m in masks) else None
    return None


def _shapes_of(x: Any) -> Any:
    """The shape of a tensor (tuple), or of each tensor of a list/dict (list/dict of tuples)."""
    if x is None:
        return None
    if isinstance(x, (Tensor, KerasTensor)) or hasattr(x, "shape") and not isinstance(x, (list, tuple, dict)):
        return tuple(x.shape)
    if isinstance(x, dict):
        return {k: _shapes_of(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_shapes_of(v) for v in x]
    return None


def _tuples(shape: Any) -> Any:
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, (list, tuple)):
        return [_tuples(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _tuples(v) for k, v in shape.items()}
    return shape


def _specs_from_shapes(shape: Any, dtype: str):
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, (int, np.integer)) for d in shape):
        return KerasTensor(tuple(shape), dtype=dtype)
    if isinstance(shape, dict):
        return {k: _specs_from_shapes(v, dtype) for k, v in shape.items()}
    return [_specs_from_shapes(s, dtype) for s in shape]


def _zip_specs(a: Any, b: Any, fn):
    if isinstance(a, Tensor):
        return fn(a, b)
    if isinstance(a, dict):
        return {k: _zip_specs(a[k], b[k], fn) for k in a}
    if isinstance(a, (list, tuple)):
        return type(a)(_zip_specs(x, y, fn) for x, y in zip(a, b))
    return a


def _initial_value(initializer: Any, shape: tuple, dtype, layer_name: str, weight_name: str | None):
    from minitf.keras import initializers
    init = initializers.get(initializer)
    if init is None:
        raise ValueError(f"Layer '{layer_name}': add_weight('{weight_name}') got initializer={initializer!r}, "
                         "which is not an initializer")
    value = init(shape, dtype=dtype)
    value = value._value if isinstance(value, Tensor) else B.xp.asarray(value)
    if tuple(value.shape) != tuple(shape):
        raise ValueError(f"Layer '{layer_name}': initializer {initializer!r} gave shape {tuple(value.shape)} for "
                         f"weight '{weight_name}' of shape {shape}")
    return value.astype(dtype._np, copy=False)


__all__ = ["Layer", "InputSpec", "CallContext"]
