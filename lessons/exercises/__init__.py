"""Exercises a learner can check: ``python -m lessons check NN``.

Each lesson's last cell lists its exercises; those marked "(checked)" have a function to write
in ``lessons/exercises/NN_answers.py``. The first ``python -m lessons check NN`` copies the
template (``lessons/exercises/templates/NN_answers.py``: every function stubbed with
``raise NotImplementedError``) to that file; each later run imports the learner's file and runs
the lesson's checks (``lessons/exercises/checks_NN.py``) on it, one line per exercise: ok,
FAIL with what was expected and what came back, or "not answered yet". Worked solutions are
shipped separately, in ``lessons/solutions/NN_answers.py``; ``python -m lessons check NN
--solutions`` runs the checks on them. Part A's checks (lessons 01 to 04) judge hand-written
derivatives with ``minitf.testing.gradcheck``: the learner's derivative becomes the backward
pass of an op, and central differences say whether it is right.
"""
