"""A generated daily "price" series and the windowing tools of the course's time-series lesson.

``make_price_series`` stands in for the course's Bitcoin price history: a geometric random
walk (prices stay positive, returns are what is random) whose drift and volatility switch
between calm and wild regimes, starting on the same day as the course's data, plus a
"block reward" feature that halves on Bitcoin's real halving dates (the course's
multivariate model uses it).

``make_windows`` turns a series into (past ``window_size`` values -> next ``horizon`` values)
training pairs; ``train_test_split_series`` splits them in time order, never shuffled, so the
model is always tested on the future.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["make_price_series", "make_windows", "train_test_split_series"]

# Bitcoin's block reward was 25 BTC from late 2012 and halved on these two days.
_HALVINGS = [np.datetime64("2016-07-09"), np.datetime64("2020-05-11")]
_HALVING_INTERVAL_DAYS = 1402  # the gap between them; later halvings repeat it


def make_price_series(
    n_steps: int = 2000,
    seed: int = 0,
    start_date: str = "2013-10-01",
    start_price: float = 123.65,
    seasonality: float = 0.0,
    period: int = 7,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generate a positive, trending, bursty daily price series with a block-reward feature.

    Model: ``log(price)`` is a random walk whose daily step is ``drift + vol * N(0, 1)``. The
    (drift, vol) pair comes from a hidden regime that changes on about 1 day in 60:
    calm (+0.1%/day, 2.5%), bull (+0.6%/day, 4.5%) or bear (-0.5%/day, 5.5%). This gives the
    long trends, crashes and volatility clusters of a crypto chart, yet tomorrow's price is
    still best guessed by today's (which is the point of the naive baseline).

    ``seasonality`` (0 by default: none) adds a cycle of ``period`` days on top: the price is
    multiplied by ``exp(seasonality * sin(2 pi t / period))``, a pattern a model can learn and the
    naive forecast (tomorrow = today) cannot.

    Returns:
        dates: ``(n_steps,)`` ``datetime64[D]``, consecutive days from ``start_date``.
        prices: ``(n_steps,)`` float32, all positive, ``prices[0] == start_price``.
        block_reward: ``(n_steps,)`` float32, 25 before 2016-07-09, then 12.5, then 6.25 from
            2020-05-11, halving again every 1402 days.
    """
    if n_steps < 1:
        raise ValueError(f"make_price_series: n_steps must be >= 1, got {n_steps}")
    if start_price <= 0:
        raise ValueError(f"make_price_series: start_price must be positive, got {start_price}")
    rng = np.random.default_rng(seed)

    drift = np.array([0.001, 0.006, -0.005])
    vol = np.array([0.025, 0.045, 0.055])
    # The regime is a Markov chain: on a switch day a new regime is drawn, otherwise it stays.
    # Vectorised: for each day, find the last switch day so far and take the regime drawn there.
    switch = rng.random(n_steps) < 1 / 60
    new_regime = rng.integers(0, 3, size=n_steps)
    last_switch = np.maximum.accumulate(np.where(switch, np.arange(n_steps), -1))
    regime = np.where(last_switch >= 0, new_regime[last_switch], 0)  # 0 (calm) before any switch

    steps = drift[regime] + vol[regime] * rng.standard_normal(n_steps)
    steps[0] = 0.0  # so the series starts exactly at start_price
    prices = start_price * np.exp(np.cumsum(steps))
    if seasonality:
        if period < 2:
            raise ValueError(f"make_price_series: period must be >= 2 days, got {period}")
        prices = prices * np.exp(seasonality * np.sin(2 * np.pi * np.arange(n_steps) / period))

    dates = np.datetime64(start_date, "D") + np.arange(n_steps)
    # Number of halvings that have happened by each date.
    days_since_first = (dates - _HALVINGS[0]).astype(np.int64)
    halvings = np.where(days_since_first < 0, 0, 1 + days_since_first // _HALVING_INTERVAL_DAYS)
    block_reward = 25.0 / 2.0**halvings
    return dates, prices.astype(np.float32), block_reward.astype(np.float32)


def make_windows(series: ArrayLike, window_size: int = 7, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Slide a window over a 1-D series: each window of past values is paired with the next values.

    Window ``i`` is ``series[i : i + window_size]`` and its label is
    ``series[i + window_size : i + window_size + horizon]``, for every ``i`` where both fit, so
    there are ``len(series) - window_size - horizon + 1`` pairs (the course's ``make_windows``).
    For several features (e.g. price and block reward) window each series and stack:
    ``np.stack([make_windows(p)[0], make_windows(r)[0]], axis=-1)``.

    Returns:
        windows: ``(n, window_size)`` float32.
        labels: ``(n, horizon)`` float32.
    """
    series = np.asarray(series, dtype=np.float32)
    if series.ndim != 1:
        raise ValueError(f"make_windows: expected a 1-D series, got shape {series.shape}")
    if window_size < 1 or horizon < 1:
        raise ValueError(f"make_windows: window_size and horizon must be >= 1, got {window_size} and {horizon}")
    if len(series) < window_size + horizon:
        raise ValueError(
            f"make_windows: a series of length {len(series)} is too short for "
            f"window_size={window_size} + horizon={horizon}"
        )
    # Every run of window_size + horizon consecutive values, as a view (no copy), then split.
    frames = np.lib.stride_tricks.sliding_window_view(series, window_size + horizon)
    return frames[:, :window_size].copy(), frames[:, window_size:].copy()


def train_test_split_series(
    windows: np.ndarray, labels: np.ndarray, test_split: float = 0.2
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split windows and labels in time order: the first ``1 - test_split`` for training, the
    rest (the most recent) for testing. No shuffling: shuffling would let the model train on
    days after the ones it is tested on.

    Returns ``(train_windows, test_windows, train_labels, test_labels)``, as the course's
    ``make_train_test_splits``; the split index is ``int(len(windows) * (1 - test_split))``.
    """
    if len(windows) != len(labels):
        raise ValueError(f"train_test_split_series: {len(windows)} windows but {len(labels)} labels")
    if not 0.0 < test_split < 1.0:
        raise ValueError(f"train_test_split_series: test_split must be in (0, 1), got {test_split}")
    split = int(len(windows) * (1 - test_split))
    return windows[:split], windows[split:], labels[:split], labels[split:]
