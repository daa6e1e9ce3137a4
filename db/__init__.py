"""PostgreSQL read model and registries: SQLAlchemy 2 models, sessions, repositories, migrations."""
