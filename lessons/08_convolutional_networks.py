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
# # Lesson 08: Convolutional networks
# > Convolution as a sliding dot product and as one matrix product, its gradient, pooling; the course's CNNs on folders of food photos.
#
# The course's notebook 03 teaches computer vision on photos of pizza and steak, then of ten
# kinds of food. Its photos are a download; ours are drawn by `minitf.datasets` (a pizza is a
# disk with dots, a steak a square with grill stripes, anywhere in the picture, in any colour)
# and written to disk in the same layout, `train/pizza/0000.jpg`. We read them the way the
# course does, build the convolution the networks rely on from scratch, then train the
# course's models: a dense baseline, TinyVGG with and without pooling, with augmentation, on two
# and on ten classes, beside the same Keras models under TensorFlow.

# %%
try:
    from lessons import _common as L
    from lessons import _vision as V
except ImportError:  # run as a plain script, or as a notebook, from inside lessons/
    import _common as L
    import _vision as V

L.begin("08_convolutional_networks")

import os
import random
import shutil

import numpy as np

import minitf
from minitf.datasets import image_folders
from minitf.datasets.image_folders import data_dir as cache_dir

tf = L.tf_or_none()
plt = L.pyplot()
IMAGE_SIZE = 32  # the course uses 224 x 224 photos; our drawings need no more than 32 x 32


# %% [markdown]
# ## 1. Photos in folders
# A dataset of images is usually a folder per class. `image_folders("pizza_steak")` draws the
# pictures once (deterministically: the same files on every machine) and caches them; from then
# on it only returns the folder. The course's first cells walk through it.

# %%
data_dir = image_folders("pizza_steak")
for dirpath, dirnames, filenames in sorted(os.walk(data_dir)):
    if not dirpath.endswith("pizza_steak") and dirnames + filenames:
        print(f"There are {len(dirnames)} directories and {len(filenames)} images in "
              f"'{os.path.relpath(dirpath, data_dir.parent)}'.")
train_dir, test_dir = data_dir / "train", data_dir / "test"
class_names = np.array(sorted(item.name for item in train_dir.glob("*")))
print("class names:", class_names)

import matplotlib.image as mpimg

pick = random.Random(42)  # the course picks at random; a seeded pick shows the same photos every run
fig, axes = plt.subplots(2, 6, figsize=(12, 4.4))
for row, target_class in enumerate(class_names):
    for ax, name in zip(axes[row], pick.sample(sorted(os.listdir(train_dir / target_class)), 6)):
        img = mpimg.imread(train_dir / target_class / name)
        ax.imshow(img)
        ax.set_title(f"{target_class} {img.shape}", fontsize=8)
        ax.axis("off")
L.savefig(fig, "pizza_steak_examples")

# %% [markdown]
# ## 2. From a file to a tensor
# A JPEG file holds compressed bytes. `tf.io.read_file` reads them into a string tensor,
# `tf.image.decode_jpeg` turns them into a (height, width, 3) `uint8` tensor, and
# `tf.image.resize` changes its size, here by bilinear interpolation: output pixel $i$ samples
# the input at $c = (i + \tfrac12)\,\frac{n_{in}}{n_{out}} - \tfrac12$ and blends the two
# nearest pixels with weights $1 - (c - \lfloor c \rfloor)$ and $c - \lfloor c \rfloor$, along the
# width, then along the height. The course's `load_and_prep_image` chains them and divides by 255.
#
# minitf decodes with Pillow, which wraps the same JPEG library as TF (libjpeg-turbo); TF asks
# it for its fast integer transform and smooth chroma upsampling, which Pillow cannot, so
# minitf finishes that last step itself. Every pixel should equal TF's, and so should every
# resized value.

# %%
one_photo = str(train_dir / "pizza" / "0000.jpg")


def decode_and_resize(fw):
    contents = fw.io.read_file(one_photo)
    image = fw.image.decode_jpeg(contents)
    return {"contents.dtype": contents.dtype, "decoded": image,
            "bilinear to 20 x 24": fw.image.resize(image, [20, 24]),
            "nearest to 48 x 48": fw.image.resize(image, [48, 48], method="nearest"),
            "load_and_prep_image(..., 32)": V.load_and_prep_image(fw, one_photo, IMAGE_SIZE)}


def describe(results):
    """Shapes and dtypes only (the values are compared below, number by number)."""
    return {key: value if key.endswith("dtype") else f"shape {tuple(value.shape)}, dtype {value.dtype.name}"
            for key, value in results.items()}


ours_io = decode_and_resize(minitf)
tf_io = decode_and_resize(tf) if tf is not None else None
L.side_by_side("one photo: read, decode, resize (shapes and dtypes)", lambda fw: describe(
    ours_io if fw is minitf else tf_io), tf)
for key in ("decoded", "bilinear to 20 x 24", "nearest to 48 x 48", "load_and_prep_image(..., 32)"):
    L.compare(f"one photo, {key}: every value", ours_io[key], None if tf_io is None else tf_io[key], tol=0.0)


