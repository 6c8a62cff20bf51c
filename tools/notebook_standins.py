"""Offline stand-ins for what public notebooks download, used by ``tools/notebook_parity.py``.

A notebook that downloads a dataset (``tf.keras.utils.get_file``, ``keras.datasets.*.load_data``,
``pd.read_csv(url)``, ``!wget``, ``!git clone``) gets generated data of the same layout instead:
the same file names, folders, columns, dtypes and per-sample shapes, with fewer rows so that a
notebook runs in minutes on two cores. Every stand-in is generated here, from minitf's own
generators (``minitf.datasets``) or scikit-learn's shipped digits, with fixed seeds: nothing is
downloaded and the same files are produced for the TensorFlow run and the minitf run.

Nothing here is imported by ``minitf``; the engine knows nothing of notebooks.
"""
from __future__ import annotations

import csv
import gzip
import io
import os
import shlex
import shutil
import types
import zipfile

import numpy as np

# ---------------------------------------------------------------------------------------------
# Arrays of the same shape and dtype as Keras's downloadable datasets (fewer samples).
N_TRAIN, N_TEST = 12000, 2000  # > 10000: guides slice x_train[-10000:] for validation


def _digits28(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-like (n, 28, 28) uint8 images and (n,) uint8 labels from scikit-learn's 8x8 digits."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(digits.images), size=n)
    small = digits.images[pick] / 16.0                                  # (n, 8, 8) in [0, 1]
    big = np.kron(small, np.ones((3, 3)))                               # (n, 24, 24)
    big = np.pad(big, ((0, 0), (2, 2), (2, 2)))                         # (n, 28, 28)
    big = np.clip(big + rng.normal(0, 0.05, big.shape), 0, 1)
    return (big * 255).astype(np.uint8), digits.target[pick].astype(np.uint8)


def _shapes_uint8(n: int, size: int, channels: int, seed: int, num_classes: int = 10):
    from minitf.datasets.images import make_shapes
    images, labels = make_shapes(n, image_size=size, num_classes=num_classes, seed=seed, channels=channels)
    images = (images * 255).astype(np.uint8)
    return images, labels.astype(np.uint8)


def mnist_load_data(path: str = "mnist.npz"):
    return _digits28(N_TRAIN, 0), _digits28(N_TEST, 1)


def fashion_mnist_load_data():
    (a, b), (c, d) = (_shapes_uint8(N_TRAIN, 28, 1, 0), _shapes_uint8(N_TEST, 28, 1, 1))
    return (a[..., 0], b), (c[..., 0], d)


def cifar10_load_data():
    (a, b), (c, d) = (_shapes_uint8(N_TRAIN // 2, 32, 3, 0), _shapes_uint8(N_TEST, 32, 3, 1))
    return (a, b[:, None]), (c, d[:, None])


def imdb_load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
                   oov_char=2, index_from=3, **kwargs):
    rng = np.random.default_rng(seed)
    vocab = num_words or 10000

    def part(n):
        xs = np.empty(n, dtype=object)
        for i in range(n):
            length = int(rng.integers(20, maxlen or 300))
            xs[i] = [start_char] + rng.integers(index_from + 1, vocab, size=length - 1).tolist()
        return xs, rng.integers(0, 2, size=n).astype(np.int64)
    return part(2500), part(2500)


DATASET_LOADERS = {"mnist": mnist_load_data, "fashion_mnist": fashion_mnist_load_data,
                   "cifar10": cifar10_load_data, "imdb": imdb_load_data}


# ---------------------------------------------------------------------------------------------
# Files and folders, by the name the notebook downloads.
def _sentences(n: int, seed: int):
    from minitf.datasets.text import make_sentences
    return make_sentences(n, seed=seed)


def _write_images(folder: str, n: int, size: int, seed: int, ext: str = ".jpg"):
    from PIL import Image
    os.makedirs(folder, exist_ok=True)
    images, _ = _shapes_uint8(n, size, 3, seed)
    for i, image in enumerate(images):
        Image.fromarray(image).save(os.path.join(folder, f"{seed}_{i}{ext}"))


def write_image(path: str, size: int = 224, seed: int = 0):
    from PIL import Image
    Image.fromarray(_shapes_uint8(1, size, 3, seed)[0][0]).save(path, format="JPEG")


FOOD10 = ["chicken_curry", "chicken_wings", "fried_rice", "grilled_salmon", "hamburger",
          "ice_cream", "pizza", "ramen", "steak", "sushi"]


def _food_tree(root: str, classes, n_train: int, n_test: int, size: int = 64):
    for split, n in (("train", n_train), ("test", n_test)):
        for k, name in enumerate(classes):
            _write_images(os.path.join(root, split, name), n, size, seed=k * 2 + (split == "test"))


def _titanic_csv(path: str, n: int, seed: int):
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["survived", "sex", "age", "n_siblings_spouses", "parch", "fare", "class", "deck",
                    "embark_town", "alone"])
        for _ in range(n):
            sib, parch = int(rng.integers(0, 4)), int(rng.integers(0, 3))
            w.writerow([int(rng.integers(0, 2)), rng.choice(["male", "female"]),
                        float(rng.integers(1, 80)), sib, parch, round(float(rng.gamma(2.0, 15.0)), 4),
                        rng.choice(["First", "Second", "Third"]), rng.choice(["unknown", "A", "B", "C"]),
                        rng.choice(["Southampton", "Cherbourg", "Queenstown"]),
                        "y" if sib + parch == 0 else "n"])


def _text_lines(path: str, n: int, seed: int):
    with open(path, "w") as f:
        f.write("\n".join(s.capitalize() + "," for s in _sentences(n, seed)[0]) + "\n")


def _higgs_gz(path: str, n: int = 12000):
    rng = np.random.default_rng(0)
    label = rng.integers(0, 2, size=(n, 1)).astype(np.float64)
    feats = rng.normal(label * 0.3, 1.0, size=(n, 28))
    buf = io.StringIO()
    np.savetxt(buf, np.hstack([label, feats]), delimiter=",", fmt="%.9e")
    with gzip.open(path, "wt") as f:
        f.write(buf.getvalue())


def _creditcard_tree(folder: str, n: int = 3000):
    rng = np.random.default_rng(0)
    os.makedirs(folder, exist_ok=True)
    cls = (rng.random(n) < 0.02).astype(int)
    with open(os.path.join(folder, "creditcard.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Time"] + [f"V{i}" for i in range(1, 29)] + ["Amount", "Class"])
        for i in range(n):
            w.writerow([float(i)] + [round(float(v), 6) for v in rng.normal(cls[i], 1, 28)]
                       + [round(float(rng.gamma(1.0, 80.0)), 2), cls[i]])


def _imdb_tree(folder: str, n: int = 200):
    for split in ("train", "test"):
        sentences, labels = _sentences(2 * n, seed=split == "test")
        for i, (s, y) in enumerate(zip(sentences, labels)):
            d = os.path.join(folder, "aclImdb", split, "pos" if y else "neg")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"{i}_7.txt"), "w") as f:
                f.write(s + " <br /><br />" + s)
    unsup = os.path.join(folder, "aclImdb", "train", "unsup")
    os.makedirs(unsup, exist_ok=True)
    for i, s in enumerate(_sentences(50, seed=7)[0]):
        with open(os.path.join(unsup, f"{i}_0.txt"), "w") as f:
            f.write(s)


