"""Cameras: OpenCV capture (remote video) and a simulator."""
