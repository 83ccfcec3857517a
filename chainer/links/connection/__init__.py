"""Links wrapping connection functions (Linear, EmbedID, Bilinear, ...)."""
