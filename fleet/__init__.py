"""Fleet management over MQTT: the terminal's agent and the centre's service."""
