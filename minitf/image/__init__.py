"""``minitf.image``, as ``tf.image``: decode image files, resize, convert, flip and adjust images.

    img = tf.io.read_file("pizza_steak/test/steak/0001.jpg")
    img = tf.image.decode_image(img, channels=3)           # (h, w, 3) uint8
    img = tf.image.resize(img, [224, 224]) / 255.           # (224, 224, 3) float32 in [0, 1]

Images are channels-last: (height, width, channels), or a batch (batch, height, width, channels).
Decoding goes through Pillow (``codecs.py``); everything else is minitf ops (``resizing.py``,
``color.py``, ``hsv.py``, ``flips.py``, ``cropping.py``, ``measures.py``, ``patches.py``), so float images keep
their gradients.
"""
from minitf.image.codecs import (decode_bmp, decode_gif, decode_image, decode_jpeg, decode_png, encode_jpeg,
                                 encode_png, is_jpeg)
from minitf.image.color import (adjust_brightness, adjust_contrast, adjust_gamma, convert_image_dtype,
                                grayscale_to_rgb, per_image_standardization, random_brightness, random_contrast,
                                rgb_to_grayscale, rgb_to_yiq, rgb_to_yuv, stateless_random_brightness,
                                stateless_random_contrast, yiq_to_rgb, yuv_to_rgb)
from minitf.image.measures import image_gradients, psnr, sobel_edges, ssim, total_variation
from minitf.image.patches import extract_patches
from minitf.image.cropping import (central_crop, crop_to_bounding_box, pad_to_bounding_box, random_crop,
                                   resize_with_crop_or_pad, rot90, stateless_random_crop, transpose)
from minitf.image.flips import (flip_left_right, flip_up_down, random_flip_left_right, random_flip_up_down,
                                stateless_random_flip_left_right, stateless_random_flip_up_down)
from minitf.image.hsv import (adjust_hue, adjust_saturation, hsv_to_rgb, random_hue, random_saturation, rgb_to_hsv,
                              stateless_random_hue, stateless_random_saturation)
from minitf.image.resizing import ResizeMethod, resize, resize_with_pad

__all__ = ["ResizeMethod", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue", "adjust_saturation",
           "central_crop", "convert_image_dtype", "crop_to_bounding_box", "decode_bmp", "decode_gif", "decode_image",
           "decode_jpeg", "decode_png", "encode_jpeg", "encode_png", "flip_left_right", "flip_up_down",
           "grayscale_to_rgb", "hsv_to_rgb", "is_jpeg", "pad_to_bounding_box", "per_image_standardization",
           "random_brightness", "random_contrast", "random_crop", "random_flip_left_right", "random_flip_up_down",
           "random_hue", "random_saturation", "resize", "resize_with_crop_or_pad", "rgb_to_grayscale", "rgb_to_hsv",
           "rot90", "transpose", "image_gradients", "psnr", "sobel_edges", "total_variation", "rgb_to_yiq",
           "rgb_to_yuv", "yiq_to_rgb", "yuv_to_rgb", "ssim", "resize_with_pad", "stateless_random_brightness",
           "stateless_random_contrast", "stateless_random_crop", "stateless_random_flip_left_right",
           "stateless_random_flip_up_down", "stateless_random_hue", "stateless_random_saturation", "extract_patches"]
