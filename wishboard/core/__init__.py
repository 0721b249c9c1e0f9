"""Foundations every feature stands on: the database types and helpers, the schema
building blocks and the clock."""
