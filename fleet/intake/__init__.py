"""The centre's legal-aid intake (docs/legal_aid.md).

``keys``: the centre's key pair (applications are sealed to its public key) and the
keyed hash of ID numbers. ``store``: applications opened from the delivered events,
their status and its history. ``web``: the intake page for legal-aid staff, its JSON API,
the public progress page, and the terminals' ``legal_aid.progress`` ask.
"""