def _auto_mpg_text(n: int = 398) -> str:
    rng = np.random.default_rng(0)
    lines = []
    for i in range(n):
        cyl = int(rng.choice([4, 6, 8], p=[.5, .25, .25]))
        disp = cyl * 40 + rng.normal(0, 20)
        hp = "?" if i % 70 == 5 else f"{max(46.0, disp * 0.45 + rng.normal(0, 10)):.1f}"
        weight = 1600 + disp * 7 + rng.normal(0, 200)
        mpg = max(9.0, 50 - weight / 120 + rng.normal(0, 2))
        lines.append(f"{mpg:.1f}   {cyl}   {disp:.1f}      {hp}      {weight:.1f}      "
                     f"{rng.uniform(8, 25):.1f}   {int(rng.integers(70, 83))}  {int(rng.integers(1, 4))}"
                     f"\t\"car {i}\"")
    return "\n".join(lines) + "\n"


def _insurance_csv(n: int = 1338) -> str:
    from minitf.datasets.insurance import make_insurance
    t = make_insurance(n)
    cols = ["age", "sex", "bmi", "children", "smoker", "region", "charges"]
    rows = [",".join(cols)]
    for i in range(n):
        rows.append(",".join(f"{t[c][i]:.3f}" if c in ("bmi", "charges") else str(t[c][i]) for c in cols))
    return "\n".join(rows) + "\n"


