"""The ``tamdesk`` command: every Django management command with tamdesk's settings
(``tamdesk migrate``, ``tamdesk createsuperuser``, ``tamdesk check``...), tamdesk's own
(``tamdesk serve``, ``tamdesk demo``) and ``tamdesk --version``.

An explicit ``DJANGO_SETTINGS_MODULE`` in the environment wins, for deployments that wrap the
settings in a module of their own.
"""

from __future__ import annotations

import os
import sys

from tamdesk import __version__

SETTINGS_MODULE = "tamdesk.config.settings"


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if argv[1:2] in (["--version"], ["version"]):
        print(f"tamdesk {__version__}")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
