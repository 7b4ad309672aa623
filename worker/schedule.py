"""The periodic schedule, read by the ``scheduler`` process (``rq cron worker.schedule``)."""
from rq import cron

from worker.jobs import sweep_sessions

cron.register(sweep_sessions, queue_name="default", interval=300, name="sweep_sessions")
