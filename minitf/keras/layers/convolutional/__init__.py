"""Convolution layers: Conv1D, Conv2D, Conv1DTranspose, Conv2DTranspose, DepthwiseConv1D/2D, SeparableConv1D/2D,
and what they share (``base_conv``, ``base_conv_transpose``, ``base_depthwise_conv``, ``base_separable_conv``,
``_conv_args``)."""
