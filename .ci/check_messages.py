"""Fail when a translatable string in the code is missing from the Russian catalogue.

Runs `makemessages -l ru` on a copy of src/tamdesk and compares its msgids with the committed
src/tamdesk/locale/ru/LC_MESSAGES/django.po (which tests/test_translations.py checks is complete).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = "locale/ru/LC_MESSAGES/django.po"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tamdesk"
        shutil.copytree(ROOT / "src" / "tamdesk", copy, ignore=shutil.ignore_patterns("static"))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tamdesk.config.settings",
            "TAMDESK_HOME": tmp,
        }
        admin = Path(sys.executable).with_name("django-admin")
        subprocess.run(
            [str(admin), "makemessages", "-l", "ru", "--no-obsolete"],
            cwd=copy,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / PO))}
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(ROOT / "src" / "tamdesk" / PO))}
    missing = sorted(fresh - committed, key=str)
    if missing:
        print("Strings missing from the Russian catalogue (run `make messages` and translate):")
        for context, msgid in missing:
            print(f"  {msgid!r}" + (f" (context {context!r})" if context else ""))
        return 1
    print(f"Russian catalogue covers all {len(fresh)} strings.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
