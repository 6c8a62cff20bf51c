"""Lesson 10 (natural language) in fast mode, without TensorFlow: what it claims, checked.

The bag-of-words models cannot read order, so on the mirrored test tweets (same words, either
label) they stay near a coin toss while the models that read in order do not; an embedding's
gradient is the scatter-add of the lookups' gradients; BPTT written by hand equals the tape; the
gradient reaching the first of 50 steps vanishes for a SimpleRNN, much less for Keras's LSTM, and
hardly at all for an LSTM whose forget gate is open; the multi-input model gains from the
positions and survives a save and a load.
"""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402


@pytest.fixture(scope="module")
def lesson(fast_lesson):
    return fast_lesson("10")


def test_lesson_10_bag_of_words_cannot_read_order(lesson):
    accuracies = lesson[0]["outcomes"]["accuracies"]
    assert lesson[0]["outcomes"]["mirrored_test_tweets"] >= 30
    for name in ("model 0: TF-IDF + linear", "model 1: averaged embedding", "model 6: frozen embedding, 10%"):
        assert accuracies[name]["mirrored accuracy"] < 0.7, (name, accuracies[name])
        assert accuracies[name]["plain accuracy"] > 0.8, (name, accuracies[name])
    for name in ("model 2: LSTM", "model 3: GRU"):  # (fast mode trains them 4 epochs on 400 tweets)
        assert accuracies[name]["mirrored accuracy"] > 0.75, (name, accuracies[name])
    for name in ("model 4: Bidirectional LSTM", "model 5: Conv1D"):
        assert accuracies[name]["mirrored accuracy"] > 0.9, (name, accuracies[name])


def test_lesson_10_gradients(lesson):
    outcomes = lesson[0]["outcomes"]
    assert outcomes["embedding_gradient_is_scatter_add"] is True
    assert outcomes["bptt_by_hand_max_rel_diff"] < 1e-5
    ratios = outcomes["gradient_first_over_last"]
    assert ratios["SimpleRNN"] < 1e-5  # vanished over 50 steps
    assert ratios["LSTM (forget bias 1)"] > 10 * ratios["SimpleRNN"]
    assert ratios["LSTM (forget bias 3)"] > 0.1  # kept alive


def test_lesson_10_embeddings_and_skimlit(lesson):
    outcomes = lesson[0]["outcomes"]
    assert outcomes["pc1_disaster_correlation"] > 0.5
    skim = outcomes["skimlit_accuracy"]
    assert skim["words and positions"] > skim["words only"] > 0.5
    assert outcomes["skimlit_reload_identical"] is True


def test_lesson_10_figures_and_files(lesson):
    summary, out = lesson
    check_figures(summary, out, {"model_accuracies.png", "gradient_per_time_step.png", "embedding_projection.png"})
    assert {"vectors.tsv", "metadata.tsv"} <= set(summary["files"])
    rows = (out / "vectors.tsv").read_text().splitlines()
    words = (out / "metadata.tsv").read_text().splitlines()
    assert len(rows) == len(words) == summary["outcomes"]["vocabulary_size"] - 1
    assert all(len(r.split("\t")) == 16 for r in rows)
