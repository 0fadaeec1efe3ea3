"""Service ratings (服务评价): five faces, optional reasons, anonymous.

The book (``kiosk.ratings.book``) records ratings; the visit's steps are the feature in
``kiosk.ratings.flow`` (registered in kiosk.bootstrap).
"""

from kiosk.ratings.book import BAD_REASONS, GOOD_REASONS, REASONS, SCORES, Rating, RatingBook, RatingError, Source

__all__ = ["BAD_REASONS", "GOOD_REASONS", "REASONS", "SCORES", "Rating", "RatingBook", "RatingError", "Source"]
