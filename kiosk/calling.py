"""Kept for the calling display's screens, which import it by this name: the queue-call
announcements live in ``kiosk.announce``."""

from kiosk.announce import ANNOUNCE_KEY, Announcer, CallAnnounced, CallAnnouncements, CallWatcher, DisplaySnapshot, display_snapshot

__all__ = ["ANNOUNCE_KEY", "Announcer", "CallAnnounced", "CallAnnouncements", "CallWatcher", "DisplaySnapshot", "display_snapshot"]
