"""The minitf course: runnable lessons (Jupytext percent-format files) and their runner.

``python -m lessons`` lists them; ``python -m lessons run 02`` runs one. See
``lessons/runner.py`` for the command line and ``lessons/_common.py`` for what
a lesson can rely on (fast mode, output folder, TensorFlow beside minitf).
"""
