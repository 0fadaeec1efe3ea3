"""``kiosk-install``: turn a fresh Debian 12 machine with a touch screen into a Legal
Kiosk terminal in one step (docs/terminal.md), and undo it.

It never imports Kivy or the device drivers: it runs as root before any of that is set
up, and the import contracts in pyproject.toml keep it so.
"""