# %% [markdown]
# The course loads whole folders with Keras's `ImageDataGenerator`, which reads each file with
# Pillow (its own decoder settings: the accurate transform) and resizes it with Pillow's
# nearest-neighbour filter. `flow_from_directory` lists the classes (sorted folder names) and
# files, and hands out batches; `rescale=1/255.` scales them. The same seed gives the same
# batches as Keras's: the first one is compared below.

# %%
def first_generator_batch(fw):
    datagen = fw.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255.)
    train_data = datagen.flow_from_directory(str(train_dir), target_size=(IMAGE_SIZE, IMAGE_SIZE), batch_size=32,
                                             class_mode="binary", seed=42)
    images, labels = train_data[0]
    return {"len(train_data) (batches)": len(train_data), "class_indices": train_data.class_indices,
            "images": images, "labels": labels}


ours_gen = first_generator_batch(minitf)
tf_gen = first_generator_batch(tf) if tf is not None else None
L.side_by_side("ImageDataGenerator(rescale=1/255.).flow_from_directory(...)", lambda fw: {
    k: v for k, v in (ours_gen if fw is minitf else tf_gen).items() if k != "images"}, tf)
L.compare("flow_from_directory(...)[0]: every pixel of the first batch", ours_gen["images"],
          None if tf_gen is None else tf_gen["images"], tol=0.0)


# %% [markdown]
# Keras's newer way, `tf.keras.utils.image_dataset_from_directory`, builds a `tf.data.Dataset`
# with TF's own decoder and `tf.image.resize` (bilinear), and leaves the pixels in 0..255. It
# lists the same files in the same order. We read every image with it once (`shuffle=False`),
# divide by 255, and mix the classes with one fixed permutation: these arrays feed both
# frameworks below, so that minitf and TF train on exactly the same batches.
#
# The two Keras pipelines do not give the same pixels: different JPEG decoder settings and
# different resizing. Not a bug, but worth knowing when a model trained on one is fed the other.

# %%
TRAIN_LIMIT, TEST_LIMIT = L.pick(None, 160), L.pick(None, 80)
x_train, y_train, names, train_paths = V.load_arrays(minitf, train_dir, IMAGE_SIZE, "binary", limit=TRAIN_LIMIT)
x_test, y_test, _, _ = V.load_arrays(minitf, test_dir, IMAGE_SIZE, "binary", limit=TEST_LIMIT)
print(f"train {x_train.shape} {x_train.dtype}, labels {y_train.shape} {y_train.dtype}; test {x_test.shape}; "
      f"classes {names}; balance {np.bincount(y_train[:, 0].astype(int)).tolist()}")
if tf is not None:
    tf_x, tf_y, _, tf_paths = V.load_arrays(tf, train_dir, IMAGE_SIZE, "binary", limit=TRAIN_LIMIT)
    L.compare("image_dataset_from_directory: every training pixel", x_train, tf_x, tol=0.0)
    L.compare("image_dataset_from_directory: labels", y_train, tf_y, tol=0.0)
    assert tf_paths == train_paths
same_photo = str(train_dir / "pizza" / "0000.jpg")
through_pillow = np.asarray(minitf.keras.preprocessing.image.load_img(same_photo), np.float32) / 255  # the generator's way
through_tf = np.asarray(V.load_and_prep_image(minitf, same_photo, IMAGE_SIZE))  # the tf.image way
pipelines_differ = float(np.max(np.abs(through_pillow - through_tf)))
print(f"the same photo through the two pipelines: largest pixel difference {pipelines_differ:.3f} (of 1.0)")

# %% [markdown]
# ## 3. Convolution, twice
# A convolutional layer slides a small kernel $w$ of shape $(k_h, k_w, c_{in}, c_{out})$ over
# the image; each output value is one dot product of the kernel with the window under it
# ("valid" padding, stride 1):
#
# $$y[n, i, j, f] = \sum_{a, b, c} x[n, i + a, j + b, c]\; w[a, b, c, f].$$
#
# Written as loops it is four nested `for`s per output pixel: clear, and hopeless for speed.
# **im2col** rearranges the same arithmetic: copy every window into one row of a matrix $P$
# (one row per output pixel, $k_h k_w c_{in}$ columns), and all outputs come from **one** matrix
# product, $Y = P\,W$ with $W$ the kernel reshaped to $(k_h k_w c_{in}, c_{out})$. That is how
# minitf computes `tf.nn.conv2d` (see `minitf/nn/conv.py`).

# %%
rng = np.random.default_rng(0)
x_small = rng.normal(size=(1, 6, 6, 2)).astype(np.float32)
w_small = rng.normal(size=(3, 3, 2, 4)).astype(np.float32)


def conv_by_loops(x, w):
    n, h, wd, c = x.shape
    kh, kw, _, f = w.shape
    y = np.zeros((n, h - kh + 1, wd - kw + 1, f), np.float32)
    for i in range(h - kh + 1):
        for j in range(wd - kw + 1):
            window = x[:, i:i + kh, j:j + kw, :]  # (n, kh, kw, c)
            y[:, i, j, :] = np.tensordot(window, w, axes=([1, 2, 3], [0, 1, 2]))
    return y


