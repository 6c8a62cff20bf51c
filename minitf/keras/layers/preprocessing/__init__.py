"""Preprocessing layers: Rescaling, Normalization, CategoryEncoding, StringLookup/IntegerLookup,
TextVectorization, and the image layers (Resizing, CenterCrop, the random augmentations; RandomCrop,
RandomBrightness, RandomGrayscale, RandomInvert and Solarization are in image_augmentation.py)."""
