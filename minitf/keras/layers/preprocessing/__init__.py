"""Preprocessing layers: Rescaling, Normalization, CategoryEncoding, StringLookup/IntegerLookup,
TextVectorization, and the image layers (Resizing, CenterCrop, the random augmentations; RandomCrop and
RandomBrightness, in image_augmentation.py, draw Keras's random numbers)."""
