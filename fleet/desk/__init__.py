"""The lawyer desk: video consultation at the centre (routing, signalling relay,
recording, the desk web page). See docs/video.md."""
