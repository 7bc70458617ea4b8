"""Persistence for cbecwatch: SQLAlchemy 2.x models, Alembic migrations and the code that reads
and writes notices, their versions, extracted facts and crawl runs.

SQLite (WAL mode) in the data directory is the default; any SQLAlchemy URL works through
``CBECWATCH_DATABASE_URL`` (PostgreSQL via ``postgresql+psycopg://`` in production).
"""
