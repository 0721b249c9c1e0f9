"""Scheduled work: the sweep (stale-work policy), its lease, and the scheduler."""
