"""The periodic schedule, read by the ``scheduler`` process (``rq cron worker.schedule``)."""
from rq import cron

from worker.jobs import (
    archive_audit_log, refresh_figures, render_documents_missing_font, render_waiting_documents, send_notifications, sweep_deadlines,
    sweep_sessions, take_nightly_backup,
)

cron.register(sweep_sessions, queue_name="default", interval=300, name="sweep_sessions")
cron.register(sweep_deadlines, queue_name="default", interval=300, name="sweep_deadlines")
# Every open case, not only the due ones: when the scheduler starts (after an outage, say) and
# once a day, so that a case whose watch went wrong is found within a day at the latest.
cron.register(sweep_deadlines, queue_name="default", kwargs={"full": True}, interval=86400,
              name="sweep_deadlines_full")
cron.register(send_notifications, queue_name="default", interval=300, name="send_notifications")
cron.register(refresh_figures, queue_name="slow", interval=300, name="refresh_figures")
cron.register(render_waiting_documents, queue_name="slow", interval=300, name="render_waiting_documents")
# The nightly backup: the job itself knows the hour (BACKUP_SCHEDULE, Beijing time) and whether
# that night's is taken, so a scheduler that was down at the hour catches up within 15 minutes.
cron.register(take_nightly_backup, queue_name="slow", interval=900, job_timeout=4 * 3600,
              name="take_nightly_backup")
# A document that failed for want of a Chinese font is rendered again once one is installed.
cron.register(render_documents_missing_font, queue_name="slow", interval=300, name="render_documents_missing_font")
# The audit log's months past the retention (180 days at least) go to signed archive files.
cron.register(archive_audit_log, queue_name="slow", interval=86400, name="archive_audit_log")
