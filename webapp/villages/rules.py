"""The size of a council (理事会), from the households of its group or site.

The article: “在每个村民小组按照30户以下3至5人、30到50户5至7人、50户以上7至9人的原则，成立村民
理事会”. So 30 and 50 households are both in the middle band (5 to 7 members): “30到50户”
includes its ends, “30户以下” means fewer than 30 and “50户以上” more than 50. Sites of
relocation projects follow the same rule by their households.
"""
from flask_babel import lazy_gettext as _l

# (fewest households, most households or None, fewest members, most members)
BANDS = ((0, 29, 3, 5), (30, 50, 5, 7), (51, None, 7, 9))


def council_size(households: int) -> tuple[int, int]:
    """The fewest and the most members a council may have for ``households``."""
    for low, high, fewest, most in BANDS:
        if households >= low and (high is None or households <= high):
            return fewest, most
    raise ValueError(f"households cannot be negative: {households}")


def size_problem(households: int, members: int):
    """Why a council of ``members`` does not fit ``households``, quoting the rule; or None.

    The one place the rule is applied: confirming a council, adding and removing members,
    and changing the households of a group or site whose council is confirmed."""
    fewest, most = council_size(households)
    if fewest <= members <= most:
        return None
    return _l("With %(households)d households a council must have %(fewest)d to %(most)d members; this one would "
              "have %(members)d. The rule: fewer than 30 households, 3 to 5 members; 30 to 50 households, 5 to 7; "
              "more than 50 households, 7 to 9.", households=households, fewest=fewest, most=most, members=members)


def households_problem(households: int, members: int):
    """Why the households of a group or site cannot change to ``households`` while its
    confirmed council has ``members``; or None."""
    fewest, most = council_size(households)
    if fewest <= members <= most:
        return None
    return _l("Its council has %(members)d members, but with %(households)d households it must have %(fewest)d to "
              "%(most)d. The rule: fewer than 30 households, 3 to 5 members; 30 to 50 households, 5 to 7; more "
              "than 50 households, 7 to 9. Return the council to forming and adjust its members first.",
              households=households, fewest=fewest, most=most, members=members)
