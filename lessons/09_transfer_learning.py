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
# # Lesson 09: Transfer learning
# > Reuse lesson 08's CNN for five new classes from 1% and 10% of the photos: feature extraction, then fine-tuning.
#
# The course's notebooks 04 and 05 take a network trained on a million photos (EfficientNet,
# trained on ImageNet), cut off its last layer, and put a new one on top for their 10 food
# classes: with 10% of the photos it beats anything trained from scratch. We do the same at
# our scale. The network lesson 08 trained on its 10 food classes is our "pretrained" base;
# the new task is five foods it has never seen (apple pie, bagel, donuts, spring rolls,
# waffles), with 5 or 50 photos per class. Two ways to reuse a base:
#
# * **feature extraction**: freeze the base (`base.trainable = False`) and train only a new
#   head on its features;
# * **fine-tuning**: then also unfreeze the base's top layers and train on, with a smaller
#   learning rate, so that they adapt to the new classes without forgetting.

# %%
try:
    from lessons import _common as L
    from lessons import _vision as V
except ImportError:  # run as a plain script, or as a notebook, from inside lessons/
    import _common as L
    import _vision as V

L.begin("09_transfer_learning")

import csv
import os

import numpy as np

import minitf
from minitf.datasets import image_folders
from minitf.datasets.image_folders import data_dir as cache_dir

tf = L.tf_or_none()
plt = L.pyplot()
IMAGE_SIZE = 32

# %% [markdown]
# ## 1. The base network
# Lesson 08 saves its trained network (`food10_cnn`) with `model.save` into minitf's data
# cache. The full lesson loads it from there with `tf.keras.models.load_model`; if lesson 08 has
# not been run yet (and always in fast mode, so that the tests do not depend on it), this lesson
# trains the same network itself, in short. Its layers: two `Conv2D(10, 3)`, a pooling, two
# `Conv2D(20, 3)`, a pooling, `BatchNormalization`, `GlobalAveragePooling2D`, `Dense(10)`.

# %%
food10_dir = image_folders("10_food_classes")
x10, y10, food10_names, _ = V.load_arrays(minitf, food10_dir / "train", IMAGE_SIZE)
x10_test, y10_test, _, _ = V.load_arrays(minitf, food10_dir / "test", IMAGE_SIZE)
saved = cache_dir() / "lesson08_food10_cnn_full.keras"


def food10_cnn(fw):
    """Lesson 08's network (the same layers, the same names)."""
    layers = fw.keras.layers
    model = fw.keras.Sequential([
        fw.keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3)),
        layers.Conv2D(10, 3, activation="relu", name="conv1"), layers.Conv2D(10, 3, activation="relu", name="conv2"),
        layers.MaxPool2D(name="pool1"),
        layers.Conv2D(20, 3, activation="relu", name="conv3"), layers.Conv2D(20, 3, activation="relu", name="conv4"),
        layers.MaxPool2D(name="pool2"), layers.BatchNormalization(name="bn"),
        layers.GlobalAveragePooling2D(name="gap"), layers.Dense(10, activation="softmax", name="food10")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=fw.keras.optimizers.Adam(), metrics=["accuracy"])
    return model


if not L.fast() and saved.is_file():
    base_source = f"lesson 08's network, loaded from {saved.name}"
    cnn = minitf.keras.models.load_model(saved)
else:
    base_source = "trained here, in short (lesson 08's is not there, or this is fast mode)"
    minitf.keras.utils.set_random_seed(42)
    cnn = food10_cnn(minitf)
    # fast mode: half the photos in batches of 16, the same number of steps (76) as two epochs of
    # all 1200 in batches of 32 at half the arithmetic (BatchNormalization's moving statistics
    # need the steps: after fewer the base predicts no better than chance)
    photos, batch_size = L.pick((len(x10), 32), (600, 16))
    cnn.fit(x10[:photos], y10[:photos], epochs=L.pick(4, 2), batch_size=batch_size, shuffle=False, verbose=0)
cnn.summary()
base_loss, base_accuracy = cnn.evaluate(x10_test, y10_test, verbose=0)
print(f"base: {base_source}; accuracy on lesson 08's 10 classes: {base_accuracy:.3f}")

