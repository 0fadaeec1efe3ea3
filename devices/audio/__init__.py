"""Audio: microphones (PortAudio capture, WAV files, simulator), voice-activity
endpointing, offline recognition (Vosk), listening on a worker, and speech output
(espeak-ng, simulator). Heavy libraries (sounddevice, vosk) load only when used."""
