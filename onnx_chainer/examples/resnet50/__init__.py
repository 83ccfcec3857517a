"""ResNet-50 export example."""
