"""The wake word's side in the app (``ui.py``)."""
