"""The SQL store: SQLite (embedded default) and PostgreSQL."""
