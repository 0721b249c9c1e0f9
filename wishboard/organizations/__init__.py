"""Organisations that report themselves (组织报到), and the people who join them."""
