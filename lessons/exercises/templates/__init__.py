"""Templates of the answers files: ``python -m lessons check NN`` copies NN_answers.py from here."""
