"""tf.distribute on one device, tf.device, tf.config's logical devices, tf.train.Checkpoint and
CheckpointManager (issue 18)."""
import os

import numpy as np
import pytest

import minitf as tf


# --------------------------------------------------------------------------- tf.distribute
@pytest.mark.parametrize("make", [tf.distribute.get_strategy, tf.distribute.MirroredStrategy,
                                  lambda: tf.distribute.OneDeviceStrategy("/cpu:0")])
def test_strategies_have_one_replica_and_run_once(make):
    strategy = make()
    assert strategy.num_replicas_in_sync == 1
    calls = []
    out = strategy.run(lambda x, k=1: calls.append(1) or x * k, args=(tf.constant([1.0, 2.0]),), kwargs={"k": 3})
    assert calls == [1]
    np.testing.assert_array_equal(out.numpy(), [3.0, 6.0])
    assert strategy.experimental_local_results(out) == (out,)


def test_reduce_over_replicas_and_axis():
    s = tf.distribute.MirroredStrategy()
    v = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert s.reduce(tf.distribute.ReduceOp.SUM, v, axis=None) is v
    np.testing.assert_array_equal(s.reduce("SUM", v, axis=0).numpy(), [4.0, 6.0])
    np.testing.assert_array_equal(s.reduce(tf.distribute.ReduceOp.MEAN, v, axis=1).numpy(), [1.5, 3.5])
    with pytest.raises(ValueError, match="reduce_op must be"):
        s.reduce("MAX", v, axis=None)


def test_scope_contexts_and_model_inside():
    s = tf.distribute.MirroredStrategy()
    assert not tf.distribute.has_strategy() and tf.distribute.in_cross_replica_context()
    assert type(tf.distribute.get_strategy()).__name__ == "_DefaultDistributionStrategy"
    with s.scope():
        assert tf.distribute.has_strategy() and tf.distribute.get_strategy() is s
        assert tf.distribute.in_cross_replica_context() and tf.distribute.get_replica_context() is None
        inside = s.run(lambda: (tf.distribute.in_cross_replica_context(),
                                tf.distribute.get_replica_context().replica_id_in_sync_group))
        assert inside == (False, 0)
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    assert not tf.distribute.has_strategy()
    ds = tf.data.Dataset.range(4).batch(2)
    assert s.experimental_distribute_dataset(ds) is ds
    seen = s.distribute_datasets_from_function(lambda ctx: ctx.get_per_replica_batch_size(64))
    assert seen == 64


def test_several_devices_are_refused_clearly():
    with pytest.raises(ValueError, match=r"no device \['cpu:1'\] here.*set_logical_device_configuration"):
        tf.distribute.MirroredStrategy(devices=["cpu:0", "cpu:1"])
    tf.distribute.MirroredStrategy(devices=["/gpu:0"])  # one device: accepted (placed on the backend's)


# --------------------------------------------------------------------------- tf.device
@pytest.mark.parametrize("name, canonical", [("CPU:0", "/device:CPU:0"), ("/cpu:0", "/device:CPU:0"),
                                             ("cpu", "/device:CPU:0"), ("GPU:1", "/device:GPU:1"),
                                             ("/job:localhost/replica:0/task:0/device:GPU:0", "/device:GPU:0"),
                                             ("", ""), (None, "")])
def test_device_names_parse(name, canonical):
    from minitf.device import canonical_device, current_device
    assert canonical_device(name) == canonical
    with tf.device(name):
        assert current_device() == canonical
        a = tf.Variable([[1.0, 2.0]])
        c = tf.matmul(a, tf.constant([[1.0], [1.0]]))
    assert current_device() == ""
    # placed on the backend's device whatever the name (NumPy: the CPU; CuPy or its stand-in: the GPU)
    backend_device = "/device:CPU:0" if isinstance(tf.constant(0.0)._value, np.ndarray) else "/device:GPU:0"
    assert c.numpy()[0, 0] == 3.0 and c.device == backend_device


def test_bad_device_name_is_refused():
    with pytest.raises(ValueError, match="Failed to parse device name 'foo:bar'"):
        with tf.device("foo:bar"):
            pass


def test_logical_devices_bad_configurations_refused():
    assert [d.name for d in tf.config.list_logical_devices("CPU")] == ["/device:CPU:0"]
    with pytest.raises(ValueError, match="LogicalDeviceConfiguration"):
        tf.config.experimental.set_virtual_device_configuration(tf.config.list_physical_devices("CPU")[0], [1, 2])
    with pytest.raises(NotImplementedError, match="split the CPU"):
        tf.config.set_logical_device_configuration(tf.config.PhysicalDevice("/physical_device:GPU:0", "GPU"),
                                                   [tf.config.LogicalDeviceConfiguration()])
    assert len(tf.config.list_logical_devices("CPU")) == 1


