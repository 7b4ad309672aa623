"""What a case file must hold before it may be archived (卷宗归档)."""
from flask_babel import lazy_gettext as _l

from webapp.cases.models import CaseState, ReferralStatus
from webapp.documents.operations import case_file_problem


def missing_parts(case, **case_file) -> list:
    """The required parts this case's file still lacks, as sentences for the director.
    ``newest_file=`` hands over the case's newest case file when the caller has read it."""
    missing = []
    if not case.parties:
        missing.append(_l("no party is recorded"))
    if case.difficulty is None:
        missing.append(_l("the case was never assessed"))
    reached_agreement = case.agreement is not None or case.resolved_at is not None
    if reached_agreement:
        # A department that resolved a referred case sends its result back instead.
        resolved_by_department = any(r.status == ReferralStatus.SUCCEEDED and r.result for r in case.referrals)
        if case.agreement is None and not resolved_by_department:
            missing.append(_l("no mediation agreement"))
        if not any(f.done_at for f in case.follow_ups):
            missing.append(_l("no follow-up visit record"))
    mediated_here = any(e.to_state == CaseState.MEDIATING for e in case.events)
    if mediated_here and not case.sessions and not case.referrals:
        missing.append(_l("no record of a mediation session"))

    problem = case_file_problem(case, **case_file)
    if problem is not None:
        missing.append(problem)
    return missing
