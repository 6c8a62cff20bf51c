"""The sentiment LSTM training step: Embedding(10000,128)-LSTM(64)-Dense(1, sigmoid).

Batch 32, sequences of 15 tokens, BCE, Adam: minitf ``fit`` vs Keras ``fit``.
"""

from __future__ import annotations

from ..candidates import fit_candidate
from ..context import Context
from ..models import build_lstm, compile_lstm, steps_per_epoch, token_data
from ..results import CaseResult, Row, peer_ratios

NAME = "lstm_step"
TITLE = "Embedding-LSTM(64)-Dense training step (batch 32, length 15, Adam, BCE)"
BATCH = 32
SEQ_LEN = 15


def run(ctx: Context) -> CaseResult:
    """One row: time per training step of a one-epoch fit."""
    n = 64 if ctx.quick else 1024
    x, y = token_data(n, SEQ_LEN)
    build = lambda fw: build_lstm(fw, SEQ_LEN)  # noqa: E731
    meas = ctx.measure([
        fit_candidate("minitf", ctx.subject, build, compile_lstm, x, y, BATCH, ctx.sync),
        fit_candidate("tf", ctx.tf, build, compile_lstm, x, y, BATCH),
    ])
    result = CaseResult(NAME, TITLE)
    result.rows.append(Row(f"model.fit, {n} samples: epoch time / steps", meas, peer_ratios(meas),
                           unit="step", params={"samples": n, "steps": steps_per_epoch(n, BATCH),
                                                "seq_len": SEQ_LEN}))
    return result
