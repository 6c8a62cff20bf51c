"""placeholder"""
from ..skips import Skip
NAME = "gpu"
TITLE = "GPU"
def run(ctx):
    raise Skip("no CuPy/GPU")