# --------------------------------------------------------------------------- tf.train.Checkpoint
class Net(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable([1.0, 2.0])
        self.blocks = [tf.Variable(3.0), {"b": tf.Variable([[4.0]])}]


def test_write_list_variables_and_restore(tmp_path):
    net = Net()
    path = tf.train.Checkpoint(model=net).write(str(tmp_path / "w"))
    assert path == str(tmp_path / "w")
    assert tf.train.list_variables(path) == [
        ("_CHECKPOINTABLE_OBJECT_GRAPH", []), ("model/blocks/0/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("model/blocks/1/b/.ATTRIBUTES/VARIABLE_VALUE", [1, 1]), ("model/w/.ATTRIBUTES/VARIABLE_VALUE", [2])]
    other = Net()
    for v in other.variables:
        v.assign(tf.zeros_like(v))
    tf.train.Checkpoint(model=other).read(path).assert_consumed()
    for a, b in zip(net.variables, other.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    reader = tf.train.load_checkpoint(path)
    np.testing.assert_array_equal(reader.get_tensor("model/w/.ATTRIBUTES/VARIABLE_VALUE"), [1.0, 2.0])
    assert reader.get_variable_to_shape_map()["model/blocks/1/b/.ATTRIBUTES/VARIABLE_VALUE"] == [1, 1]


def test_save_numbers_and_latest_checkpoint(tmp_path):
    net = Net()
    ckpt = tf.train.Checkpoint(model=net)
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    first = ckpt.save(str(tmp_path / "run"))
    net.w.assign([9.0, 9.0])
    second = ckpt.save(str(tmp_path / "run"))
    assert (os.path.basename(first), os.path.basename(second)) == ("run-1", "run-2")
    assert tf.train.latest_checkpoint(str(tmp_path)) == second
    assert 'model_checkpoint_path: "run-2"' in (tmp_path / "checkpoint").read_text()
    ckpt.restore(first)
    np.testing.assert_array_equal(net.w.numpy(), [1.0, 2.0])
    assert int(ckpt.save_counter.numpy()) == 1  # restored with the rest, as TF
    ckpt.restore(str(tmp_path))  # a folder: its latest checkpoint
    np.testing.assert_array_equal(net.w.numpy(), [9.0, 9.0])


def test_keras_model_and_optimizer_round_trip(tmp_path):
    def make():
        model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(3), tf.keras.layers.Dense(1)])
        model.compile(optimizer=tf.keras.optimizers.Adam(0.1), loss="mse")
        return model
    a = make()
    a.fit(np.ones((4, 2)), np.zeros((4, 1)), verbose=0)
    path = tf.train.Checkpoint(model=a, optimizer=a.optimizer).write(str(tmp_path / "k"))
    b = make()
    b.optimizer.build(b.trainable_variables)
    tf.train.Checkpoint(model=b, optimizer=b.optimizer).restore(path).assert_consumed()
    for x, y in zip(a.get_weights() + [v.numpy() for v in a.optimizer.variables],
                    b.get_weights() + [v.numpy() for v in b.optimizer.variables]):
        np.testing.assert_array_equal(x, y)


def test_restore_reports_mismatches_and_bad_paths(tmp_path):
    path = tf.train.Checkpoint(model=Net()).write(str(tmp_path / "n"))

    class Other(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([0.0, 0.0])
            self.extra = tf.Variable(1.0)
    status = tf.train.Checkpoint(model=Other()).restore(path)
    with pytest.raises(AssertionError, match="model/blocks/0"):
        status.assert_consumed()
    with pytest.raises(AssertionError, match="model/extra"):
        status.assert_existing_objects_matched()
    status.expect_partial()

    class Wrong(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([0.0, 0.0, 0.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="model/w.*shape"):
        tf.train.Checkpoint(model=Wrong()).restore(path)
    with pytest.raises(tf.errors.NotFoundError, match="nothing_here"):
        tf.train.Checkpoint(model=Net()).restore(str(tmp_path / "nothing_here"))
    with pytest.raises(ValueError, match="trackable"):
        tf.train.Checkpoint(model=3)


def test_checkpoint_manager_keeps_the_last_n(tmp_path):
    net = Net()
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=net), str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None
    paths = [manager.save() for _ in range(3)]
    assert [os.path.basename(p) for p in paths] == ["ckpt-1", "ckpt-2", "ckpt-3"]
    assert manager.checkpoints == paths[1:] and manager.latest_checkpoint == paths[2]
    assert not os.path.exists(paths[0] + ".index")
    assert tf.train.latest_checkpoint(str(tmp_path)) == paths[2]
    again = tf.train.CheckpointManager(tf.train.Checkpoint(model=Net()), str(tmp_path), max_to_keep=2)
    assert again.checkpoints == paths[1:]
    assert again.restore_or_initialize() == paths[2]


def test_checkpoint_of_a_layer_whose_init_skips_layers(tmp_path):
    class CustomLayer(tf.keras.layers.Layer):
        def __init__(self, a):  # no super().__init__(): its attributes are what is saved, as in TF
            self.var = tf.Variable(a, name="var_a")
    path = tf.train.Checkpoint(layer=CustomLayer(5)).save(str(tmp_path / "custom_layer"))
    assert tf.train.load_checkpoint(path).get_variable_to_dtype_map() == {
        "layer/var/.ATTRIBUTES/VARIABLE_VALUE": tf.int32, "save_counter/.ATTRIBUTES/VARIABLE_VALUE": tf.int64}
    other = CustomLayer(0)
    tf.train.Checkpoint(layer=other).restore(path)
    assert int(other.var) == 5
