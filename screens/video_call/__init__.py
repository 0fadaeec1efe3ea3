"""The video call's screens (one per ``VideoCallState``) and its side in the app."""
