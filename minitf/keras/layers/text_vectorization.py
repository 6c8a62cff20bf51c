"""TextVectorization (``keras.layers.TextVectorization``): raw strings -> token indices or vectors.

Each string goes through, in order (exactly as Keras does it with TensorFlow's string ops):

1. standardize  "lower_and_strip_punctuation" (default): lower-case A-Z (ASCII only, as
                ``tf.strings.lower``), then delete the characters !"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'
                Also "lower", "strip_punctuation", None, or a callable (given a NumPy array of
                str, returning one of the same shape).
2. split        "whitespace" (default): split on runs of " \\t\\n\\r\\v\\f" (ASCII whitespace only,
                as ``tf.strings.split``); "character": one token per character; None: the whole
                string is one token; or a callable (given the NumPy array of strings, returning
                one list of tokens per string).
3. ngrams       optional: an int n (all 1..n-grams) or a tuple of widths; n-grams of width k are
                k consecutive tokens joined by " ", all width-1 ones first, then width-2 ...
4. look up      a StringLookup with mask_token="": in "int" mode index 0 is padding ("") and 1
                is out-of-vocabulary ("[UNK]"); the vocabulary from ``adapt(data)`` is ordered by
                frequency, equal counts broken by the token that sorts last coming first.

output_mode "int": (batch, length) int64 indices, padded with 0 to ``output_sequence_length``
(longer texts are cut) or, without it, to the longest text in the batch. "multi_hot",
"count", "tf_idf": one vector of size vocabulary_size() (max_tokens with pad_to_max_tokens) per
text; tf_idf uses idf = log(1 + num_documents / (1 + documents with the token)).

minitf tensors hold numbers only, so this layer takes strings directly (a list of str, a str,
or a NumPy array of str, shape (batch,) or (batch, 1)) and returns a minitf Tensor. It is
therefore used on the data before the model (``x = vectorize(texts)``), not inside a model
fed raw strings.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from minitf import backend as B
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.lookup import StringLookup, _adapt_batches, as_string_array
from minitf.tensor import Tensor

__all__ = ["TextVectorization"]

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')
_WHITESPACE = re.compile(r"[ \t\n\r\x0b\x0c]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


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
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError(f"Invalid value for argument output_mode of TextVectorization. Expected one of "
                             f"['int', 'one_hot', 'multi_hot', 'count', 'tf_idf']. Received: output_mode={output_mode}")
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

    # ---- the vocabulary ----
    def adapt(self, data, batch_size=None, steps: int | None = None) -> None:
        """Learn the vocabulary (and idf weights for tf_idf) from texts: a list/array of strings
        (each one a document) or an iterable of batches of them."""
        lookup = self._lookup_layer
        if lookup._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        lookup.reset_state()
        for rows in _adapt_batches(data, steps, lambda d, batch: self._documents(d)):
            lookup.update_state(rows)
        lookup.finalize_state()

    def _documents(self, data: Any) -> list[list[str]]:
        texts = self._preprocess(data)
        if self._split is None:  # each string is a token; each row a document
            texts = texts.reshape(texts.shape[0], -1) if texts.ndim else texts.reshape(1, 1)
            return [list(row) for row in texts.tolist()]
        return texts

    def update_state(self, data) -> None:
        self._lookup_layer.update_state(self._documents(data))

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

    # ---- text to tokens ----
    def _standardized(self, texts: np.ndarray) -> np.ndarray:
        mode = self._standardize
        if mode is None:
            return texts
        if callable(mode):
            result = mode(texts.astype(str))
            return as_string_array(self, result.numpy() if isinstance(result, Tensor) else result)
        flat = texts.reshape(-1).tolist()
        if mode in ("lower", "lower_and_strip_punctuation"):
            flat = [t.translate(_ASCII_LOWER) for t in flat]
        if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
            flat = [_PUNCTUATION.sub("", t) for t in flat]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(texts.shape)

    def _preprocess(self, data: Any):
        """Standardize, split and make n-grams: a list of token lists (or, with split=None, an array)."""
        texts = self._standardized(as_string_array(self, data))
        if self._split is None:
            return texts
        if texts.ndim > 1:
            if texts.shape[-1] != 1 or texts.ndim > 2:
                raise ValueError(f"When using `TextVectorization` to tokenize strings, the input rank must be 1 or "
                                 f"the last shape dimension must be 1. Received: inputs.shape={texts.shape} with "
                                 f"rank={texts.ndim}")
            texts = texts[:, 0]
        texts = texts.reshape(-1)
        if self._split == "whitespace":
            rows = [[t for t in _WHITESPACE.split(s) if t] for s in texts.tolist()]
        elif self._split == "character":
            rows = [list(s) for s in texts.tolist()]
        else:
            rows = [[str(t.decode("utf-8") if isinstance(t, bytes) else t) for t in row]
                    for row in self._split(texts.astype(str))]
            if len(rows) != len(texts):
                raise ValueError(f"TextVectorization: the `split` callable returned {len(rows)} token lists for "
                                 f"{len(texts)} strings")
        if self._ngrams is not None:
            rows = [_ngrams(row, self._ngrams) for row in rows]
        return rows

    # ---- the call ----
    def _convert_input(self, x: Any) -> Any:
        return x  # strings are read by call() itself

    def build(self, input_shape=None) -> None:
        pass

    def call(self, inputs) -> Tensor:
        scalar = isinstance(inputs, (str, bytes)) or isinstance(inputs, np.ndarray) and inputs.ndim == 0
        self._lookup_layer._check_ready()
        tokens = self._preprocess([inputs] if scalar else inputs)
        lookup = self._lookup_layer
        if self._split is None:
            ids = lookup.lookup_indices(tokens[0] if scalar else tokens)
            if self._output_mode != "int":
                return Tensor(B.xp.asarray(lookup.encode_indices(ids)))
            return Tensor(B.xp.asarray(self._fit_length(ids)))
        rows = [lookup.lookup_indices(np.array(row, dtype=object)) if row else np.zeros(0, np.int64)
                for row in tokens]
        if self._output_mode != "int":
            out = lookup.encode_ragged(rows)
        else:
            width = self._output_sequence_length or max((len(r) for r in rows), default=0)
            out = np.zeros((len(rows), width), dtype=np.int64)
            for i, row in enumerate(rows):
                n = min(len(row), width)
                out[i, :n] = row[:n]
        return Tensor(B.xp.asarray(out[0] if scalar else out))

    def _fit_length(self, ids: np.ndarray) -> np.ndarray:
        """Cut or zero-pad the last axis to output_sequence_length (split=None)."""
        length = self._output_sequence_length
        if length is None or ids.ndim == 0:
            return ids
        ids = ids[..., :length]
        pad = [(0, 0)] * (ids.ndim - 1) + [(0, length - ids.shape[-1])]
        return np.pad(ids, pad)

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        lookup = self._lookup_layer
        return (input_shape[0], lookup.max_tokens if lookup.pad_to_max_tokens else lookup._frozen_vocab_size)

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
            "vocabulary": self._lookup_layer.get_config()["vocabulary"],
            "idf_weights": self._lookup_layer.get_config()["idf_weights"],
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


def _ngrams(tokens: list[str], widths: tuple) -> list[str]:
    """All n-grams of the given widths, width by width (``tf.strings.ngrams`` with separator " ")."""
    out = []
    for n in widths:
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out
