"""Scale-out mode: Celery workers on Redis with PostgreSQL, giving the results of the one-machine mode.

- ``app.py``: ``create_app(settings)`` (the Celery app, built from Settings), the start-up checks and
  ``start_worker`` (``govinspect worker``).
- ``tasks.py``: ``govinspect.inspect_site`` — one site of a stored run through ``pipeline.run_site``.
- ``dispatch.py``: ``run_distributed`` (``govinspect inspect --distributed``) — enqueue, follow the
  database, write the outputs.
- ``link_cache.py``: the run's link cache in Redis, shared by every worker.
"""