# %% [markdown]
# ## 2. The new task, with little data
# Five new classes, drawn with lesson 08's shapes, its textures and two new ones, in new
# combinations: a bagel is a ring with dots (lesson 08's ramen is a ring with stripes, its
# pizza a disk with dots), an apple pie a square with a lattice, a waffle a square with a grid
# (textures lesson 08 never showed). The
# course's "10 percent" and "1 percent" datasets hold 10% and 1% of the training photos and the
# whole test set: here 50 and 5 photos per class, 40 test photos per class (fast mode tests on
# 100 of the 200).

# %%
new_10 = image_folders("new_food_classes_10_percent")
new_1 = image_folders("new_food_classes_1_percent")
x_10pct, y_10pct, new_names, _ = V.load_arrays(minitf, new_10 / "train", IMAGE_SIZE)
x_1pct, y_1pct, _, _ = V.load_arrays(minitf, new_1 / "train", IMAGE_SIZE)
x_test, y_test, _, _ = V.load_arrays(minitf, new_10 / "test", IMAGE_SIZE, limit=L.pick(None, 100))
print(f"new classes: {new_names}; 10%: {x_10pct.shape[0]} photos, 1%: {x_1pct.shape[0]}, test: {x_test.shape[0]}")

fig, axes = plt.subplots(2, 5, figsize=(11, 4.8))
for k, name in enumerate(new_names):
    for row in range(2):
        axes[row, k].imshow(x_10pct[y_10pct == k][row])
        axes[row, k].axis("off")
    axes[0, k].set_title(name, fontsize=9)
L.savefig(fig, "new_classes")

# %% [markdown]
# ## 3. A new head with the Functional API
# The base is the network up to its last feature maps: `tf.keras.Model(cnn.inputs,
# cnn.get_layer("bn").output)`, 5 x 5 x 20 numbers per photo. The new model, in the course's
# Functional style: an `Input`, the frozen base called with `training=False`, a
# `GlobalAveragePooling2D` (each of the 20 maps averaged to one number: the photo's "feature
# vector"), and a `Dense(5, activation="softmax")`.
#
# A warning about `training=False`: Keras 3 (measured on 3.15) remembers it only for calls
# that give no training flag of their own (`model(x)`, `predict`, `evaluate`). `fit` calls the
# model with `training=True`, and that flag wins, also inside the base. What keeps the base's
# `BatchNormalization` in inference mode during training is its being **frozen** (section 5),
# not the `training=False`. minitf does the same.
#
# Both frameworks get the same base weights (minitf's copied into the same layers under TF)
# and the same initial head (TF's, copied into minitf's).

# %%
base_weights = minitf.keras.Model(cnn.inputs, cnn.get_layer("bn").output).get_weights()


def base_model(fw):
    """The feature extractor, with the base weights, in framework ``fw``."""
    network = food10_cnn(fw)
    base = fw.keras.Model(network.inputs, network.get_layer("bn").output, name="base")
    base.set_weights(base_weights)
    return base


def feature_extractor(fw, learning_rate=0.01):
    base = base_model(fw)
    base.trainable = False  # freeze every weight of the base
    inputs = fw.keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3), name="input_layer")
    x = base(inputs, training=False)  # the course's way (but see the warning above)
    x = fw.keras.layers.GlobalAveragePooling2D(name="global_average_pooling")(x)
    outputs = fw.keras.layers.Dense(5, activation="softmax", name="output_layer")(x)
    model = fw.keras.Model(inputs, outputs)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=fw.keras.optimizers.Adam(learning_rate),
                  metrics=["accuracy"])
    return model


probe = feature_extractor(minitf)
probe.summary()
print(f"trainable weights: {sum(int(np.prod(w.shape)) for w in probe.trainable_weights)} "
      f"(the head), frozen: {sum(int(np.prod(w.shape)) for w in probe.non_trainable_weights)} (the base)")

# %% [markdown]
# ## 4. What `trainable = False` does to the gradients
# Freezing does not change the forward pass: it removes the base's variables from
# `model.trainable_variables`, the list `fit` differentiates and updates, so their gradients are
# never computed and their values never change. Below, the gradient of a loss on 8 photos with
# respect to `model.trainable_variables` (the head's kernel and bias), from the same weights in
# both frameworks.
#
# One difference shows here: asked for the gradient of a *frozen* variable, TF's tape still
# gives one (Keras 3 leaves the TF variable underneath trainable and only drops it from
# `trainable_variables`), while minitf's tape watches trainable variables only and answers
# `None`. `fit` never asks, so training is the same.