def im2col(x, kh, kw):
    n, h, wd, c = x.shape
    rows = [x[:, i:i + kh, j:j + kw, :].reshape(n, -1) for i in range(h - kh + 1) for j in range(wd - kw + 1)]
    return np.stack(rows, axis=1).reshape(-1, kh * kw * c)  # (n * oh * ow, kh * kw * c)


patches = im2col(x_small, 3, 3)
y_loops = conv_by_loops(x_small, w_small)
y_im2col = (patches @ w_small.reshape(-1, 4)).reshape(1, 4, 4, 4)
print(f"patch matrix P: {patches.shape} (16 output pixels x 3*3*2 window values); kernel W: "
      f"{w_small.reshape(-1, 4).shape}; loops vs im2col: largest |diff| {np.max(np.abs(y_loops - y_im2col)):.2g}")


def conv_of_both(fw):
    return {"tf.nn.conv2d(x, w, 1, 'VALID')": fw.nn.conv2d(x_small, w_small, strides=1, padding="VALID")}


ours_conv, tf_conv = L.side_by_side("tf.nn.conv2d on the same input", conv_of_both, tf, tol=1e-5)
loops_vs_minitf = float(np.max(np.abs(np.asarray(ours_conv["tf.nn.conv2d(x, w, 1, 'VALID')"]) - y_loops)))
print(f"minitf's conv2d vs the loops: largest |diff| {loops_vs_minitf:.2g} (float32 sums in another order)")
assert loops_vs_minitf < 1e-5

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 2.6, 1]})
axes[0].imshow(x_small[0, :, :, 0], cmap="viridis")
axes[0].add_patch(plt.Rectangle((0.5, 0.5), 3, 3, fill=False, edgecolor="red", linewidth=3))
axes[0].set_title("input channel 0; window of output (1, 1)")
axes[1].imshow(patches.T, cmap="viridis", aspect="auto")
axes[1].axvline(5, color="red", linewidth=3, alpha=0.6)
axes[1].set(title="P transposed: column = one window (output pixel)", xlabel="output pixel (i * 4 + j)",
            ylabel="window value (a, b, c)")
axes[2].imshow(y_im2col[0, :, :, 0], cmap="viridis")
axes[2].set_title("output channel 0 = (P @ W)[:, 0]")
L.savefig(fig, "im2col")

# %% [markdown]
# ## 4. The gradient of a convolution is a convolution
# Differentiate $y$ above. Each input value $x[i', j']$ enters every output whose window covers
# it, with weight $w[i' - i, j' - j]$, so for a loss $L$ with upstream gradient
# $g = \partial L / \partial y$:
#
# $$\frac{\partial L}{\partial x}[i', j', c] = \sum_{a, b, f} g[i' - a, j' - b, f]\; w[a, b, c, f]
# \qquad\text{(g, zero-padded, convolved with the kernel turned by 180 degrees)},$$
#
# $$\frac{\partial L}{\partial w}[a, b, c, f] = \sum_{n, i, j} x[n, i + a, j + b, c]\; g[n, i, j, f]
# \qquad\text{(the input convolved with } g\text{ as the kernel)}.$$
#
# Both are convolutions again. The first is `tf.nn.conv2d_transpose` ("backprop input"), the
# second TF's `Conv2DBackpropFilter`. minitf has exactly these three ops, and each one's
# gradient is made of the other two: so the tape can differentiate a gradient again. We check
# the formulas against the tape, written only with `conv2d`, `pad`, `reverse` and `transpose`.

# %%
g_small = rng.normal(size=(1, 4, 4, 4)).astype(np.float32)


def conv_gradients(fw):
    x, w = fw.Variable(x_small), fw.Variable(w_small)
    with fw.GradientTape(persistent=True) as outer:
        with fw.GradientTape() as tape:
            y = fw.nn.conv2d(x, w, strides=1, padding="VALID")
            loss = fw.reduce_sum(y * g_small)
        dx, dw = tape.gradient(loss, [x, w])
        second = fw.reduce_sum(dx * x_small)  # a function of w through dx: its gradient needs dx's gradient
    d2w = outer.gradient(second, w)
    flipped = fw.transpose(fw.reverse(w_small, [0, 1]), (0, 1, 3, 2))  # turned 180 degrees, in/out swapped
    dx_as_conv = fw.nn.conv2d(fw.pad(g_small, [[0, 0], [2, 2], [2, 2], [0, 0]]), flipped, 1, "VALID")
    dw_as_conv = fw.transpose(fw.nn.conv2d(fw.transpose(x_small, (3, 1, 2, 0)), fw.transpose(g_small, (1, 2, 0, 3)),
                                           1, "VALID"), (1, 2, 0, 3))
    dx_transpose = fw.nn.conv2d_transpose(g_small, w_small, output_shape=x_small.shape, strides=1, padding="VALID")
    return {"dL/dx (tape)": dx, "dL/dx = conv2d(pad(g), flipped w)": dx_as_conv,
            "dL/dx = conv2d_transpose(g, w)": dx_transpose, "dL/dw (tape)": dw,
            "dL/dw = conv2d(x^T, g^T)^T": dw_as_conv, "d/dw sum(dL/dx * x) (tape of the tape)": d2w}


