"""Links with learnable activation functions (PReLU, Maxout, Swish)."""
