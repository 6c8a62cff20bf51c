"""Automatic names (``minitf.keras.naming``): Keras's rules, one table for every family, reset by
``clear_session``, counted per thread."""
import threading

import minitf as tf
from minitf.keras import naming


def test_snake_case_of_class_names():
    assert naming.to_snake_case("Dense") == "dense"
    assert naming.to_snake_case("MyDenseLayer") == "my_dense_layer"
    assert naming.to_snake_case("AUC") == "auc"
    assert naming.to_snake_case("Conv2DTranspose") == "conv2d_transpose"
    assert naming.to_snake_case("Weird-Name!") == "weird_name"


def test_uniquify_and_get_uid_share_one_count():
    tf.keras.backend.clear_session()
    assert [naming.uniquify("block") for _ in range(3)] == ["block", "block_1", "block_2"]
    assert naming.get_uid("block") == 4  # Keras's get_uid counts in the same table
    assert naming.auto_name("Block") == "block_4"
    assert naming.get_uid("other") == 1


def test_every_family_counts_in_one_table_and_clear_session_resets_it():
    tf.keras.backend.clear_session()
    assert [tf.keras.layers.Dense(1).name for _ in range(2)] == ["dense", "dense_1"]
    assert [tf.keras.optimizers.Adam().name for _ in range(2)] == ["adam", "adam_1"]
    assert [tf.keras.metrics.AUC().name for _ in range(2)] == ["auc", "auc_1"]
    assert tf.keras.Sequential().name == "sequential"
    tf.keras.backend.clear_session()
    assert tf.keras.optimizers.Adam().name == "adam"
    assert tf.keras.layers.Dense(1).name == "dense"
    assert tf.keras.metrics.AUC().name == "auc"
    assert tf.keras.Sequential().name == "sequential"
    assert tf.keras.utils.clear_session is tf.keras.backend.clear_session


def test_given_names_do_not_count():
    tf.keras.backend.clear_session()
    assert tf.keras.layers.Dense(1, name="dense").name == "dense"
    assert tf.keras.layers.Dense(1).name == "dense"


def test_each_thread_counts_on_its_own():
    tf.keras.backend.clear_session()
    assert tf.keras.layers.Dense(1).name == "dense"
    seen = []
    worker = threading.Thread(target=lambda: seen.append(tf.keras.layers.Dense(1).name))
    worker.start()
    worker.join()
    assert seen == ["dense"]
    assert tf.keras.layers.Dense(1).name == "dense_1"