ours_grad, tf_grad = L.side_by_side("the gradients of conv2d", conv_gradients, tf, tol=1e-5)
grad_formula_diff = max(
    float(np.max(np.abs(np.asarray(ours_grad["dL/dx (tape)"]) - np.asarray(ours_grad[k]))))
    for k in ("dL/dx = conv2d(pad(g), flipped w)", "dL/dx = conv2d_transpose(g, w)"))
grad_formula_diff = max(grad_formula_diff, float(np.max(np.abs(np.asarray(ours_grad["dL/dw (tape)"]) -
                                                                np.asarray(ours_grad["dL/dw = conv2d(x^T, g^T)^T"])))))
print(f"tape vs the convolution formulas (minitf): largest |diff| {grad_formula_diff:.2g}")
assert grad_formula_diff < 1e-5
# sum(dL/dx * x) = sum_{a,b,c,f} x*g*w summed = sum(conv2d(x, w) * g): so its w-gradient is dL/dw again
print("second derivative equals dL/dw:", np.allclose(np.asarray(ours_grad["d/dw sum(dL/dx * x) (tape of the tape)"]),
                                                    np.asarray(ours_grad["dL/dw (tape)"]), atol=1e-5))

# %% [markdown]
# Which operations does the tape run? Tracing the gradient computation with `tf.function` turns
# it into a graph we can list: the backward pass of one `Conv2D` is one `Conv2DBackpropInput`
# and one `Conv2DBackpropFilter`; differentiating *those* again (the tape of the tape) brings
# back `Conv2D` and the other backprop op. Three ops, each made of the other two, in both
# frameworks.

# %%
def conv_ops_in_gradients(fw):
    x, w = fw.Variable(x_small), fw.Variable(w_small)

    def first_order(x, w):
        with fw.GradientTape() as tape:
            loss = fw.reduce_sum(fw.nn.conv2d(x, w, strides=1, padding="VALID") * g_small)
        return tape.gradient(loss, [x, w])

    def second_order(x, w):
        with fw.GradientTape() as outer:
            dx, _ = first_order(x, w)
            second = fw.reduce_sum(dx * x_small)
        return outer.gradient(second, w)

    def conv_ops(function):
        graph = fw.function(function).get_concrete_function(x, w).graph
        return sorted(op.type for op in graph.get_operations() if "Conv" in op.type)

    return {"forward + gradient": conv_ops(first_order), "forward + gradient + its gradient": conv_ops(second_order)}


ours_conv_ops, _ = L.side_by_side("convolution ops in the traced gradients", conv_ops_in_gradients, tf)

# %% [markdown]
# ## 5. Pooling and its gradient
# `MaxPool2D()` keeps the largest value of each 2 x 2 window (halving height and width):
# $y = \max_{(a, b) \in \text{window}} x[a, b]$. Its derivative is 1 for the winner and 0 for
# the others, so the backward pass routes each upstream gradient to the one input that won
# its window. Average pooling divides the gradient equally among the four.

# %%
x_pool = rng.permutation(16).reshape(1, 4, 4, 1).astype(np.float32)
g_pool = np.array([1.0, 2.0, 3.0, 4.0], np.float32).reshape(1, 2, 2, 1)


def pooling(fw):
    x = fw.Variable(x_pool)
    with fw.GradientTape(persistent=True) as tape:
        top = fw.nn.max_pool2d(x, 2, 2, "VALID")
        mean = fw.nn.avg_pool2d(x, 2, 2, "VALID")
        max_loss, avg_loss = fw.reduce_sum(top * g_pool), fw.reduce_sum(mean * g_pool)
    return {"x": x_pool[0, :, :, 0], "max_pool2d": top[0, :, :, 0], "d/dx (max)": tape.gradient(max_loss, x)[0, :, :, 0],
            "avg_pool2d": mean[0, :, :, 0], "d/dx (average)": tape.gradient(avg_loss, x)[0, :, :, 0]}


ours_pool, tf_pool = L.side_by_side("pooling and its gradient (upstream gradient 1, 2, 3, 4)", pooling, tf, tol=1e-6)

# %% [markdown]
# ## 6. A dense network against TinyVGG
# The course's baseline flattens each image into one long vector and feeds it to `Dense`
# layers. Every weight is tied to one pixel position: a dot seen at (5, 7) teaches nothing about
# a dot at (20, 14). Its CNN, TinyVGG (from the CNN Explainer), slides small kernels everywhere,
# so what it learns at one place works at every place, with far fewer weights:
# `Conv2D(10, 3)` twice, `MaxPool2D`, the same again, `Flatten`, `Dense(1, sigmoid)`.
#
# Both train for the course's 5 epochs with Adam, binary crossentropy, batch 32, on the same
# batches in the same order under minitf and TF, from TF's initial weights. Solid lines: minitf
# training; dotted: validation (the test folder); thin dashes: TensorFlow's.

# %%
EPOCHS = L.pick(5, 2)
Conv2D, MaxPool2D, Dense, Flatten = "Conv2D", "MaxPool2D", "Dense", "Flatten"


