"""Device adapters: one package per kind of device (real driver, simulator, codec)."""