# %%
frozen_pair = L.build_pair(feature_extractor)
IS_NONE = "frozen kernel's gradient is None"


def gradients_when_frozen(fw):
    model = frozen_pair[0] if fw is minitf else frozen_pair[1]
    x, y = x_10pct[:8], y_10pct[:8]
    with fw.GradientTape(persistent=True) as tape:
        loss = fw.reduce_mean(fw.keras.losses.sparse_categorical_crossentropy(y, model(x, training=True)))
    head_kernel, head_bias = tape.gradient(loss, model.trainable_variables)
    frozen_kernel = tape.gradient(loss, model.get_layer("base").non_trainable_variables[0])
    return {"number of trainable variables": len(model.trainable_variables),
            "base's trainable variables": len(model.get_layer("base").trainable_variables),
            "gradient of the head's kernel": head_kernel, "gradient of the head's bias": head_bias,
            IS_NONE: frozen_kernel is None}


frozen_results = {}  # framework -> gradients_when_frozen(framework), each computed once


def gradients_compared(fw):
    frozen_results[fw] = gradients_when_frozen(fw)
    return {k: v for k, v in frozen_results[fw].items() if k != IS_NONE}


ours_frozen, tf_frozen = L.side_by_side("gradients with a frozen base", gradients_compared, tf, tol=1e-5)
frozen_is_none = frozen_results[minitf][IS_NONE]
tf_frozen_is_none = None if tf is None else frozen_results[tf][IS_NONE]
print(f"the tape's answer for a frozen kernel: minitf {'None' if frozen_is_none else 'a gradient'}"
      + ("" if tf is None else f", TF {'None' if tf_frozen_is_none else 'a gradient'}"))

# %% [markdown]
# ## 5. BatchNormalization in a frozen base
# In training, `BatchNormalization` normalises with the batch's own mean and variance and
# updates its moving averages; in inference it uses the moving averages. Keras (since TF 2.0)
# adds a rule for frozen layers: a `BatchNormalization` layer with `trainable = False` **always
# runs in inference mode**, even when called with `training=True`, and never updates its moving
# averages. The course relies on it when it fine-tunes EfficientNet: the new, small dataset
# must not overwrite statistics learned on a large one. Checked below: `training=True` and
# `training=False` give the same output once the layer is frozen, and training leaves the
# moving mean alone.

# %%
def frozen_batchnorm(fw):
    base = base_model(fw)
    bn = base.get_layer("bn")
    features = fw.keras.Model(base.input, base.get_layer("pool2").output)(x_10pct[:16])
    trainable_train, trainable_infer = bn(features, training=True), bn(features, training=False)
    bn.trainable = False
    moving_mean = np.array(bn.get_weights()[2])
    frozen_train, frozen_infer = bn(features, training=True), bn(features, training=False)
    return {"trainable: |training=True - training=False| (max)": float(np.max(np.abs(
                np.asarray(trainable_train) - np.asarray(trainable_infer)))),
            "frozen: |training=True - training=False| (max)": float(np.max(np.abs(
                np.asarray(frozen_train) - np.asarray(frozen_infer)))),
            "moving mean once frozen": moving_mean, "moving mean after frozen training=True calls": bn.get_weights()[2]}


ours_bn, tf_bn = L.side_by_side("BatchNormalization, trainable and frozen", frozen_batchnorm, tf, tol=1e-5)

# %% [markdown]
# ## 6. Feature extraction with 1% and 10% of the photos
# Only the head learns: 20 x 5 + 5 = 105 weights. With 250 photos an epoch is 8 steps, so the
# head takes larger steps than Adam's default (`Adam(0.01)`) to learn in 10 epochs. For
# comparison, the same network trained from scratch (all weights random and trainable) on the
# same 10%.
#
# The course's callbacks come along: `ModelCheckpoint` keeps the weights of the best epoch
# (highest validation accuracy) and `CSVLogger` writes the history to a file as it goes (the
# course uses TensorBoard; CSV files need nothing installed).
#
# Fast mode (for the tests) trains 3 epochs per phase and runs these models on minitf alone:
# each Keras model costs TF a second of tracing, so there TF fine-tunes (section 7) from minitf's
# feature-extraction weights, the one training it compares. The full lesson compares every model.

