"""Regularization layers: Dropout."""
