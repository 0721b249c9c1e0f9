"""Positive-energy points (正能量值): the rules, the ledger, the running totals, the
honour boards and the annual commendation."""
