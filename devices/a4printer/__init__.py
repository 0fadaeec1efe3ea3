"""The A4 document printer: CUPS through its own commands (``cups://QUEUE``), and a
simulator (``sim:``) that answers those commands the way CUPS does."""