def sequential(fw, layers, outputs=1, learning_rate=0.001):
    """A Sequential from (name, args, kwargs) specs, compiled as the course compiles it."""
    model = fw.keras.Sequential([fw.keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))] +
                                [getattr(fw.keras.layers, kind)(*args, **kwargs) for kind, args, kwargs in layers])
    loss = "binary_crossentropy" if outputs == 1 else "sparse_categorical_crossentropy"
    model.compile(loss=loss, optimizer=fw.keras.optimizers.Adam(learning_rate), metrics=["accuracy"])
    return model


def relu_conv(filters=10):
    return (Conv2D, (filters, 3), {"activation": "relu"})


def head(outputs=1):
    return [(Flatten, (), {}), (Dense, (outputs,), {"activation": "sigmoid" if outputs == 1 else "softmax"})]


POOL = (MaxPool2D, (), {})
MODEL_3 = [(Flatten, (), {})] + [(Dense, (100,), {"activation": "relu"})] * 3 + [(Dense, (1,), {"activation": "sigmoid"})]
TINY_VGG = [relu_conv(), relu_conv(), POOL, relu_conv(), relu_conv(), POOL] + head()
binary = {}


def train(name, layers, x, y, validation, epochs=EPOCHS, compare_in_fast_mode=False, outputs=1, tol=2e-3,
          first_epoch_tol=1e-4):
    """Build, train and evaluate one model under both frameworks; keep its histories."""
    ours, theirs = L.build_pair(lambda fw: sequential(fw, layers, outputs), tf_in_fast_mode=compare_in_fast_mode)
    history, tf_history = V.fit_both(ours, theirs, x, y, validation, epochs=epochs)
    V.compare_histories(name, history, tf_history, tol=tol, first_epoch_tol=first_epoch_tol)
    accuracy = history["val_accuracy"][-1]
    print(f"{name}: {ours.count_params()} weights; after {epochs} epochs training accuracy "
          f"{history['accuracy'][-1]:.3f}, validation accuracy {accuracy:.3f}")
    return {"model": ours, "tf_model": theirs, "history": history, "tf_history": tf_history, "accuracy": accuracy}


binary["model_3 (dense)"] = train("model_3 (dense)", MODEL_3, x_train, y_train, (x_test, y_test))
binary["model_1 (TinyVGG)"] = train("model_1 (TinyVGG)", TINY_VGG, x_train, y_train, (x_test, y_test),
                                    compare_in_fast_mode=True)

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for (name, run), color in zip(binary.items(), ("C1", "C0")):
    V.plot_curves(axes, run["history"], run["tf_history"], name, color)
axes[0].plot([], [], "--", color="black", linewidth=1, label="TensorFlow")
axes[0].legend(fontsize=8)
L.savefig(fig, "dense_vs_tinyvgg")

# %% [markdown]
# The dense network has far more weights (each of its 100 first-layer units sees all
# 32 x 32 x 3 = 3072 inputs) and still guesses much worse on photos it has not seen.
#
# ## 7. With and without pooling
# The course then tries convolutions alone (`model_4`: three `Conv2D(10, 3)`, `Flatten`, a
# sigmoid) against convolutions each followed by `MaxPool2D` (`model_5`). Pooling halves the
# height and width at each step: the flattened features shrink from 26 x 26 x 10 = 6760 to
# 2 x 2 x 10 = 40 numbers, the last layer needs 169 times fewer weights, and a small shift of
# the object changes the pooled features less.

# %%
MODEL_4 = [relu_conv(), relu_conv(), relu_conv()] + head()
MODEL_5 = [relu_conv(), POOL, relu_conv(), POOL, relu_conv(), POOL] + head()
binary["model_4 (no pooling)"] = train("model_4 (no pooling)", MODEL_4, x_train, y_train, (x_test, y_test))
binary["model_5 (pooling)"] = train("model_5 (pooling)", MODEL_5, x_train, y_train, (x_test, y_test))

# %% [markdown]
# Fewer weights are not free: three poolings leave `model_5` only 2 x 2 x 10 features, and it
# learns more slowly than `model_4`. After the course's 5 epochs it may still be far behind, by
# how much depending on its initial weights (from minitf's seeded ones it reaches about 95%;
# from TF's, in the full run beside TF, it is still near 55%). Exercise 2 trains it longer.

# %% [markdown]
# ## 8. Overfitting, and augmentation against it
# A model **overfits** when it learns its training photos rather than the task: training
# accuracy climbs towards 100% while validation accuracy stays behind. With 600 photos of a
# task this clean our models hardly do; with 100 photos `model_4` (three convolutions, 8861
# weights) does, within 15 epochs.
#
# The course fights overfitting with **data augmentation**: each epoch shows every photo
# slightly changed (rotated, sheared, zoomed, shifted, maybe mirrored), so the network cannot
# learn exact pixels. `ImageDataGenerator` does that, with the course's arguments below. (Its
# `rotation_range` and `shear_range` are in **degrees**: the course's 0.2 turns a photo by at
# most a fifth of a degree. Try 20 in the exercises.) Its draws come from NumPy's random
# generator, so a seed gives Keras's exact pixels: compared first.
#
# To train both frameworks on the very same augmented photos, minitf's generator makes one
# augmented copy of the 100 photos per epoch, and both models train on it (`shuffle=False`).
# (Their losses agree to 1e-4 in the first epoch; over 15 epochs of augmented photos the float32
# differences grow to about 2e-3, so these curves are compared to 5e-3.)

