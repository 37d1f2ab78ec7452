"""⑤ Results in a long table: Run, CheckRun, Finding (SQLAlchemy + Alembic)."""
