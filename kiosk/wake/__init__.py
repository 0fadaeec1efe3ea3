"""The wake word: on the attract screen the terminal listens for its name and starts
voice mode when it hears it (docs/voice.md, "Wake word")."""
