"""Convolution layers: Conv1D, Conv2D, Conv1DTranspose, Conv2DTranspose, and what they share (``base_conv``,
``base_conv_transpose``, ``_conv_args``)."""
