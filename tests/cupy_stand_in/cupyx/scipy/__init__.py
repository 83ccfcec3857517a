"""``cupyx.scipy`` of the CuPy stand-in."""
from cupyx.scipy import special  # noqa: F401
