"""Likely duplicates at intake (疑似重复登记): the earlier cases of the party being registered.

A party is the same when they have the same ID number, or the same phone, or the same name in
the same village; the earlier case counts while it is open or for ``WINDOW`` after it closed.
ID numbers and phones are compared by their keyed hashes (``Party.id_number_hash``,
``Party.phone_hash``, indexed with the township), never by decrypting the parties. Cases are
read through ``visible_cases()``: the township's own, explicitly.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask import g
from flask.cli import AppGroup
from sqlalchemy import Text, and_, or_, select, type_coerce
from sqlalchemy.orm import joinedload

from tenants.scope import all_tenants
from webapp.cases.access import visible_cases
from webapp.cases.models import Case, CaseState, Party
from webapp.extensions import db
from webapp.keys import after_rotation
from webapp.personal_data import decrypt, lookup_hashes, stored_lookup_hash

WINDOW = timedelta(days=90)  # a case closed longer ago than this is no likely duplicate
SHOWN = 10
FINAL_STATES = (CaseState.CLOSED, CaseState.ARCHIVED)


@dataclass
class Match:
    case: Case
    reasons: list = field(default_factory=list)  # "id_number", "phone", "name_village", in that order


def likely_duplicates(*, name: str | None, phone: str | None, id_number: str | None, village_id: int | None,
                      now: datetime) -> list[Match]:
    """The open or recently closed cases with a party who is likely the one being registered,
    newest first, each with what matched."""
    id_hashes = lookup_hashes("id_number", id_number)
    phone_hashes = lookup_hashes("phone", phone)
    name = (name or "").strip()
    found = []
    if id_hashes:
        found.append(Party.id_number_hash.in_(id_hashes))
    if phone_hashes:
        found.append(Party.phone_hash.in_(phone_hashes))
    if name and village_id:
        found.append(and_(Party.name == name, Case.village_id == village_id))
    if not found:
        return []
    still_counts = or_(Case.state.not_in(FINAL_STATES), Case.closed_at >= now - WINDOW)
    query = (visible_cases()
             .join(Party, Party.case_id == Case.id)
             .where(Party.tenant_id == g.tenant.id, or_(*found), still_counts)
             .add_columns(Party.id_number_hash, Party.phone_hash, Party.name)
             .options(joinedload(Case.village))
             .order_by(Case.id.desc()))
    matches: dict[int, Match] = {}
    for case, party_id_hash, party_phone_hash, party_name in db.session.execute(query).unique():
        match = matches.get(case.id)
        if match is None:
            if len(matches) == SHOWN:
                continue
            match = matches[case.id] = Match(case)
        if party_id_hash and party_id_hash in id_hashes:
            match.reasons.append("id_number")
        if party_phone_hash and party_phone_hash in phone_hashes:
            match.reasons.append("phone")
        if name and village_id and party_name == name and case.village_id == village_id:
            match.reasons.append("name_village")
    for match in matches.values():
        match.reasons = [r for r in ("id_number", "phone", "name_village") if r in match.reasons]
    return list(matches.values())


# -- the stored hashes, computed again ----------------------------------------------------------


@after_rotation
def rehash_parties(batch: int = 500) -> dict[str, int]:
    """Compute every party's lookup hashes again under the newest DATA_KEY, in every township,
    ``batch`` parties to a transaction: after ``flask keys rotate`` (which calls this), and for
    parties stored while the hashes were not kept. A hash already right is left alone, so running
    it again changes nothing more."""
    table = Party.__table__
    count, last = 0, None
    with all_tenants():
        while True:
            query = select(table.c.id, type_coerce(table.c.id_number, Text), type_coerce(table.c.phone, Text),
                           table.c.id_number_hash, table.c.phone_hash).order_by(table.c.id).limit(batch)
            if last is not None:
                query = query.where(table.c.id > last)
            rows = db.session.execute(query).all()
            if not rows:
                break
            for party_id, id_token, phone_token, id_hash, phone_hash in rows:
                fresh = {"id_number_hash": stored_lookup_hash("id_number", decrypt(id_token) if id_token else None),
                         "phone_hash": stored_lookup_hash("phone", decrypt(phone_token) if phone_token else None)}
                if (fresh["id_number_hash"], fresh["phone_hash"]) != (id_hash, phone_hash):
                    db.session.execute(table.update().where(table.c.id == party_id).values(fresh))
                    count += 1
            db.session.commit()
            last = rows[-1][0]
    return {"parties (lookup hashes)": count}


cli = AppGroup("parties", help="The parties of the cases.")


@cli.command("rehash")
@click.option("--batch", default=500, show_default=True, help="Parties per transaction.")
def rehash_command(batch):
    """Compute the parties' lookup hashes (likely duplicates at intake) again, in every township."""
    for what, count in rehash_parties(batch).items():
        click.echo(f"{what}: {count} rows recomputed")
