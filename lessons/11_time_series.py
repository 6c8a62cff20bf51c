# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 11: Time series
# > Windows and horizons, a naive baseline that is hard to beat, MASE, and dense, causal-conv, LSTM, N-BEATS and ensemble forecasts.
#
# The course's time-series notebook forecasts the price of Bitcoin. A forecast reads the past
# **window** of values and predicts the next **horizon** of them:
#
#     window (7 days)                        -> horizon (1 day)
#     [p(t-6), p(t-5), ..., p(t)]            -> p(t+1)
#
# This lesson does the same on a generated price series (``minitf.datasets.make_price_series``):
# a random walk of log-prices whose drift and volatility switch between calm, bull and bear
# regimes, with a weekly cycle on top. Its lessons are the course's:
#
# - the **naive** forecast, "tomorrow = today", is very hard to beat on a random walk;
# - errors are measured as MAE, MSE, RMSE, MAPE and **MASE**, the MAE divided by the naive
#   forecast's MAE (below 1: better than naive);
# - models: dense, causal Conv1D, LSTM, an N-BEATS-style block written as a custom layer with
#   residual stacking, an ensemble with prediction intervals, and multivariate input.
#
# Everything is split in **time order**: the model trains on the past and is tested on the
# future, never shuffled across that line.

# %%
try:
    from lessons import _common as L
except ImportError:  # run as a plain script, or as a notebook, from inside lessons/
    import _common as L

L.begin("11_time_series")

import numpy as np

import minitf
from minitf.datasets import make_price_series, make_windows, train_test_split_series

tf = L.tf_or_none()
plt = L.pyplot()

N_DAYS = L.pick(1200, 600)
WINDOW, HORIZON = 7, 1
EPOCHS = L.pick(30, 10)
COMPARED_EPOCHS = 8  # trained under both frameworks; the rest of the epochs on minitf alone (see section 4)
BATCH = 128

# %% [markdown]
# ## 1. The series
# 1200 daily prices from 2013-10-01, with a weekly cycle of 5% (prices are multiplied by
# $e^{0.05 \sin(2\pi t / 7)}$) and a block reward that halves on Bitcoin's halving days (the
# course's extra feature, for the multivariate model).

# %%
dates, prices, block_reward = make_price_series(N_DAYS, seed=1, seasonality=0.05, period=7)
print(f"{len(prices)} days from {dates[0]} to {dates[-1]}; price from {prices.min():.2f} to {prices.max():.2f}")
print(f"block reward: {sorted(set(block_reward.tolist()), reverse=True)}")
fig, ax = plt.subplots(figsize=(10, 4))
ax.plot(dates, prices, linewidth=1)
ax.set_ylabel("price")
ax.set_title("generated prices: regimes, a trend, a weekly cycle")
L.savefig(fig, "price_series")

# %% [markdown]
# ## 2. Windows and horizons, two ways
# The course writes `make_windows` itself: every run of `WINDOW + HORIZON` consecutive values,
# cut into the window and its label. Keras has the same as a dataset,
# `timeseries_dataset_from_array(data, targets, sequence_length)`: window $i$ starts at day $i$,
# and its target is `targets[i]`; with `targets = prices[WINDOW:]` that is the day after it.

# %%
windows, labels = make_windows(prices, WINDOW, HORIZON)
print(f"{len(windows)} windows; the first: {np.round(windows[0], 2).tolist()} -> {np.round(labels[0], 2).tolist()}")


def keras_windows(fw):
    dataset = fw.keras.utils.timeseries_dataset_from_array(prices[:-HORIZON], prices[WINDOW:], WINDOW,
                                                           batch_size=len(prices))
    (x, y), = list(dataset)
    return {"windows[:2]": x[:2], "targets[:2]": y[:2], "number of windows": len(x), "x": x, "y": y}


ours_w, theirs_w = L.side_by_side("timeseries_dataset_from_array", lambda fw: {
    k: v for k, v in keras_windows(fw).items() if k not in ("x", "y")}, tf)
