"""Legal aid's screens (one per ``LegalAidState``) and its side in the app."""
