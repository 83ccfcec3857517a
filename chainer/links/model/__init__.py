"""Model wrappers (Classifier)."""
