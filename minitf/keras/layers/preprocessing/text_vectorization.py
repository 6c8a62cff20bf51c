"""TextVectorization (``keras.layers.TextVectorization``): raw strings -> token indices or vectors.

Each string goes through, in order, the same ``tf.strings`` ops Keras uses:

1. standardize  "lower_and_strip_punctuation" (default): ``tf.strings.lower`` (ASCII A-Z only),
                then ``tf.strings.regex_replace`` deletes the characters
                !"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'    Also "lower", "strip_punctuation", None,
                or a callable (given a string tensor, returning one).
2. split        "whitespace" (default): ``tf.strings.split`` on runs of ASCII whitespace;
                "character": ``tf.strings.unicode_split``; None: the whole string is one token;
                or a callable (given the string tensor, returning a RaggedTensor or tensor).
3. ngrams       optional: an int n (all 1..n-grams) or a tuple of widths (``tf.strings.ngrams``:
                width-1 ones first, then width-2 ..., joined by " ").
4. look up      a StringLookup with mask_token="": in "int" mode index 0 is padding ("") and 1
                is out-of-vocabulary ("[UNK]"); the vocabulary from ``adapt(data)`` is ordered by
                frequency, equal counts broken by the token that sorts last coming first.

output_mode "int": (batch, length) int64 indices, padded with 0 to ``output_sequence_length``
(longer texts are cut) or, without it, to the longest text in the batch. "multi_hot",
"count", "tf_idf": one vector of size vocabulary_size() (max_tokens with pad_to_max_tokens) per
text; tf_idf uses idf = log(1 + num_documents / (1 + documents with the token)).

Every step is an op, so the layer can be the first layer of a model fed raw strings
(``keras.Input(shape=(1,), dtype="string")``) that ``fit`` trains with its step traced.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.layer import Layer
from minitf.keras.layers.preprocessing.lookup import StringLookup, adapt_batches, canonical_output_mode, string_tensor
from minitf.ops import string_ops
from minitf.ops.shape_ops import expand_dims, pad, squeeze
from minitf.ragged import RaggedTensor
from minitf.tensor import Tensor

__all__ = ["TextVectorization"]

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
# Keras's pattern, character for character (",-\." is the range from "," to ".", so "-" is in it).
PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'


class TextVectorization(Layer):
    """Turns raw text into a sequence of token indices, or one vector per text (see module doc).

    Not implemented in minitf: ``ragged=True``, ``sparse=True``, ``output_mode="one_hot"`` on split
    text, and a vocabulary file path.
    """

    def __init__(self, max_tokens: int | None = None, standardize: Any = "lower_and_strip_punctuation",
                 split: Any = "whitespace", ngrams: int | tuple | None = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False, vocabulary=None,
                 idf_weights=None, sparse: bool = False, ragged: bool = False, encoding: str = "utf-8",
                 name: str | None = None, **kwargs):
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(f"The `standardize` argument of TextVectorization must be one of {list(_STANDARDIZE)}, "
                             f"None or a callable. Received: standardize={standardize!r}")
        if not (split is None or callable(split) or split in _SPLIT):
            raise ValueError(f"The `split` argument of TextVectorization must be one of {list(_SPLIT)}, None or a "
                             f"callable. Received: split={split!r}")
        output_mode = canonical_output_mode(output_mode)
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError(f"Invalid value for argument output_mode of TextVectorization. Expected one of "
                             f"['int', 'one_hot', 'multi_hot', 'count', 'tf_idf']. Received: output_mode={output_mode}")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or isinstance(ngrams, int) and not isinstance(ngrams, bool) or
                isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams)):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if ngrams is not None and split is None:
            raise ValueError("TextVectorization: `ngrams` needs `split` (n-grams are made of the split tokens)")
        if output_mode == "int" and not (output_sequence_length is None or
                                         isinstance(output_sequence_length, int) and output_sequence_length > 0):
            raise ValueError(f"`output_sequence_length` must be either None or a positive integer when "
                             f"`output_mode` is 'int'. Received: output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                             f"Received output_sequence_length={output_sequence_length}.")
        if ragged:
            raise NotImplementedError("TextVectorization: ragged=True is not implemented in minitf (tensors are "
                                      "dense); use output_sequence_length to pad")
        if sparse:
            raise NotImplementedError("TextVectorization: sparse=True is not implemented in minitf")
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
                                          has_input_vocabulary=has_input_vocabulary, encoding=encoding,
                                          vocabulary_size=vocabulary_size)
        self._lookup_layer._table.who = f"TextVectorization layer '{self.name}'"

    # ---- the vocabulary ----
    def adapt(self, data, batch_size=None, steps: int | None = None) -> None:
        """Learn the vocabulary (and idf weights for tf_idf) from texts: a list/array of strings
        (each one a document) or an iterable of batches of them (a Dataset)."""
        lookup = self._lookup_layer
        if lookup._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        self.reset_state()
        for batch, whole in adapt_batches(data, steps):
            texts = string_tensor(f"TextVectorization layer '{self.name}'", batch)
            if whole and texts.ndim == 1:  # a plain list of strings is as many documents (Keras)
                texts = expand_dims(texts, -1)
            self.update_state(texts)
        self.finalize_state()

    def update_state(self, data) -> None:
        self._lookup_layer.update_state(self._preprocess(data))

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The tokens in index order ("" and "[UNK]" first in int mode)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ---- text to tokens: Keras's _preprocess ----
    def _preprocess(self, inputs):
        """Standardize, split and make n-grams: a string tensor, or a RaggedTensor of tokens."""
        who = f"TextVectorization layer '{self.name}'"
        inputs = string_tensor(who, inputs)
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            inputs = string_ops.lower(inputs)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            inputs = string_ops.regex_replace(inputs, PUNCTUATION, "")
        if callable(self._standardize):
            inputs = string_tensor(f"{who}: the `standardize` callable's result", self._standardize(inputs))
        if self._split is not None:
            if inputs.ndim > 1:  # the last axis must be 1 and is squeezed out before splitting
                if inputs.shape[-1] != 1:
                    raise ValueError(f"When using `TextVectorization` to tokenize strings, the input rank must be 1 "
                                     f"or the last shape dimension must be 1. Received: inputs.shape="
                                     f"{tuple(inputs.shape)} with rank={inputs.ndim}")
                inputs = squeeze(inputs, axis=-1)
            if self._split == "whitespace":
                inputs = string_ops.split(inputs)
            elif self._split == "character":
                inputs = string_ops.unicode_split(inputs, "UTF-8")
            else:
                inputs = self._split(inputs)
                if not isinstance(inputs, (RaggedTensor, Tensor)):
                    from minitf.ragged import constant
                    inputs = constant(inputs if isinstance(inputs, list) else list(inputs), dtype="string")
        if self._ngrams is not None:
            inputs = string_ops.ngrams(inputs, ngram_width=self._ngrams, separator=" ")
        return inputs

    # ---- the call ----
    def _convert_input(self, x: Any) -> Any:
        return x  # strings are converted by call() itself

    def build(self, input_shape=None) -> None:
        pass

    def call(self, inputs):
        self._lookup_layer._check_ready()
        tokens = self._preprocess(inputs)
        ids = self._lookup_layer.lookup(tokens)
        if self._output_mode != "int":
            return ids
        length = self._output_sequence_length
        if isinstance(ids, RaggedTensor):
            return ids.to_tensor(default_value=0, shape=[None, length])
        if length is not None:  # dense (split=None): cut or zero-pad the last axis
            if ids.ndim == 0:
                ids = expand_dims(ids, 0)
            ids = ids[..., :length]
            missing = length - ids.shape[-1] if ids.shape[-1] is not None else None
            if missing:
                ids = pad(ids, [[0, 0]] * (ids.ndim - 1) + [[0, missing]])
        return ids

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._output_mode == "int":
            if self._split is None:
                shape = input_shape if input_shape else (1,)
                return shape[:-1] + (self._output_sequence_length,) if self._output_sequence_length else shape
            return (input_shape[0] if input_shape else None, self._output_sequence_length)
        lookup = self._lookup_layer
        depth = lookup.max_tokens if lookup.pad_to_max_tokens else lookup._frozen_vocab_size
        if self._output_mode == "one_hot" and self._split is None:
            return lookup.compute_output_shape(input_shape)
        return (input_shape[0] if input_shape else None, depth)

    def compute_output_spec(self, *args, **kwargs):
        from minitf.keras.engine.keras_tensor import KerasTensor
        return KerasTensor(self.compute_output_shape(tuple(args[0].shape)),
                           dtype="float32" if self._output_mode == "tf_idf" else "int64")

    # ---- Keras's files: the lookup layer's vocabulary and idf weights are this layer's too ----
    def _keras_own_state(self) -> dict:
        return self._lookup_layer._keras_own_state()

    def _keras_expected_state(self) -> dict:
        return self._lookup_layer._keras_expected_state()

    def _keras_set_own_state(self, arrays: dict) -> None:
        self._lookup_layer._keras_set_own_state(arrays)

    def _keras_asset_names(self) -> tuple:
        return self._lookup_layer._keras_asset_names()

    def _keras_assets(self) -> dict:
        return self._lookup_layer._keras_assets()

    def _keras_set_assets(self, files: dict) -> None:
        self._lookup_layer._keras_set_assets(files)

    def get_config(self) -> dict:
        config = super().get_config()
        lookup_config = self._lookup_layer.get_config()
        config.update({
            "max_tokens": self._lookup_layer.max_tokens,
            "standardize": self._standardize if not callable(self._standardize) else None,
            "split": self._split if not callable(self._split) else None,
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens,
            "sparse": False,
            "ragged": False,
            "vocabulary": lookup_config["vocabulary"],
            "idf_weights": lookup_config["idf_weights"],
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size() if self._lookup_layer._vocabulary_set else None,
        })
        if callable(self._standardize) or callable(self._split):
            from minitf.keras.saving.serialization import serialize_keras_object
            if callable(self._standardize):
                config["standardize"] = serialize_keras_object(self._standardize)
            if callable(self._split):
                config["split"] = serialize_keras_object(self._split)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "TextVectorization":
        config = dict(config)
        for key in ("standardize", "split"):
            if isinstance(config.get(key), dict):
                from minitf.keras.saving.serialization import deserialize_keras_object
                config[key] = deserialize_keras_object(config[key])
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)

    def save_assets(self, dir_path: str) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)

    def save_own_variables(self, store) -> None:
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store) -> None:
        self._lookup_layer.load_own_variables(store)
