"""Preprocessing layers: Rescaling, Normalization, CategoryEncoding, StringLookup/IntegerLookup,
TextVectorization, and the image layers (Resizing, CenterCrop, the random augmentations)."""
