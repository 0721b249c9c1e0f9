"""The year-end selection (年度评选) with its 公示, and the certificates it gives."""