keras_x, keras_y = [np.asarray(v) for v in (keras_windows(minitf)["x"], keras_windows(minitf)["y"])]
same_windows = bool(np.array_equal(keras_x, windows) and np.array_equal(keras_y, labels[:, 0]))
print(f"the course's make_windows and Keras's timeseries_dataset_from_array agree: {same_windows}")
train_windows, test_windows, train_labels, test_labels = train_test_split_series(windows, labels, test_split=0.2)
print(f"train {train_windows.shape} (days up to {dates[len(train_windows) + WINDOW - 1]}), test {test_windows.shape}")

# %% [markdown]
# ## 3. The naive forecast and the error measures
# With $e_t = y_t - \hat y_t$ over the $n$ test days:
#
# $$\text{MAE} = \frac1n\sum |e_t|,\quad \text{MSE} = \frac1n\sum e_t^2,\quad \text{RMSE} = \sqrt{\text{MSE}},\quad
# \text{MAPE} = \frac{100}{n}\sum \Big|\frac{e_t}{y_t}\Big|,\quad
# \text{MASE} = \frac{\text{MAE}}{\frac{1}{n-1}\sum_{t>1} |y_t - y_{t-1}|}.$$
#
# MASE's denominator is the MAE of the naive forecast on the same days (the course's
# `mean_absolute_scaled_error`): MASE = 1 is exactly as good as "tomorrow = today".

# %%
def evaluate_preds(fw, y_true, y_pred):
    """The course's evaluate_preds: MAE, MSE, RMSE, MAPE and MASE (Keras 3 keeps the per-sample error
    functions the course called from ``tf.keras.metrics`` as ``tf.keras.losses.mae``, ``mse``, ``mape``)."""
    y_true, y_pred = fw.cast(y_true, fw.float32), fw.cast(y_pred, fw.float32)
    mae = fw.reduce_mean(fw.keras.losses.mae(y_true, y_pred))
    mse = fw.reduce_mean(fw.keras.losses.mse(y_true, y_pred))
    mape = fw.reduce_mean(fw.keras.losses.mape(y_true, y_pred))
    naive_mae = fw.reduce_mean(fw.abs(y_true[1:] - y_true[:-1]))
    return {"mae": float(mae), "mse": float(mse), "rmse": float(fw.sqrt(mse)), "mape": float(mape),
            "mase": float(mae / naive_mae)}


naive = test_windows[:, -1:]  # "tomorrow = today"
naive_results, naive_tf = L.side_by_side("the naive forecast's errors", lambda fw: evaluate_preds(
    fw, test_labels[:, 0], naive[:, 0]), tf, tol=L.scaled_tol([1e4], 1e-6))
scores = {"naive": naive_results}

# %% [markdown]
# ## 4. Models on raw prices, as the course trains them
# Model 1 is dense (128 relu units, then one output), model 2 a **causal** Conv1D (each output
# sees only its own and earlier days: left padding of `kernel_size - 1`), model 3 an LSTM; all
# with MAE loss and Adam. Where TF runs, Keras trains the same models from the same weights for
# the first 8 epochs, and the losses are compared. (Not further: MAE's gradient is the *sign* of
# each error, so a forecast that lands within a rounding of its target can flip one term of the
# gradient between the two frameworks, and from there the two runs wander apart, each as good as
# the other.)

# %%
def dense_layers(fw):
    return [fw.keras.layers.Dense(128, activation="relu"), fw.keras.layers.Dense(HORIZON)]


def conv_layers(fw):
    layers = fw.keras.layers
    return [layers.Reshape((WINDOW, 1)), layers.Conv1D(32, 3, padding="causal", activation="relu"),
            layers.Flatten(), layers.Dense(HORIZON)]


def lstm_layers(fw):
    return [fw.keras.layers.Reshape((WINDOW, 1)), fw.keras.layers.LSTM(32), fw.keras.layers.Dense(HORIZON)]


def regression_model(make_layers, loss="mae", inputs=WINDOW):
    def build(fw):
        model = fw.keras.Sequential([fw.keras.Input((inputs,))] + make_layers(fw))
        model.compile(loss=loss, optimizer=fw.keras.optimizers.Adam(1e-3))
        return model
    return build


