"""Tests of calling: the window console, the calling display, announcements, transfers."""
