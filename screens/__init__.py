"""The Kivy touch-screen app: the shell, shared widgets, one module and one .kv file per
screen of the visit's skeleton, and one package per feature (``screens/<feature>/``: its
screens and its side in the app)."""