def _nlp_disaster_tree(folder: str):
    os.makedirs(folder, exist_ok=True)
    for name, n, seed, with_target in (("train.csv", 1500, 0, True), ("test.csv", 400, 1, False)):
        sentences, labels = _sentences(n, seed)
        with open(os.path.join(folder, name), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "keyword", "location", "text"] + (["target"] if with_target else []))
            for i, (s, y) in enumerate(zip(sentences, labels)):
                w.writerow([i, "" if i % 3 else "fire", "" if i % 2 else "earth", s]
                           + ([int(y)] if with_target else []))
    with open(os.path.join(folder, "sample_submission.csv"), "w") as f:
        f.write("id,target\n" + "".join(f"{i},0\n" for i in range(400)))


def _btc_csv(path: str, n: int = 2787):
    from minitf.datasets.timeseries import make_price_series
    dates, prices, _ = make_price_series(n)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Currency", "Date", "Closing Price (USD)", "24h Open (USD)", "24h High (USD)",
                    "24h Low (USD)"])
        for d, p in zip(dates, prices):
            w.writerow(["BTC", str(d), f"{p:.8f}", f"{p * 0.99:.8f}", f"{p * 1.03:.8f}", f"{p * 0.97:.8f}"])


def _pubmed_tree(folder: str):
    from minitf.datasets.text import ABSTRACT_CLASS_NAMES, make_abstracts
    for sub in ("PubMed_20k_RCT_numbers_replaced_with_at_sign", "PubMed_20k_RCT",
                "PubMed_200k_RCT_numbers_replaced_with_at_sign"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
        for name, n, seed in (("train.txt", 300, 0), ("dev.txt", 60, 1), ("test.txt", 60, 2)):
            a = make_abstracts(n, seed=seed)
            out, last = [], None
            for s, y, ab in zip(a["sentences"], a["labels"], a["abstract_ids"]):
                if ab != last:
                    if last is not None:
                        out.append("")
                    out.append(f"###{24000000 + int(ab)}")
                    last = ab
                out.append(f"{ABSTRACT_CLASS_NAMES[y]}\t{s}")
            with open(os.path.join(folder, sub, name), "w") as f:
                f.write("\n".join(out) + "\n\n")


def _skimlit_examples(path: str):
    import json
    from minitf.datasets.text import make_abstracts
    a = make_abstracts(4, seed=9)
    abstracts = {}
    for s, ab in zip(a["sentences"], a["abstract_ids"]):
        abstracts.setdefault(int(ab), []).append(s)
    with open(path, "w") as f:
        json.dump([{"abstract": " ".join(v), "source": "generated", "details": "generated"}
                   for v in abstracts.values()], f)


def _zip_of(path: str, make_tree):
    """Write a zip archive whose content is the tree ``make_tree(tmpdir)`` builds."""
    tmp = path + ".tree"
    make_tree(tmp)
    with zipfile.ZipFile(path, "w") as z:
        for root, _, files in os.walk(tmp):
            for name in files:
                full = os.path.join(root, name)
                z.write(full, os.path.relpath(full, tmp))
    shutil.rmtree(tmp)


# name -> function(path) writing a plain file at path
FILES = {
    "train.csv": lambda p: _titanic_csv(p, 627, 0),
    "eval.csv": lambda p: _titanic_csv(p, 264, 1),
    "cowper.txt": lambda p: _text_lines(p, 600, 10),
    "derby.txt": lambda p: _text_lines(p, 600, 11),
    "butler.txt": lambda p: _text_lines(p, 600, 12),
    "HIGGS.csv.gz": _higgs_gz,
    "BTC_USD_2013-10-01_2021-05-18-CoinDesk.csv": _btc_csv,
    "skimlit_example_abstracts.json": _skimlit_examples,
    "03-pizza-dad.jpeg": lambda p: write_image(p, 512, 1),
    "03-steak.jpeg": lambda p: write_image(p, 512, 2),
    "03-hamburger.jpeg": lambda p: write_image(p, 512, 3),
    "03-sushi.jpeg": lambda p: write_image(p, 512, 4),
    "helper_functions.py": lambda p: open(p, "w").write(HELPER_FUNCTIONS_SOURCE),
}
# name -> function(folder) writing the content an archive of that name extracts to
ARCHIVES = {
    "flower_photos": lambda d: [_write_images(os.path.join(d, "flower_photos", c), 12, 80, k)
                                for k, c in enumerate(["daisy", "dandelion", "roses", "sunflowers", "tulips"])],
    "creditcard": _creditcard_tree,
    "aclImdb_v1": _imdb_tree,
    "pizza_steak": lambda d: _food_tree(os.path.join(d, "pizza_steak"), ["pizza", "steak"], 30, 10),
    "10_food_classes_all_data": lambda d: _food_tree(os.path.join(d, "10_food_classes_all_data"), FOOD10, 20, 8),
    "10_food_classes_10_percent": lambda d: _food_tree(os.path.join(d, "10_food_classes_10_percent"), FOOD10, 8, 8),
    "10_food_classes_1_percent": lambda d: _food_tree(os.path.join(d, "10_food_classes_1_percent"), FOOD10, 2, 8),
    "nlp_getting_started": _nlp_disaster_tree,
}
URL_TEXT = {  # URLs read directly (pd.read_csv(url))
    "auto-mpg.data": _auto_mpg_text,
    "insurance.csv": _insurance_csv,
}


def _stem(name: str) -> str:
    for ext in (".tar.gz", ".tgz", ".zip", ".tar"):
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def materialize(name: str, path: str) -> bool:
    """Write the stand-in for a download called ``name`` at ``path``; False when none is known."""
    stem = _stem(name)
    if name in FILES:
        FILES[name](path)
    elif stem in ARCHIVES and name.endswith(".zip"):
        _zip_of(path, ARCHIVES[stem])
    else:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Keras's get_file, with the stand-in written where the download would land (same paths).
def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None, force_download=False):
    import urllib.parse
    datadir = os.path.join(os.path.expanduser(cache_dir or os.path.join(os.getcwd(), ".keras")), cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    provided = fname
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if extract or untar:
        if provided and "." in fname:
            target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[: fname.find('.')]}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            target = os.path.join(datadir, f"{fname}_archive")
        stem = _stem(fname)
        if stem not in ARCHIVES:
            raise OSError(f"offline: no stand-in for the archive {fname!r} ({origin})")
        if not os.path.exists(extraction_dir):
            ARCHIVES[stem](extraction_dir)
            open(target, "wb").close()
        return extraction_dir
    target = os.path.join(datadir, fname)
    if not os.path.exists(target) and not materialize(os.path.basename(urllib.parse.urlsplit(origin or "").path)
                                                      if fname not in FILES else fname, target):
        raise OSError(f"offline: no stand-in for {fname!r} ({origin})")
    return target


