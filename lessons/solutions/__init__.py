"""Worked solutions of the checked exercises: ``python -m lessons check NN --solutions`` runs the checks on them."""
