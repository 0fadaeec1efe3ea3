"""Audio: microphones (capture, WAV files, simulator) and speech output."""
