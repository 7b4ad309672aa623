"""Row counts of every table, to see that a refused request wrote nothing."""
from sqlalchemy import text

from tenants.scope import all_tenants
from webapp.extensions import db


def row_counts() -> dict[str, int]:
    """Every table's row count, in one statement, seeing every township (row-level security
    would hide the rows of any township not in scope)."""
    tables = [t.name for t in db.metadata.sorted_tables]
    columns = ", ".join(f'(SELECT count(*) FROM "{name}") AS "{name}"' for name in tables)
    with all_tenants():
        row = db.session.execute(text(f"SELECT {columns}")).one()
    db.session.expire_all()
    return dict(zip(tables, row))


def changed(before: dict, after: dict) -> dict:
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}