def run(name, make_layers, x_train, y_train, x_test, to_price=None, tf_in_fast_mode=True):
    """Train the model under minitf (and TF), forecast the test days, score the forecasts."""
    ours, theirs = L.build_pair(regression_model(make_layers, inputs=x_train.shape[1]),
                                tf_in_fast_mode=tf_in_fast_mode)
    history, tf_history = L.fit_pair(ours, theirs, x_train, y_train, epochs=min(EPOCHS, COMPARED_EPOCHS),
                                     batch_size=BATCH)
    if tf_history is not None:
        L.compare(f"{name}: training loss per epoch", history["loss"], tf_history["loss"],
                  tol=L.scaled_tol(history["loss"], 1e-5))
    if EPOCHS > COMPARED_EPOCHS:
        ours.fit(x_train, y_train, epochs=EPOCHS, initial_epoch=COMPARED_EPOCHS, batch_size=BATCH, shuffle=False,
                 verbose=0)
    forecast = ours(x_test).numpy()  # (one batch: a direct call)
    if to_price is not None:
        forecast = to_price(forecast)
    scores[name] = evaluate_preds(minitf, test_labels[:, 0], forecast[:, 0])
    print(f"{name:34s} MAE {scores[name]['mae']:8.3f}   MASE {scores[name]['mase']:.3f}")
    return ours, forecast


forecasts = {"naive": naive}
for name, make_layers, both in (("model 1: dense, raw prices", dense_layers, True),
                                ("model 2: causal Conv1D, raw prices", conv_layers, False),
                                ("model 3: LSTM, raw prices", lstm_layers, False)):
    _, forecasts[name] = run(name, make_layers, train_windows, train_labels, test_windows, tf_in_fast_mode=both)

# %% [markdown]
# None of them beats the naive forecast (MASE at or above 1), which is what the course finds on
# Bitcoin. Why: on a random walk the best guess of tomorrow *is* today, and the prices here range
# over an order of magnitude, so a network with fixed weights must learn to copy its last input at
# every scale before it can learn anything else; the 5% weekly cycle is small beside that.
#
# ## 5. Forecasting the change instead
# Divide each window and its label by the window's last price: the model now sees
#
# $$\frac{p_{t-6}}{p_t} - 1, \dots, \frac{p_t}{p_t} - 1 \;\to\; \frac{p_{t+1}}{p_t} - 1,$$
#
# the same at every price level (a change of 0 *is* the naive forecast), and the weekly cycle is
# all that is left to learn. We scale by 10 so the numbers are near 1, and turn the forecast back
# into a price with $\hat p_{t+1} = p_t \, (1 + \hat r / 10)$.

# %%
def relative(x, last):
    return (x / last - 1.0) * 10.0


train_last, test_last = train_windows[:, -1:], test_windows[:, -1:]
rel_train_x, rel_train_y = relative(train_windows, train_last), relative(train_labels, train_last)
rel_test_x = relative(test_windows, test_last)


def back_to_price(forecast):
    return test_last * (1.0 + forecast / 10.0)


for name, make_layers, both in (("model 4: dense, relative", dense_layers, True),
                                ("model 5: causal Conv1D, relative", conv_layers, False),
                                ("model 6: LSTM, relative", lstm_layers, False)):
    _, forecasts[name] = run(name, make_layers, rel_train_x, rel_train_y, rel_test_x, back_to_price,
                             tf_in_fast_mode=both)

# %% [markdown]
# ## 6. An N-BEATS block, as a custom layer, stacked with residuals
# N-BEATS (Oreshkin et al., 2019; the course's model 7) is made of blocks. Each block is a few
# dense layers ending in a linear layer of $\theta$, split into a **backcast** (its guess of
# its own input window) and a **forecast**. The blocks are stacked on residuals: the next block
# reads what the previous ones could not explain, and the forecasts add up:
#
# $$r_0 = x,\qquad (b_k, f_k) = \text{block}_k(r_{k-1}),\qquad r_k = r_{k-1} - b_k,\qquad \hat y = \textstyle\sum_k f_k.$$
#
# The block is a subclass of `tf.keras.layers.Layer`, written once for both frameworks.

