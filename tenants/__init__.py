"""Which township a request belongs to, and what it may see.

Everything about tenant filtering lives in this package: the models (county, township,
membership), the scope (``tenant_scope``, ``all_tenants``, the ORM filter that fails
closed), PostgreSQL row-level security, and the CLI.
"""
