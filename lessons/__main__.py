"""``python -m lessons``: see lessons/runner.py."""
import os
import sys

from lessons.runner import main

status = main()
if "tensorflow" in sys.modules:
    # The lesson has written everything (figures, summary.json) and closed its files. Python's
    # normal shutdown with TensorFlow loaded takes about a second more (its modules and thread
    # pools torn down one by one), so a lesson that compared with TF exits at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
sys.exit(status)
