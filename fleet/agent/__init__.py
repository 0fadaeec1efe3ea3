"""The terminal's fleet agent: presence, telemetry, events, commands, configuration.

Wiring (one call, from ``kiosk run``)::

    from fleet.agent import start_agent
    agent = start_agent(terminal, terminal.config.fleet, screenshot=..., restart=..., apply_config=...)
    ...
    agent.close()
"""

from fleet.agent.agent import Agent, start_agent

__all__ = ["Agent", "start_agent"]
