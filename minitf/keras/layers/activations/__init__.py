"""Activation layers: ``Activation`` (a function as a layer) and layers that are one activation."""
