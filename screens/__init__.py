"""The Kivy touch-screen app: one module and one .kv file per screen."""
