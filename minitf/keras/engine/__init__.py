"""The machinery behind ``keras.Model``: symbolic tensors and nodes, the functional graph,
Sequential, the training loop (compile/fit/evaluate/predict) and the summary.

Public names are re-exported by ``minitf.keras.models``; this package imports nothing eagerly
so that ``minitf.keras.layers`` can use the symbolic pieces without a cycle.
"""
