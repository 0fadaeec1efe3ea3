"""Remote mediation (远程调解) as a feature of the visit: a party invited at this
terminal consents to recording, is identified by ID card and joins the session's room;
the agreement is shown, read aloud on request and signed with a finger. The media run
behind ``RoomMedia`` (remote_video/sfu, made by the app's side); the core never imports it."""