# ---------------------------------------------------------------------------------------------
# Shell lines (``!wget``, ``!unzip``, ``!git clone``) and IPython magics.
class FakeIPython:
    """What ``get_ipython()`` answers in a notebook run: shell lines make stand-ins, magics do nothing."""

    def system(self, cmd: str):
        try:
            words = shlex.split(cmd)
        except ValueError:
            return
        if not words:
            return
        if words[0] == "wget":
            urls = [w for w in words[1:] if "://" in w]
            out = words[words.index("-O") + 1] if "-O" in words else None
            for url in urls:
                name = os.path.basename(url.rstrip("/"))
                materialize(name, out or name)
        elif words[0] == "unzip":
            args = [w for w in words[1:] if not w.startswith("-")]
            dest = words[words.index("-d") + 1] if "-d" in words else "."
            archive = args[0] if args else None
            if archive and not archive.endswith(".zip") and not os.path.exists(archive):
                archive += ".zip"
            if archive and os.path.exists(archive):
                zipfile.ZipFile(archive).extractall(dest)
        elif words[0] == "git" and len(words) > 2 and words[1] == "clone":
            name = os.path.basename(words[2]).removesuffix(".git")
            if name == "pubmed-rct":
                _pubmed_tree(name)
        elif words[0] in ("mkdir",):
            for w in words[1:]:
                if not w.startswith("-"):
                    os.makedirs(w, exist_ok=True)
        # anything else (pip, nvidia-smi, ls, rm ...) is skipped

    def getoutput(self, cmd: str):
        self.system(cmd)
        return []

    def run_line_magic(self, name, line):
        return None

    def run_cell_magic(self, name, line, cell):
        if name in ("time", "timeit", "capture"):
            exec(compile(cell, "<cell>", "exec"), self.user_ns)  # noqa: S102 (the notebook's own cell)
        return None

    user_ns: dict = {}


