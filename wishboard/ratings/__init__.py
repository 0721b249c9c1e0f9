"""Ratings (群众点评) of finished service."""
