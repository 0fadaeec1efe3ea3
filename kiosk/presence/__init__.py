"""Presence: the terminal notices a person in front of it (camera, anonymous).

``tracker`` turns what the detector sees in each frame into approaching / engaging /
leaving; ``feature`` is the kiosk side (greeting, idle wait, footfall). The detector
itself (OpenCV + a face model) lives in ``devices/camera/presence.py``: the core never
sees a frame's pixels.
"""
