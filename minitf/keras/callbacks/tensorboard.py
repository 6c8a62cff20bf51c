"""TensorBoard: each epoch's logs (and, with ``histogram_freq``, the weights) as event files.

As Keras 3: ``log_dir/train`` gets ``epoch_<name>`` scalars (the learning rate as
``epoch_learning_rate``) and ``log_dir/validation`` the ``val_*`` logs without their prefix, all
at step = epoch; ``evaluate`` adds ``evaluation_<name>_vs_iterations`` at step = the optimizer's
iterations. Files are written by ``minitf.summary`` (no TensorBoard package needed). Graphs,
images, embeddings and profiles are not written.
"""
from __future__ import annotations

import os

from minitf.keras.callbacks.callback import Callback


class TensorBoard(Callback):
    """Writes fit's epoch metrics where TensorBoard finds them (``tensorboard --logdir log_dir``)."""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        if profile_batch:
            raise ValueError(f"TensorBoard: profiling is not available in minitf. Received: "
                             f"profile_batch={profile_batch} (must be 0)")
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.update_freq = update_freq
        self.embeddings_freq = embeddings_freq
        self._writers = {}

    def set_model(self, model):
        self._model = model
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}

    def _writer(self, which):
        from minitf import summary

        if which not in self._writers:
            self._writers[which] = summary.create_file_writer(self._train_dir if which == "train" else self._val_dir)
        return self._writers[which]

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def on_test_end(self, logs=None):
        from minitf import summary

        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations") and logs:
            with self._writer("val").as_default():
                for name, value in logs.items():
                    summary.scalar(f"evaluation_{name}_vs_iterations", value, step=optimizer.iterations)

    def on_epoch_end(self, epoch, logs=None):
        from minitf import summary

        if logs:
            train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
            val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
            optimizer = getattr(self.model, "optimizer", None)
            if optimizer is not None and hasattr(optimizer, "learning_rate"):
                train_logs["learning_rate"] = float(_numpy(optimizer.learning_rate))
            for which, values in (("train", train_logs), ("val", val_logs)):
                if values:
                    with self._writer(which).as_default():
                        for name, value in values.items():
                            summary.scalar(f"epoch_{name}", value, step=epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            with self._writer("train").as_default():
                for layer in self.model.layers:
                    for weight in layer.weights:
                        name = getattr(weight, "path", weight.name).replace(":", "_")
                        summary.histogram(f"{name}/histogram", weight, step=epoch)


def _numpy(value):
    return value.numpy() if hasattr(value, "numpy") else value