# %%
AUGMENT = dict(rotation_range=0.2, shear_range=0.2, zoom_range=0.2, width_shift_range=0.2, height_shift_range=0.2,
               horizontal_flip=True)  # the course's train_datagen_augmented (it adds rescale=1/255.)


def augmented_flow(fw, directory, class_mode, batch_size, shuffle=True):
    generator = fw.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255., **AUGMENT)
    return generator.flow_from_directory(str(directory), target_size=(IMAGE_SIZE, IMAGE_SIZE), batch_size=batch_size,
                                         class_mode=class_mode, seed=42, shuffle=shuffle)


def first_augmented_batch(fw):
    images, labels = augmented_flow(fw, train_dir, "binary", 16, shuffle=False)[0]
    return images


augmented_batch = first_augmented_batch(minitf)
L.compare("ImageDataGenerator(<the course's augmentation>): every pixel of the first batch", augmented_batch,
          None if tf is None else first_augmented_batch(tf), tol=1e-6)
plain = minitf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255.).flow_from_directory(
    str(train_dir), target_size=(IMAGE_SIZE, IMAGE_SIZE), batch_size=16, class_mode="binary", shuffle=False)[0][0]
fig, axes = plt.subplots(2, 8, figsize=(14, 3.8))
for k in range(8):
    axes[0, k].imshow(plain[k])
    axes[1, k].imshow(augmented_batch[k])
    axes[0, k].axis("off")
    axes[1, k].axis("off")
axes[0, 0].set_title("original", fontsize=9, loc="left")
axes[1, 0].set_title("augmented", fontsize=9, loc="left")
L.savefig(fig, "augmented_examples")


def augmented_passes(x, y, epochs):
    """``epochs`` augmented copies of the arrays (x, y): ``flow`` with one batch of everything,
    a new order and new transformations for each pass."""
    flow = minitf.keras.preprocessing.image.ImageDataGenerator(**AUGMENT).flow(x, y, batch_size=len(x), seed=42)
    passes = []
    for _ in range(epochs):
        passes.append(flow[0])
        flow.on_epoch_end()  # a new order for the next pass, as after each epoch of fit
    return passes


def train_on_passes(name, layers, passes, validation, outputs=1, compare_in_fast_mode=False, tol=2e-3):
    """``train``, but epoch e trains on ``passes[e]``."""
    ours, theirs = L.build_pair(lambda fw: sequential(fw, layers, outputs), tf_in_fast_mode=compare_in_fast_mode)
    history, tf_history = {}, None if theirs is None else {}
    for epoch, (images, labels) in enumerate(passes):
        h, th = V.fit_both(ours, theirs, images, labels, validation, epochs=epoch + 1, initial_epoch=epoch)
        for key, values in h.items():
            history.setdefault(key, []).extend(values)
        for key, values in (th or {}).items():
            tf_history.setdefault(key, []).extend(values)
    V.compare_histories(name, history, tf_history, tol=tol)
    accuracy = history["val_accuracy"][-1]
    print(f"{name}: after {len(passes)} augmented epochs training accuracy {history['accuracy'][-1]:.3f}, "
          f"validation accuracy {accuracy:.3f}")
    return {"model": ours, "tf_model": theirs, "history": history, "tf_history": tf_history, "accuracy": accuracy}


FEW, FEW_EPOCHS = 100, L.pick(15, 8)
x_few, y_few = x_train[:FEW], y_train[:FEW]
overfit = {"model_4, 100 photos": train("model_4, 100 photos", MODEL_4, x_few, y_few, (x_test, y_test),
                                        epochs=FEW_EPOCHS),
           "model_4, 100 photos, augmented": train_on_passes("model_4, 100 photos, augmented", MODEL_4,
                                                             augmented_passes(x_few, y_few, FEW_EPOCHS),
                                                             (x_test, y_test), tol=5e-3)}
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for (name, run), color in zip(overfit.items(), ("C3", "C2")):
    V.plot_curves(axes, run["history"], run["tf_history"], name, color)
axes[0].legend(fontsize=8)
L.savefig(fig, "overfitting_and_augmentation")
gap = {name: run["history"]["accuracy"][-1] - run["history"]["val_accuracy"][-1] for name, run in overfit.items()}
print("training minus validation accuracy at the end (the overfitting gap):", {k: round(v, 3) for k, v in gap.items()})

# %% [markdown]
# The course's own way: `fit` on the generator itself, `model.fit(train_data_augmented,
# epochs=5, validation_data=test_data)`. The generator is a `PyDataset`: `fit` reads batch 0,
# 1, ... each epoch and reshuffles in `on_epoch_end`. (Under TF, Keras wraps it in a
# `tf.data` pipeline that fetches batches ahead in another thread, so the order of a shuffled
# generator's batches is not reproducible there; minitf trains alone here.)

# %%
train_data_augmented = augmented_flow(minitf, train_dir, "binary", batch_size=32)
test_data = minitf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255.).flow_from_directory(
    str(test_dir), target_size=(IMAGE_SIZE, IMAGE_SIZE), batch_size=32, class_mode="binary", shuffle=False)
