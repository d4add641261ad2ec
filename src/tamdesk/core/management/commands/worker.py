"""``tamdesk worker``: the consumer of background jobs, with the scheduler of the periodic jobs.

Run one per machine (several with Redis); ``tamdesk serve`` starts one itself unless given
``--no-worker``. Options are huey's consumer options (``tamdesk worker --help``); the defaults
come from settings.HUEY["consumer"]."""

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = (
        "Run the background worker: deliver notifications, run the periodic jobs. "
        "Uses Redis when TAMDESK_REDIS_URL is set, else the queue file in TAMDESK_HOME."
    )
