"""The periodic schedule, read by the ``scheduler`` process (``rq cron worker.schedule``)."""
from rq import cron

from worker.jobs import (
    refresh_figures, render_documents_missing_font, render_waiting_documents, send_notifications, sweep_deadlines,
    sweep_sessions,
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
# A document that failed for want of a Chinese font is rendered again once one is installed.
cron.register(render_documents_missing_font, queue_name="slow", interval=300, name="render_documents_missing_font")
