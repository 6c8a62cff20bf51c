"""Lesson 10 (natural language) in fast mode WITH TensorFlow: every comparison it records holds.

Token ids and vocabularies exactly; the embedding gradient (TF's IndexedSlices made dense) exactly;
one epoch of SGD + momentum from the same weights for the models checked in fast mode (TF-IDF +
linear, Conv1D) within 1e-5; the gradient norm per time step of the SimpleRNN and both LSTMs
within 1e-4 in log10; the three-input SkimLit model's probabilities within 1e-5.
"""
from __future__ import annotations

import pytest

from parity_tests.lesson_runs import check_comparisons


@pytest.fixture(scope="module")
def summary(tf_lesson) -> dict:
    return tf_lesson("10")


def test_lesson_10_matches_tf(summary):
    check_comparisons(summary, expected=[
        "text as tf.string tensors", "TextVectorization: vocabulary and token ids",
        "embedding gradient (TF's IndexedSlices made dense)",
        "model 0: TF-IDF + linear: loss after one epoch of SGD vs Keras",
        "model 5: Conv1D: loss after one epoch of SGD vs Keras",
        "SimpleRNN: log10 gradient norm per step vs TF", "LSTM (forget bias 3): log10 gradient norm per step vs TF",
        "SkimLit: class probabilities vs Keras (same weights)"], max_tol=1e-4)
