"""The window console: a web page, served by the terminal, for staff at the windows of
its site to call tickets (aiohttp; all queue logic stays in ``kiosk.queue``)."""
