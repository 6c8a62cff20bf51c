"""Reshaping layers: Flatten, Reshape, ZeroPadding2D, UpSampling2D, Cropping2D."""
