"""Needs (需求征集): what residents ask for before a secretary publishes it."""
