"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, and what they share (``base_conv``, ``_conv_args``)."""