# ---------------------------------------------------------------------------------------------
# Patching one framework: downloads become stand-ins, `fit` runs at most `max_epochs` epochs.
def _capped_fit(fit, max_epochs: int):
    def capped(self, *args, **kwargs):
        if "epochs" in kwargs or len(args) < 4:
            epochs = kwargs.get("epochs", 1)
            initial = kwargs.get("initial_epoch", 0) or 0
            kwargs["epochs"] = min(epochs, max(initial + 1, max_epochs)) if epochs > initial else epochs
        return fit(self, *args, **kwargs)
    capped.__wrapped__ = fit
    return capped


def patch_framework(tf_module, keras_module, max_epochs: int):
    keras_module.utils.get_file = get_file
    try:
        import importlib
        importlib.import_module(keras_module.__name__ + ".utils").get_file = get_file
    except ImportError:
        pass
    datasets = getattr(keras_module, "datasets", None)
    if datasets is not None:
        for name, loader in DATASET_LOADERS.items():
            sub = getattr(datasets, name, None)
            if sub is not None:
                sub.load_data = loader
    model_cls = keras_module.Model
    model_cls.fit = _capped_fit(model_cls.fit, max_epochs)


def patch_environment(workdir: str):
    """Stand-ins outside the framework: pandas reading URLs, urllib, Colab's /content folder."""
    import builtins
    import urllib.request
    real_open = builtins.open

    def local(path):
        if isinstance(path, str) and path.startswith("/content/"):
            return os.path.join(workdir, path[len("/content/"):])
        return path

    def open_(file, *args, **kwargs):
        return real_open(local(file), *args, **kwargs)
    builtins.open = open_

    def offline(*args, **kwargs):
        raise OSError("offline: this notebook run downloads nothing")
    urllib.request.urlretrieve = offline
    urllib.request.urlopen = offline
    try:
        import pandas as pd
    except ImportError:
        return
    real_read_csv = pd.read_csv

    def read_csv(path, *args, **kwargs):
        if isinstance(path, str) and "://" in path:
            name = os.path.basename(path)
            if name not in URL_TEXT:
                raise OSError(f"offline: no stand-in for {path}")
            path = io.StringIO(URL_TEXT[name]())
        return real_read_csv(local(path), *args, **kwargs)
    pd.read_csv = read_csv


