"""The centre: the fleet store, the MQTT service, commands and configuration rollout."""
