"""Remote video consultation: the terminal's WebRTC call and the centre's lawyer desk."""
