"""The rating screens (one per ``RatingState``) and their side in the app."""
