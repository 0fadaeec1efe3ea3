"""ID card reader (second-generation resident ID card SAM readers, serial protocol).

Modules: ``codec`` (pure framing and decoding), ``driver`` (pyserial driver and polling
state machine), ``simulator`` (the reader simulated on a pty or TCP), ``adapter`` (the
``CardReader`` port and the registry's factories). Nothing is imported here, so
importing the package costs nothing and opens nothing.
"""
