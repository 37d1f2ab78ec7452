"""① What to inspect: sites and new-media accounts under supervision."""
