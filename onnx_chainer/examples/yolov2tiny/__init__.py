"""YOLOv2-tiny export example."""
