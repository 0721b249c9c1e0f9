"""Activities (活动参与): sign-up, waiting list and check-in."""
