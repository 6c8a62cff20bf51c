"""``minitf.keras.datasets``, as ``tf.keras.datasets``: Keras's small datasets, read from Keras's cache.

minitf downloads nothing. ``mnist.load_data()`` and ``fashion_mnist.load_data()`` read the files
Keras keeps after its own download (``~/.keras/datasets/mnist.npz``, ``fashion-mnist/*.gz``; the
folder ``$KERAS_HOME`` when set), giving the same arrays as Keras. Where the file is not there,
or the dataset's file format would need Python's pickle (cifar, imdb, reuters: loading it can run
code), ``load_data`` raises an error that says so and names minitf's offline stand-ins
(``minitf.datasets``: scikit-learn's digits, generated shapes, sentences, series).
"""
from minitf.keras.datasets import (boston_housing, california_housing, cifar10, cifar100, fashion_mnist, imdb, mnist,
                                   reuters)

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist", "reuters"]
