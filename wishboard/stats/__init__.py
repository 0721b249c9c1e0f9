"""The community's numbers (统计, 述评公开, 通报) and the roll-up of a street or district:
figures per local month computed from the stored facts (wish events, claims, ratings,
service logs, activity check-ins, the points ledger), never stored twice; the SVG charts
that show them (``charts.py``)."""
