"""Wishes (微心愿 / 服务项目) and claims: publishing, the state machine, claiming, releasing,
completing, confirming hours, closing, and the wish page's story.

``services.py`` the moves (re-exporting the rest), ``hours.py`` the hours policy,
``board.py`` reading and the tallies, ``records.py`` what they share, ``events.py`` the
hooks the features above listen to (``left_open``)."""