# %%
EPOCHS = L.pick(10, 3)  # fast mode: fewer epochs (its models are not ranked)
results = {}


def run(name, build, x, y, epochs=EPOCHS, initial_epoch=0, pair=None, callbacks=None, tol=2e-3,
        keys=("loss", "val_loss", "val_accuracy"), first_epoch_tol=1e-4):
    """Build (or continue) a pair of models, fit both on (x, y) validated on the test set
    (in fast mode a new pair runs on minitf alone)."""
    ours, theirs = pair if pair is not None else L.build_pair(build, tf_in_fast_mode=False)
    history, tf_history = V.fit_both(ours, theirs, x, y, (x_test, y_test), epochs=epochs, initial_epoch=initial_epoch,
                                     callbacks=callbacks)
    V.compare_histories(name, history, tf_history, keys=keys, tol=tol, first_epoch_tol=first_epoch_tol)
    accuracy = history["val_accuracy"][-1]
    print(f"{name}: test accuracy per epoch {np.round(history['val_accuracy'], 3).tolist()}")
    results[name] = {"history": history, "tf_history": tf_history, "accuracy": accuracy}
    return ours, theirs


def from_scratch(fw):
    network = food10_cnn(fw)
    inputs = fw.keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
    features = fw.keras.Model(network.inputs, network.get_layer("bn").output)(inputs)
    outputs = fw.keras.layers.Dense(5, activation="softmax")(fw.keras.layers.GlobalAveragePooling2D()(features))
    model = fw.keras.Model(inputs, outputs)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=fw.keras.optimizers.Adam(0.01),
                  metrics=["accuracy"])
    return model


# From random weights with large Adam steps, the float32 rounding differences between the two
# frameworks (about 1e-6 after two steps) grow into visibly different runs within an epoch
# (Adam divides each step by the gradient's own size, so a near-zero gradient's last bits
# decide a whole step): only the first epoch's loss is compared, to 5e-3.
run("model_0: from scratch, 10%", from_scratch, x_10pct, y_10pct, keys=(), first_epoch_tol=5e-3)
run("model_1: feature extraction, 1%", feature_extractor, x_1pct, y_1pct)
checkpoint_path = {fw_name: L.output_file(f"checkpoint_{fw_name}.weights.h5") for fw_name in ("minitf", "tf")}
csv_path = {fw_name: L.output_file(f"history_{fw_name}.csv") for fw_name in ("minitf", "tf")}


def callbacks(fw):
    name = "minitf" if fw is minitf else "tf"
    return [fw.keras.callbacks.ModelCheckpoint(str(checkpoint_path[name]), monitor="val_accuracy", save_best_only=True,
                                               save_weights_only=True),
            fw.keras.callbacks.CSVLogger(str(csv_path[name]))]


model_2 = run("model_2: feature extraction, 10%", feature_extractor, x_10pct, y_10pct, callbacks=callbacks)
feature_extraction_accuracy = results["model_2: feature extraction, 10%"]["accuracy"]
with open(csv_path["minitf"]) as f:
    rows = list(csv.reader(f))
print(f"CSVLogger wrote {len(rows) - 1} rows; columns {rows[0]}")

# %% [markdown]
# ## 7. Fine-tuning
# Now unfreeze the base's top block (its last two `Conv2D` layers), keep the rest frozen, and
# **recompile** (a change of `trainable` takes effect at `compile`) with a learning rate 10
# times smaller, so that the pretrained weights move gently. Training continues from where
# feature extraction stopped: `initial_epoch` makes the epochs count on (10 to 19), so that
# the two histories join into one curve.
#
# The `BatchNormalization` layer stays frozen. Unfrozen, it would run in training mode inside
# `fit` (the warning of section 3) and replace its moving averages, learned on 1200 photos,
# with those of 250 new ones; frozen, it keeps normalising the way the base learned to.
#
# `EarlyStopping` would stop when validation accuracy stops improving, and
# `ReduceLROnPlateau` divides the learning rate by 5 when the validation loss stalls for 2
# epochs: the course's companions for long fine-tuning runs.

