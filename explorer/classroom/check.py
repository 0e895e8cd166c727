"""Is the class database usable as this host is configured? Run before serving:

    python -m explorer.classroom.check

It reads the settings the app reads (BACKPROP_DATABASE_URL, else BACKPROP_CLASS_DB, as
environment variables or in .streamlit/secrets.toml), connects, creates or migrates the
schema, and prints one line: which database and its schema version, exit status 0; or why
it cannot be used (a malformed address, a server that does not answer, a user or password
refused, a schema newer than this app), exit status 2. deploy/run.sh runs it before it
starts any replica, so that a bad setting starts nothing. No password is ever printed.
"""

import sqlite3
import sys

from .host import setting
from .records import StoreConfigError
from .store import Store, location


def main():
    try:
        with Store(location(setting)) as s:
            print(f"class store: {s.describe()}, schema version {s.version()}")
        return 0
    except StoreConfigError as e:
        print(f"error: the class store cannot be used: {e}", file=sys.stderr)
    except sqlite3.Error:
        print("error: the class store cannot be used: the SQLite file cannot be opened or "
              "written (check BACKPROP_CLASS_DB and that this user may write its folder).",
              file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
