"""Links computing loss functions with learnable parameters."""
