"""Links for elementwise math with learnable parameters (Bias, Scale)."""
