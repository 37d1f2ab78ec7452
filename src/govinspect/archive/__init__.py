"""③ What we saw, immutable: one WARC file per site run; PageView parsed once and shared by checks."""
