"""``python -m lessons``: see lessons/runner.py."""
import sys

from lessons.runner import main

sys.exit(main())