# %%
N_BLOCKS, N_NEURONS, N_LAYERS = L.pick(4, 2), 64, 2


def nbeats_block_class(fw):
    class NBeatsBlock(fw.keras.layers.Layer):
        """Dense layers -> theta -> (backcast of the input window, forecast of the horizon)."""

        def __init__(self, input_size, theta_size, horizon, n_neurons, n_layers, **kwargs):
            super().__init__(**kwargs)
            self.input_size, self.theta_size, self.horizon = input_size, theta_size, horizon
            self.hidden = [fw.keras.layers.Dense(n_neurons, activation="relu") for _ in range(n_layers)]
            self.theta_layer = fw.keras.layers.Dense(theta_size, activation="linear", name="theta")

        def call(self, inputs):
            x = inputs
            for layer in self.hidden:
                x = layer(x)
            theta = self.theta_layer(x)
            return theta[:, :self.input_size], theta[:, -self.horizon:]
    return NBeatsBlock


def nbeats(fw):
    block = nbeats_block_class(fw)
    layers = fw.keras.layers
    inputs = fw.keras.Input((WINDOW,))
    residuals = inputs
    forecast = None
    for k in range(N_BLOCKS):
        backcast, block_forecast = block(WINDOW, WINDOW + HORIZON, HORIZON, N_NEURONS, N_LAYERS,
                                         name=f"block_{k}")(residuals)
        residuals = layers.Subtract(name=f"residual_{k}")([residuals, backcast])
        forecast = block_forecast if forecast is None else layers.Add(name=f"forecast_{k}")([forecast, block_forecast])
    model = fw.keras.Model(inputs, forecast, name="nbeats")
    model.compile(loss="mae", optimizer=fw.keras.optimizers.Adam(1e-3))
    return model


nbeats_model, nbeats_tf = L.build_pair(nbeats)
print(f"N-BEATS: {N_BLOCKS} blocks, {nbeats_model.count_params()} weights")
history, tf_history = L.fit_pair(nbeats_model, nbeats_tf, rel_train_x, rel_train_y,
                                 epochs=min(EPOCHS, COMPARED_EPOCHS), batch_size=BATCH)
if tf_history is not None:
    L.compare("model 7: N-BEATS: training loss per epoch", history["loss"], tf_history["loss"],
              tol=L.scaled_tol(history["loss"], 1e-5))
    L.compare("model 7: N-BEATS: test forecasts (relative)", nbeats_model(rel_test_x), nbeats_tf(rel_test_x), tol=1e-4)
if EPOCHS > COMPARED_EPOCHS:
    nbeats_model.fit(rel_train_x, rel_train_y, epochs=EPOCHS, initial_epoch=COMPARED_EPOCHS, batch_size=BATCH,
                     shuffle=False, verbose=0)
forecasts["model 7: N-BEATS, relative"] = back_to_price(nbeats_model(rel_test_x).numpy())
scores["model 7: N-BEATS, relative"] = evaluate_preds(minitf, test_labels[:, 0],
                                                      forecasts["model 7: N-BEATS, relative"][:, 0])
print(f"{'model 7: N-BEATS, relative':34s} MAE {scores['model 7: N-BEATS, relative']['mae']:8.3f}   "
      f"MASE {scores['model 7: N-BEATS, relative']['mase']:.3f}")

# %% [markdown]
# ## 7. An ensemble, and prediction intervals
# The course's model 8 trains the same network several times, with different losses (MAE, MSE,
# MAPE) and different random starts, and uses their spread: if the forecasts scatter like a
# normal distribution, 95% of them lie within $1.96\,\sigma$ of their mean,
#
# $$\text{interval} = \bar f \pm 1.96\, \sigma_f.$$
#
# How often the true price falls inside tells whether that spread is honest (it is usually too
# narrow: the members share their data, and so their mistakes).

# %%
members = []
for loss in ("mae", "mse", "mape"):
    for seed in range(L.pick(2, 1)):
        minitf.keras.utils.set_random_seed(100 + seed)
        member = regression_model(dense_layers, loss=loss)(minitf)
        member.fit(rel_train_x, rel_train_y, epochs=EPOCHS, batch_size=BATCH, verbose=0)
        members.append(back_to_price(member(rel_test_x).numpy())[:, 0])