minitf.keras.utils.set_random_seed(42)
model_7 = sequential(minitf, MODEL_5)
steps = L.pick(None, 4)
history_7 = model_7.fit(train_data_augmented, epochs=EPOCHS, steps_per_epoch=steps, validation_data=test_data,
                        verbose=0).history
print(f"model_7 (fit on the generator): validation accuracy per epoch {np.round(history_7['val_accuracy'], 3).tolist()}")

# %% [markdown]
# ## 9. Ten classes
# The same network with a softmax over 10 outputs: `Dense(10, activation="softmax")` and
# sparse categorical crossentropy on integer labels (the course one-hot encodes the labels and
# uses categorical crossentropy: the same loss, lesson 07). Guessing gives 10%.
#
# minitf and TF add the float32 products of a convolution in different orders, so their
# weights differ in the last bits from the first step on. In the short runs above that stays
# invisible; over the hundreds of steps of the 10-class runs the two trajectories drift apart
# by a few 1e-2 in the loss (how much depends on the order of the sums: 2e-3 to 2.2e-2 seen), while
# the first epoch still agrees to 1e-4: the curves below are compared to 5e-2.

# %%
food10_dir = image_folders("10_food_classes")
x10, y10, food10_names, _ = V.load_arrays(minitf, food10_dir / "train", IMAGE_SIZE, limit=L.pick(None, 300))
x10_test, y10_test, _, _ = V.load_arrays(minitf, food10_dir / "test", IMAGE_SIZE, limit=L.pick(None, 100))
print(f"10 classes: {food10_names}; train {x10.shape}, test {x10_test.shape}")
TINY_VGG_10 = TINY_VGG[:-1] + [(Dense, (10,), {"activation": "softmax"})]
ten = {"model_9 (TinyVGG)": train("model_9 (TinyVGG, 10 classes)", TINY_VGG_10, x10, y10, (x10_test, y10_test),
                                  outputs=10, tol=5e-2)}
ten["model_11 (augmented)"] = train_on_passes("model_11 (TinyVGG, 10 classes, augmented)", TINY_VGG_10,
                                              augmented_passes(x10, y10, EPOCHS), (x10_test, y10_test), outputs=10,
                                              tol=5e-2)

# %% [markdown]
# ## 10. A network to keep
# Lesson 09 reuses a network trained here on a new task. A better one pays off there: TinyVGG
# with 20 filters in its second block, a `BatchNormalization` layer (lesson 09 shows what it does
# when frozen), and `GlobalAveragePooling2D` (the average of each feature map) in place of
# `Flatten`, trained for longer. It is saved with `model.save`, in this lesson's output folder
# and in minitf's data cache, where lesson 09 looks for it. (Its BatchNormalization
# normalises each batch by the batch's own statistics while training: one more place where
# float32 sums in another order enter, so even its first epoch agrees with TF's only to 2e-3,
# and after ten epochs its curves agree to 5e-2, as the other ten-class ones: TF's own sums
# change with the CPU's vector width, and the validation loss drifted 0.032 from TF's on an
# AVX2 CPU, where it stayed below 0.03 on the AVX-512 CPUs it ran on before.)

# %%
FOOD10_CNN = [(Conv2D, (10, 3), {"activation": "relu", "name": "conv1"}),
              (Conv2D, (10, 3), {"activation": "relu", "name": "conv2"}), (MaxPool2D, (), {"name": "pool1"}),
              (Conv2D, (20, 3), {"activation": "relu", "name": "conv3"}),
              (Conv2D, (20, 3), {"activation": "relu", "name": "conv4"}), (MaxPool2D, (), {"name": "pool2"}),
              ("BatchNormalization", (), {"name": "bn"}), ("GlobalAveragePooling2D", (), {"name": "gap"}),
              (Dense, (10,), {"activation": "softmax", "name": "food10"})]
BASE_EPOCHS = L.pick(10, 2)
keep = train("food10_cnn (the network we keep)", FOOD10_CNN, x10, y10, (x10_test, y10_test), epochs=BASE_EPOCHS,
             outputs=10, tol=5e-2, first_epoch_tol=2e-3)
food10_cnn = keep["model"]
saved_path = L.output_file("food10_cnn.keras")
food10_cnn.save(saved_path)
reloaded = minitf.keras.models.load_model(saved_path)
reload_identical = bool(np.array_equal(reloaded.predict(x10_test, verbose=0), food10_cnn.predict(x10_test, verbose=0)))
if not L.fast():  # lesson 09 looks for the full lesson's network there (the fast one is not worth reusing)
    cache_path = cache_dir() / "lesson08_food10_cnn_full.keras"
    shutil.copyfile(saved_path, str(cache_path) + ".partial")
    os.replace(str(cache_path) + ".partial", cache_path)  # lesson 09 never finds half a file
    print(f"copied to {cache_path} for lesson 09")
print(f"saved {saved_path}; the reloaded model predicts identically: {reload_identical}")

# %% [markdown]
# ## 11. What the network sees
# The first layer's 10 kernels are 3 x 3 x 3 RGB patches: drawn as tiny pictures, they show
# what colour and edge patterns they respond to. Their **feature maps** are the convolution
# of one photo with each of them: bright where the pattern matches.

