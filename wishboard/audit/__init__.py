"""The audit log: who changed what or looked at whose private details, and from where."""