# ---------------------------------------------------------------------------------------------
# The course's helper_functions.py, written anew here (same function names and behaviour).
HELPER_FUNCTIONS_SOURCE = '''"""Stand-in for the course's helper_functions.py (same names, written for the notebook runner)."""
import datetime
import os
import zipfile

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf


def load_and_prep_image(filename, img_shape=224, scale=True):
    img = tf.io.read_file(filename)
    img = tf.image.decode_jpeg(img)
    img = tf.image.resize(img, [img_shape, img_shape])
    return img / 255. if scale else img


def make_confusion_matrix(y_true, y_pred, classes=None, figsize=(10, 10), text_size=15, norm=False,
                          savefig=False):
    from sklearn.metrics import confusion_matrix
    cm = confusion_matrix(y_true, y_pred)
    fig, ax = plt.subplots(figsize=figsize)
    ax.matshow(cm, cmap=plt.cm.Blues)
    return cm


def pred_and_plot(model, filename, class_names):
    img = load_and_prep_image(filename)
    pred = model.predict(tf.expand_dims(img, axis=0))
    pred_class = class_names[pred.argmax()] if len(pred[0]) > 1 else class_names[int(tf.round(pred)[0][0])]
    plt.imshow(img)
    plt.title(f"Prediction: {pred_class}")
    plt.axis(False)


def create_tensorboard_callback(dir_name, experiment_name):
    log_dir = dir_name + "/" + experiment_name + "/" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    print(f"Saving TensorBoard log files to: {log_dir}")
    return tf.keras.callbacks.TensorBoard(log_dir=log_dir)


def plot_loss_curves(history):
    loss, val_loss = history.history["loss"], history.history["val_loss"]
    accuracy, val_accuracy = history.history["accuracy"], history.history["val_accuracy"]
    epochs = range(len(loss))
    plt.figure(); plt.plot(epochs, loss, label="training_loss"); plt.plot(epochs, val_loss, label="val_loss")
    plt.figure(); plt.plot(epochs, accuracy, label="training_accuracy")
    plt.plot(epochs, val_accuracy, label="val_accuracy")


def compare_historys(original_history, new_history, initial_epochs=5):
    acc = original_history.history["accuracy"] + new_history.history["accuracy"]
    loss = original_history.history["loss"] + new_history.history["loss"]
    val_acc = original_history.history["val_accuracy"] + new_history.history["val_accuracy"]
    val_loss = original_history.history["val_loss"] + new_history.history["val_loss"]
    plt.figure(figsize=(8, 8)); plt.subplot(2, 1, 1); plt.plot(acc); plt.plot(val_acc)
    plt.subplot(2, 1, 2); plt.plot(loss); plt.plot(val_loss)


def unzip_data(filename):
    zipfile.ZipFile(filename, "r").extractall()


def walk_through_dir(dir_path):
    for dirpath, dirnames, filenames in os.walk(dir_path):
        print(f"There are {len(dirnames)} directories and {len(filenames)} images in '{dirpath}'.")


def calculate_results(y_true, y_pred):
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support
    model_accuracy = accuracy_score(y_true, y_pred) * 100
    model_precision, model_recall, model_f1, _ = precision_recall_fscore_support(y_true, y_pred, average="weighted")
    return {"accuracy": model_accuracy, "precision": model_precision, "recall": model_recall, "f1": model_f1}
'''
