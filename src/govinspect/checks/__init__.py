"""④ The indicators: one small declared class per check id. See :mod:`govinspect.checks.registry`."""
