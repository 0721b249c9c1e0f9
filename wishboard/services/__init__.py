"""Use cases: one public function each, and the only code that commits."""
