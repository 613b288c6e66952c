"""Persistence: SQLAlchemy models, engine and unit of work, migrations, repositories."""