members = np.stack(members)
ensemble_mean, ensemble_std = members.mean(axis=0), members.std(axis=0)
lower, upper = ensemble_mean - 1.96 * ensemble_std, ensemble_mean + 1.96 * ensemble_std
coverage = float(np.mean((test_labels[:, 0] >= lower) & (test_labels[:, 0] <= upper)))
scores["model 8: ensemble mean"] = evaluate_preds(minitf, test_labels[:, 0], ensemble_mean)
forecasts["model 8: ensemble mean"] = ensemble_mean[:, None]
print(f"ensemble of {len(members)}: MASE {scores['model 8: ensemble mean']['mase']:.3f}; the true price is inside "
      f"the 95% interval on {coverage:.0%} of the test days")

fig, ax = plt.subplots(figsize=(10, 4))
days = dates[-len(test_labels):]
shown = slice(len(days) - 60, len(days))
ax.plot(days[shown], test_labels[shown, 0], "k.-", linewidth=1, label="true price")
ax.plot(days[shown], naive[shown, 0], linewidth=1, label="naive")
ax.plot(days[shown], ensemble_mean[shown], linewidth=2, label="ensemble mean")
ax.fill_between(days[shown], lower[shown], upper[shown], alpha=0.3, label="95% interval")
ax.set_title("the last 60 test days")
ax.legend()
L.savefig(fig, "ensemble_interval")

# %% [markdown]
# ## 8. Multivariate input
# The course's model 6 adds the block reward to each window, hoping supply helps price. Here
# each window gets a second column, the block reward on each day (scaled to about 1), flattened
# beside the relative prices.

# %%
reward_windows, _ = make_windows(block_reward, WINDOW, HORIZON)
multi_x = np.concatenate([np.concatenate([rel_train_x, rel_test_x]), reward_windows / 25.0], axis=1)
multi_train_x, multi_test_x = multi_x[:len(rel_train_x)], multi_x[len(rel_train_x):]
_, forecasts["model 9: multivariate"] = run("model 9: multivariate", dense_layers, multi_train_x, rel_train_y,
                                            multi_test_x, back_to_price, tf_in_fast_mode=False)

fig, ax = plt.subplots(figsize=(9, 4))
names = list(scores)
ax.barh(names, [scores[n]["mase"] for n in names])
ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
ax.set_xlabel("MASE on the test days (1 = as good as naive)")
ax.invert_yaxis()
L.savefig(fig, "mase_by_model")

best = min((n for n in scores if n != "naive"), key=lambda n: scores[n]["mase"])
print(f"best model: {best}, MASE {scores[best]['mase']:.3f}")

# %% [markdown]
# ## Exercises
# 1. (Course) Does scaling the data help the raw-price models? Normalise the prices to [0, 1]
#    with the training set's minimum and maximum and train model 1 again.
# 2. (Course) Train model 1 with a window of 30 days (and a horizon of 7). What happens to MASE?
# 3. (Course) Our N-BEATS uses a dense stack; the paper also has an interpretable version whose
#    blocks produce a polynomial trend and a Fourier seasonality. Give one block a forecast
#    $\theta_0 + \theta_1 \sin(2\pi t / 7) + \theta_2 \cos(2\pi t / 7)$. Does it find the cycle?
# 4. (Course) Forecast into the future: feed each forecast back into the window to predict 14
#    days ahead. Plot the forecasts and the ensemble's intervals as they widen.
# 5. (Course, the turkey problem) Append one day with a 50% crash to the training data. How much
#    does it change the models' forecasts? What does that say about using past data alone?
# 6. Add the day of the week (one-hot) as a feature in model 9. The cycle is weekly: by how much
#    does MASE drop?

# %%
L.summary(
    days=N_DAYS,
    windows=len(windows),
    same_windows_as_keras=same_windows,
    scores=scores,
    ensemble_members=len(members),
    interval_coverage=coverage,
    best_model=best,
)
