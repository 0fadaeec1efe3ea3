"""The terminal's fleet agent: presence, telemetry, events, commands, configuration.

Wiring (one call, from ``kiosk run``)::

    from fleet.agent import start_agent
    agent = start_agent(terminal, terminal.config.fleet, screenshot=..., restart=..., apply_config=...)
    ...
    agent.close()

``agent.py`` routes between the MQTT link (``link.py``) and the parts that do the work:
``outbox_pump.py``, ``config_apply.py``, ``command_runner.py`` (with the handlers in
``commands.py``), ``device_watch.py``, ``asks.py``; ``inbox.py`` holds the typed items
handed to its worker, ``loop.py`` the loop that drives many agents from one thread.
"""

from fleet.agent.agent import Agent, start_agent

__all__ = ["Agent", "start_agent"]