# %%
FINE_EPOCHS = L.pick(10, 3)


def unfreeze_top(model, fw):
    base = model.get_layer("base")
    base.trainable = True
    for layer in base.layers[:-4]:  # the input, conv1, conv2 and pool1 stay frozen
        layer.trainable = False
    base.get_layer("bn").trainable = False  # and BatchNormalization too (see above)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=fw.keras.optimizers.Adam(0.001),
                  metrics=["accuracy"])


ours_2, theirs_2 = model_2
if tf is not None and theirs_2 is None:  # fast mode: TF fine-tunes from minitf's feature extraction
    theirs_2 = feature_extractor(tf)
    theirs_2.set_weights(ours_2.get_weights())
for model, fw in ((ours_2, minitf), (theirs_2, tf)):
    if model is not None:
        unfreeze_top(model, fw)
print("trainable layers of the base:", [layer.name for layer in ours_2.get_layer("base").layers if layer.trainable])
print(f"trainable weights now: {sum(int(np.prod(w.shape)) for w in ours_2.trainable_weights)}")


def fine_tune_callbacks(fw):
    return [fw.keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=5),
            fw.keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=2)]


run("model_3: fine-tuned, 10%", None, x_10pct, y_10pct, epochs=EPOCHS + FINE_EPOCHS, initial_epoch=EPOCHS,
    pair=(ours_2, theirs_2), callbacks=fine_tune_callbacks, tol=5e-3)
fine_tuned_accuracy = results["model_3: fine-tuned, 10%"]["accuracy"]

# %% [markdown]
# Was it the unfrozen layers, or just 10 more epochs? A fair comparison trains the
# feature-extraction model for the same 10 more epochs with the base still frozen.

# %%
CONTROL = f"model_2b: feature extraction for {EPOCHS + FINE_EPOCHS} epochs, 10%"
control = run(CONTROL, feature_extractor, x_10pct, y_10pct, epochs=EPOCHS + FINE_EPOCHS)

hist_fe, hist_ft = results["model_2: feature extraction, 10%"], results["model_3: fine-tuned, 10%"]
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for ax, key in zip(axes, ("accuracy", "loss")):
    for label, run_result, color in (("feature extraction", hist_fe, "C0"), ("fine-tuning", hist_ft, "C1")):
        start = 0 if run_result is hist_fe else EPOCHS
        epochs_axis = range(start, start + len(run_result["history"][key]))
        ax.plot(epochs_axis, run_result["history"][key], color=color, linewidth=3, alpha=0.6, label=f"{label}: training")
        ax.plot(epochs_axis, run_result["history"][f"val_{key}"], ":", color=color, linewidth=3,
                label=f"{label}: test")
        if run_result["tf_history"] is not None:
            theirs = run_result["tf_history"][f"val_{key}"]
            ax.plot(range(start, start + len(theirs)), theirs, "--", color="black", linewidth=1)
    ax.plot(results[CONTROL]["history"][f"val_{key}"], color="gray",
            linewidth=1, label="feature extraction only: test")
    ax.axvline(EPOCHS - 0.5, color="gray", linestyle="-.", label="start fine-tuning")
    ax.set_xlabel("epoch")
    ax.set_title(key)
axes[0].legend(fontsize=7)
L.savefig(fig, "feature_extraction_then_fine_tuning")

# %% [markdown]
# ## 8. The best checkpoint, and saving the model
# `ModelCheckpoint` kept the weights of model_2's best epoch; `load_weights` puts them back.
# Then the fine-tuned model is saved whole and loaded again: it must predict exactly the same.

# %%
checkpoint_model = feature_extractor(minitf)
checkpoint_model.load_weights(str(checkpoint_path["minitf"]))
checkpoint_loss, checkpoint_accuracy = checkpoint_model.evaluate(x_test, y_test, verbose=0)
print(f"best checkpoint of model_2: test accuracy {checkpoint_accuracy:.3f} "
      f"(best epoch: {max(hist_fe['history']['val_accuracy']):.3f})")
