"""⑥ Judgement: pure functions over findings and a versioned rule profile (YAML)."""
