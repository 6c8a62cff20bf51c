"""MirroredStrategy over logical CPUs: replicas run one after another, PerReplica results, and a
tf.random.Generator's per-replica streams (TF's own values are checked in parity_tests)."""
import numpy as np
import pytest

import minitf as tf


@pytest.fixture
def three_cpus():
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 3)
    try:
        yield
    finally:
        tf.config.set_logical_device_configuration(cpu, [])


def test_logical_cpus_and_replicas(three_cpus):
    assert [d.name for d in tf.config.list_logical_devices("CPU")] == [f"/device:CPU:{i}" for i in range(3)]
    strat = tf.distribute.MirroredStrategy(devices=["cpu:0", "cpu:1"])
    assert strat.num_replicas_in_sync == 2
    assert tf.distribute.MirroredStrategy().num_replicas_in_sync == 1  # no GPUs: CPU:0 only, as TF
    with pytest.raises(ValueError, match="no device"):
        tf.distribute.MirroredStrategy(devices=["cpu:0", "cpu:7"])
    ids = strat.run(lambda: tf.distribute.get_replica_context().replica_id_in_sync_group)
    assert isinstance(ids, tf.distribute.PerReplica)
    assert [int(v) for v in strat.experimental_local_results(ids)] == [0, 1]
    assert str(ids).startswith("PerReplica:{\n  0: tf.Tensor(0, shape=(), dtype=int32),\n  1: ")
    values = strat.run(lambda x: {"a": x * 2.0}, args=(tf.constant([1.0, 3.0]),))
    assert float(strat.reduce("SUM", values["a"], axis=None)[1]) == 12.0
    assert float(strat.reduce("MEAN", values["a"], axis=0)) == 4.0  # mean of the 4 elements
    per = strat.run(lambda: tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group, tf.float32))
    assert float(strat.reduce(tf.distribute.ReduceOp.MEAN, per, axis=None)) == 0.5
    with pytest.raises(NotImplementedError, match="one after another"):
        strat.run(lambda: tf.distribute.get_replica_context().all_reduce("SUM", tf.constant(1.0)))
    with pytest.raises(NotImplementedError, match="replicas"):
        strat.experimental_distribute_dataset(tf.data.Dataset.range(4))


def _draws(result):
    return [float(v) for v in result.values]


def test_generator_streams_per_replica(three_cpus):
    plain = tf.random.Generator.from_seed(1)
    first, second = float(plain.normal([])), float(plain.normal([]))
    shared = tf.random.Generator.from_seed(1)  # made outside the strategy: one stream, drawn replica after replica
    strat = tf.distribute.MirroredStrategy(devices=["cpu:0", "cpu:1"])
    with strat.scope():
        assert _draws(strat.run(lambda: shared.normal([]))) == [first, second]
        g = tf.random.Generator.from_seed(1)
        a = _draws(strat.run(lambda: g.normal([])))
        b = _draws(strat.run(lambda: g.normal([])))
    assert len({a[0], a[1], first}) == 3  # each replica's key is mixed with its id (replica 0's too)
    # a generator made inside `run` has one state, but its draws are still keyed by the replica
    with strat.scope():
        inside = strat.run(lambda: tf.stack([tf.random.Generator.from_seed(1).normal([]) for _ in range(1)]))
    assert [float(v[0]) for v in inside.values] == a
    # both copies of the state moved on alike; state outside `run` is replica 0's
    assert g.state.numpy().tolist() == [513, 0, 0]  # seed 1 is counter 1; two draws of 256
    # a traced function traces once per replica and draws each replica's stream
    g.reset_from_seed(1)

    @tf.function
    def draw():
        return g.normal([])
    with strat.scope():
        assert _draws(strat.run(draw)) == a
        assert _draws(strat.run(draw)) == b


def test_generator_checkpoint_to_more_replicas(three_cpus, tmp_path):
    two = tf.distribute.MirroredStrategy(devices=["cpu:0", "cpu:1"])
    with two.scope():
        g = tf.random.Generator.from_seed(1)
        path = tf.train.Checkpoint(gen=g).write(str(tmp_path / "ckpt"))
        two_draws = _draws(two.run(lambda: g.normal([])))
    three = tf.distribute.MirroredStrategy(devices=["cpu:0", "cpu:1", "cpu:2"])
    with three.scope():
        g3 = tf.random.Generator.from_seed(7)
        tf.train.Checkpoint(gen=g3).restore(path)  # every replica's copy gets the saved state
        three_draws = _draws(three.run(lambda: g3.normal([])))
    assert three_draws[:2] == two_draws and three_draws[2] not in two_draws
