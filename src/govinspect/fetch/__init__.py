"""② Getting bytes: async client, per-host politeness, SSRF guard, charset, crawl plan."""
