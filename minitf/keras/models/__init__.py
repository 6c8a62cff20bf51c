"""``minitf.keras.models``, as ``tf.keras.models``: the model classes and whole-model saving.

``Model`` (subclassing, or ``Model(inputs, outputs)`` for a functional graph), ``Sequential``,
``load_model``/``save_model`` (one ``.keras`` file in Keras 3's format, see
``minitf.keras.saving``), ``clone_model`` (same architecture, fresh weights) and
``model_from_json``. The machinery lives in ``minitf/keras/engine/``.
"""
from minitf.keras.engine.functional import Functional
from minitf.keras.engine.model import Model
from minitf.keras.engine.sequential import Sequential
from minitf.keras.models.cloning import clone_model
from minitf.keras.saving.saving_lib import load_model, model_from_json, save_model

__all__ = ["Model", "Sequential", "Functional", "load_model", "save_model", "clone_model", "model_from_json"]
