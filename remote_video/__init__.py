"""Remote video consultation, the terminal's side: the WebRTC call (aiortc on its own
loop thread), its media tracks, the bandwidth policy, the loopback self-test. The
centre's side (routing, signalling relay, the lawyer desk, recording) is fleet/desk/.
See docs/video.md."""
