"""minitf's benchmark harness: minitf against TensorFlow and hand-written NumPy.

Run ``python -m benchmarks --help``. The pieces: :mod:`.measure` (interleaved,
calibrated timing), :mod:`.stats` (medians, spreads, ratios), :mod:`.models` (the
models, written once as functions of the framework module), :mod:`.cases` (one module
per benchmark), :mod:`.runner`, :mod:`.report` and :mod:`.storage` (results on disk).
"""