model_path = L.output_file("fine_tuned.keras")
ours_2.save(model_path)
loaded = minitf.keras.models.load_model(model_path)
save_load_identical = bool(np.array_equal(loaded.predict(x_test, verbose=0), ours_2.predict(x_test, verbose=0)))
print(f"saved {model_path.name}; the loaded model predicts identically: {save_load_identical}")

# %% [markdown]
# The file is Keras 3's own `.keras` format (lesson 06 opened it), so the fine-tuned model, frozen
# base, BatchNormalization statistics and all, crosses to TensorFlow and back: TensorFlow loads it
# and predicts the test photos, saves its copy, and minitf loads that copy. The weights cross bit
# for bit; the two engines' predictions agree to float32 rounding.

# %%
crossed_to_tf = None
if tf is not None:
    in_tf = tf.keras.models.load_model(model_path)
    weights_identical = all(np.array_equal(a, b) for a, b in zip(in_tf.get_weights(), ours_2.get_weights()))
    ours_predictions = ours_2.predict(x_test, verbose=0)
    L.compare("fine-tuned model from minitf's file: predictions in minitf vs TF", ours_predictions,
              in_tf.predict(x_test, verbose=0), tol=1e-5)
    tf_path = L.output_file("fine_tuned_saved_by_tf.keras")
    in_tf.save(tf_path)
    back_identical = bool(np.array_equal(minitf.keras.models.load_model(tf_path).predict(x_test, verbose=0),
                                         ours_predictions))
    crossed_to_tf = bool(weights_identical and back_identical)
    print(f"TF loaded {model_path.name} (weights identical: {weights_identical}); minitf loaded TF's copy "
          f"(predictions identical: {back_identical})")
else:
    print("TensorFlow is not installed: with it this cell loads the file in TensorFlow, and TensorFlow's copy "
          "back in minitf.")

# %% [markdown]
# ## Exercises
# 1. (Course) Build a feature-extraction model on the 1% data with augmentation layers
#    (`RandomFlip`, `RandomRotation`, `RandomZoom`) between the input and the base. Does it help
#    with 5 photos per class?
# 2. (Course) Fine-tune the 1% model too. Then unfreeze the whole base: how small must the
#    learning rate be for it not to forget?
# 3. (Course) Train a fine-tuned model on all the new photos (`image_folders("new_food_classes_all")`)
#    and compare with 10%: how much does 10 times more data buy?
# 4. (Course) Write `compare_historys(original_history, new_history, initial_epochs)` from the
#    course, which joins two histories into one curve.
# 5. Make the base's `BatchNormalization` trainable *and* call the base with `training=True`
#    during fine-tuning. What happens to its moving averages, and to the test accuracy?
# 6. Count how many weights `fit` updates in each phase (`model.trainable_weights`) and check
#    that the frozen ones are bit-for-bit unchanged after training.

# %%
L.summary(
    base=base_source,
    base_accuracy_on_source_task=base_accuracy,
    test_accuracy={name: r["accuracy"] for name, r in results.items()},
    feature_extraction_accuracy=feature_extraction_accuracy,
    fine_tuned_accuracy=fine_tuned_accuracy,
    control_accuracy=results[CONTROL]["accuracy"],
    scratch_accuracy=results["model_0: from scratch, 10%"]["accuracy"],
    one_percent_accuracy=results["model_1: feature extraction, 1%"]["accuracy"],
    frozen_kernel_gradient_is_none=frozen_is_none,
    tf_frozen_kernel_gradient_is_none=tf_frozen_is_none,
    trainable_variables_frozen=ours_frozen["number of trainable variables"],
    frozen_bn_max_difference=ours_bn["frozen: |training=True - training=False| (max)"],
    trainable_bn_max_difference=ours_bn["trainable: |training=True - training=False| (max)"],
    frozen_bn_moving_mean_unchanged=bool(np.array_equal(np.asarray(ours_bn["moving mean once frozen"]),
                                                        np.asarray(ours_bn["moving mean after frozen training=True calls"]))),
    checkpoint_accuracy=checkpoint_accuracy,
    best_feature_extraction_epoch_accuracy=max(hist_fe["history"]["val_accuracy"]),
    csv_rows=len(rows) - 1,
    feature_extraction_epochs=EPOCHS,
    save_load_identical=save_load_identical,
    crossed_to_tf=crossed_to_tf,
)
