"""``tf.strings``: functions on string tensors (see ``minitf/ops/string_ops.py``)."""
from minitf.ops.string_ops import (as_string, bytes_split, format, join, length, lower, ngrams,  # noqa: A004 (TF's names)
                                   reduce_join, regex_full_match, regex_replace, split, string_to_number, strip,
                                   substr, to_hash_bucket_fast, to_hash_bucket_strong, to_number,
                                   unicode_decode, unicode_split, upper)

__all__ = ["as_string", "bytes_split", "format", "join", "length", "lower", "ngrams", "reduce_join", "regex_full_match",
           "regex_replace", "split", "string_to_number", "strip", "substr", "to_hash_bucket_fast",
           "to_hash_bucket_strong", "to_number", "unicode_decode", "unicode_split", "upper"]
