"""``minitf.keras.callbacks``, as ``tf.keras.callbacks``: hooks into fit/evaluate/predict.

Their decisions (when to stop, when to cut the learning rate, when to save) follow Keras 3's
code line by line; see each file.
"""
from minitf.keras.callbacks.callback import Callback
from minitf.keras.callbacks.callback_list import CallbackList
from minitf.keras.callbacks.csv_logger import CSVLogger
from minitf.keras.callbacks.early_stopping import EarlyStopping
from minitf.keras.callbacks.history import History
from minitf.keras.callbacks.lambda_callback import LambdaCallback
from minitf.keras.callbacks.learning_rate_scheduler import LearningRateScheduler
from minitf.keras.callbacks.model_checkpoint import ModelCheckpoint
from minitf.keras.callbacks.monitor_callback import MonitorCallback
from minitf.keras.callbacks.progbar_logger import ProgbarLogger
from minitf.keras.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from minitf.keras.callbacks.tensorboard import TensorBoard
from minitf.keras.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping", "LearningRateScheduler",
           "ReduceLROnPlateau", "ModelCheckpoint", "CSVLogger", "LambdaCallback", "TerminateOnNaN",
           "MonitorCallback", "TensorBoard"]
