"""Accounts: people and their roles, sign-up and log-in, reporting (双报到) and resident
verification, API tokens."""
