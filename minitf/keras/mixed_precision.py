"""``tf.keras.mixed_precision`` (Keras 3's legacy names): dtype policies and loss scaling.

    from tensorflow.keras import mixed_precision
    mixed_precision.set_global_policy("mixed_float16")   # float16 computation, float32 weights
    mixed_precision.global_policy()                       # <DTypePolicy "mixed_float16">

See ``dtype_policies.py`` (policies, autocasting) and ``optimizers/loss_scale_optimizer.py``.
"""
from minitf.keras.dtype_policies import (DTypePolicy, Policy, dtype_policy, global_policy, set_dtype_policy,
                                         set_global_policy)
from minitf.keras.optimizers.loss_scale_optimizer import LossScaleOptimizer

__all__ = ["DTypePolicy", "Policy", "LossScaleOptimizer", "dtype_policy", "global_policy", "set_dtype_policy",
           "set_global_policy"]
