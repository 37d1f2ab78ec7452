"""Week-long availability monitoring (站点无法访问): a sampler that probes every running site's homepage
at spread intervals and stores each probe, and the queries that read a window of samples back."""