# %%
kernels = np.asarray(food10_cnn.get_layer("conv1").get_weights()[0])  # (3, 3, 3, 10)
photo = x10_test[:1]
feature_model = minitf.keras.Model(food10_cnn.inputs, [food10_cnn.get_layer(n).output for n in ("conv1", "conv3")])
maps1, maps3 = feature_model.predict(photo, verbose=0)
fig, axes = plt.subplots(3, 10, figsize=(14, 4.6))
for k in range(10):
    kernel = kernels[..., k]
    axes[0, k].imshow((kernel - kernel.min()) / (np.ptp(kernel) + 1e-12))
    axes[1, k].imshow(maps1[0, :, :, k], cmap="magma")
    axes[2, k].imshow(maps3[0, :, :, k], cmap="magma")
    for row in range(3):
        axes[row, k].axis("off")
axes[0, 0].set_title("conv1 kernels", fontsize=9, loc="left")
axes[1, 0].set_title(f"conv1 feature maps of a {food10_names[int(y10_test[0])]}", fontsize=9, loc="left")
axes[2, 0].set_title("conv3 feature maps (first 10 of 20)", fontsize=9, loc="left")
L.savefig(fig, "filters_and_feature_maps")

# %% [markdown]
# ## 12. Predicting single photos
# A model predicts batches: one photo needs a batch axis, `tf.expand_dims(img, axis=0)` (the
# course's first attempt without it fails). The course's `pred_and_plot` loads a photo with
# `load_and_prep_image`, predicts, and titles the picture with the class of the highest
# probability (`argmax`; for one sigmoid output, the rounded probability).

# %%
def pred_and_plot(ax, model, filename, class_names):
    img = V.load_and_prep_image(minitf, filename, IMAGE_SIZE)
    pred = model.predict(minitf.expand_dims(img, axis=0), verbose=0)
    pred_class = class_names[pred.argmax()] if len(pred[0]) > 1 else class_names[int(np.round(pred)[0][0])]
    ax.imshow(np.asarray(img))
    ax.set_title(f"prediction: {pred_class}", fontsize=8)
    ax.axis("off")
    return pred_class


test_photos = [str(food10_dir / "test" / name / "0000.jpg") for name in food10_names]
fig, axes = plt.subplots(2, 5, figsize=(12, 5.4))
predicted = [pred_and_plot(ax, food10_cnn, path, food10_names) for ax, path in zip(axes.ravel(), test_photos)]
for ax, name in zip(axes.ravel(), food10_names):
    ax.set_xlabel(name)
L.savefig(fig, "single_photo_predictions")
print("true classes:     ", food10_names)
print("predicted classes:", predicted)

# %% [markdown]
# ## Exercises
# 1. (Course) Spend 20 minutes with the CNN Explainer (poloclub.github.io/cnn-explainer): what
#    does each layer of TinyVGG do to the picture?
# 2. (Course) Change the number of filters (10 -> 20 -> 50) in each `Conv2D` of TinyVGG. What
#    happens to the number of weights, the training time and the validation accuracy? Train
#    `model_5` for 15 epochs instead of 5: does pooling catch up?
# 3. (Course) Train TinyVGG on 10 classes with and without augmentation for 10 epochs each. Which
#    generalises better, and why does augmentation slow down training accuracy?
# 4. (Course) Find (or draw with `draw_food_images`) photos of your own, save them as JPEG and
#    predict them with `pred_and_plot`. Which classes does the model confuse, and why?
# 5. Compute the gradient of `max_pool2d` when two values of a window tie. Which one gets the
#    gradient in minitf, and in TF? (Hint: `tf.nn.max_pool2d` on `[[1, 1], [0, 0]]`.)
# 6. Write `conv2d` with `padding="SAME"` and `strides=2` in NumPy with im2col, and check it
#    against `tf.nn.conv2d`. How many rows does the patch matrix have?

# %%
L.summary(
    decoding_exact=None if tf_io is None else all(
        np.array_equal(np.asarray(ours_io[k]), np.asarray(tf_io[k])) for k in ours_io if "dtype" not in k),
    generator_batch_exact=None if tf_gen is None else bool(np.array_equal(ours_gen["images"], tf_gen["images"])),
    pipelines_largest_pixel_difference=pipelines_differ,
    conv_loops_vs_minitf=loops_vs_minitf,
    conv_gradient_formulas_max_diff=grad_formula_diff,
    conv_ops_in_gradients=ours_conv_ops,
    epochs=EPOCHS,
    binary_val_accuracy={name: run["accuracy"] for name, run in binary.items()},
    binary_weights={name: run["model"].count_params() for name, run in binary.items()},
    overfitting_gap=gap,
    overfitting_val_accuracy={name: run["accuracy"] for name, run in overfit.items()},
    model_7_val_accuracy=history_7["val_accuracy"],
    ten_class_val_accuracy={name: run["accuracy"] for name, run in ten.items()},
    food10_cnn_val_accuracy=keep["accuracy"],
    food10_cnn_epochs=BASE_EPOCHS,
    saved_model="food10_cnn.keras",
    reload_identical=reload_identical,
    single_photo_predictions=dict(zip(food10_names, predicted)),
)
