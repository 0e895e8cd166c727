"""A throwaway PostgreSQL server for tests and benchmarks: ``initdb`` and ``pg_ctl`` in a
directory of one's own, on a free port, stopped at the end (issue 24).

    with Server(tmp_dir) as server:          # initdb (about 1 s), then pg_ctl start
        url = server.create_database()       # postgresql://backprop:<pw>@127.0.0.1:<port>/t_…
        server.kill(); server.restart()      # a crash (SIGKILL), and the same data back

The binaries are found by ``bin_dir()``: $BACKPROP_PG_BIN, else ``initdb`` on PATH, else
Debian's newest ``/usr/lib/postgresql/*/bin``. PostgreSQL refuses to run as root, so as root
the server runs as the ``postgres`` user (``nobody`` if there is none), through ``runuser``.
The cluster keeps durability real (fsync and synchronous_commit on): tests check that
nothing acknowledged is lost. A watcher process stops the server and removes what it made
if this Python process dies without stopping it (an exception, Ctrl-C, even SIGKILL).

As a script it starts a server in a temporary directory, prints its URL, password included
(a local throwaway server), and waits until Ctrl-C; for the deploy simulation and by hand:

    python benchmarks/postgres.py [--port 5433] [--host 127.0.0.2] [--max-connections 300]
    BACKPROP_DATABASE_URL=<the URL printed> make run
"""

import argparse
import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import free_port  # noqa: E402

USER = "backprop"
SOCKET_PATH_MAX = 107    # sun_path holds 108 bytes with its NUL
TOOLS = ("initdb", "pg_ctl", "postgres")
CONF = "backprop.conf"   # this module's settings, included at the end of postgresql.conf

# Run by the watcher: wait for EOF on stdin (the owner closed it, or died), then stop the
# server if it still runs and remove the directory made outside the caller's.
_WATCH = """
import json, os, shutil, subprocess, sys
sys.stdin.buffer.read()
stop, pidfile, remove = json.loads(sys.argv[1])
if os.path.exists(pidfile):
    subprocess.run(stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
if remove:
    shutil.rmtree(remove, ignore_errors=True)
"""


def bin_dir():
    """The directory holding initdb, pg_ctl and postgres, or None where there is none."""
    def holds_all(d):
        return d is not None and all(os.access(os.path.join(d, t), os.X_OK) for t in TOOLS)

    if os.environ.get("BACKPROP_PG_BIN"):
        d = os.environ["BACKPROP_PG_BIN"]
        return d if holds_all(d) else None
    on_path = shutil.which("initdb")
    if on_path:
        for d in (os.path.dirname(on_path), os.path.dirname(os.path.realpath(on_path))):
            if holds_all(d):
                return d

    def version(d):
        v = Path(d).parent.name
        return tuple(int(p) for p in v.split(".")) if v.replace(".", "").isdigit() else (0,)

    found = sorted((d for d in glob.glob("/usr/lib/postgresql/*/bin") if holds_all(d)),
                   key=version)
    return found[-1] if found else None


def _run_user():
    """The user to run PostgreSQL as: None (oneself) unless root, which PostgreSQL refuses."""
    if os.geteuid() != 0:
        return None
    if not shutil.which("runuser"):
        raise RuntimeError("running as root, and runuser (util-linux) is missing: PostgreSQL "
                           "refuses to run as root; run the tests as another user")
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    raise RuntimeError("running as root, and there is neither a 'postgres' nor a 'nobody' "
                       "user to run PostgreSQL as (it refuses to run as root): create one "
                       "(useradd --system postgres) or run the tests as another user")


class Server:
    """A PostgreSQL cluster in ``root_dir`` (a context manager: started on entry, stopped and
    cleaned up on exit). User ``backprop``, a random password, scram-sha-256 over TCP on
    ``host``:``port`` (a free port unless given)."""

    def __init__(self, root_dir, host="127.0.0.1", port=None, max_connections=200):
        self.root_dir = Path(root_dir)
        self.host = host
        self._port = port or free_port()
        self._auto_port = port is None
        self.max_connections = max_connections
        self.password = secrets.token_urlsafe(24)
        self.bin = bin_dir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (initdb/pg_ctl not found; "
                               "Debian: apt-get install postgresql)")
        self.run_user = _run_user()
        self.dir = None          # the cluster's own directory: data/, sock/, postgres.log
        self._private = None     # a directory made outside root_dir, removed on close()
        self._watcher = None

    # Life cycle ------------------------------------------------------------------------

    def start(self):
        """initdb, then start the server and wait until it accepts connections."""
        fresh = self.dir is None
        if fresh:
            self._make_dir()
            self._initdb()
            self._watch()
        for attempt in range(3):
            self._configure()
            if self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log_path)).returncode == 0:
                return self
            # A port picked by free_port can be taken before the server binds it: pick again
            # (on the first start only: a restart keeps its port).
            if not (fresh and self._auto_port) or attempt == 2 \
                    or "already in use" not in self.log_tail():
                break
            self._port = free_port()
        raise RuntimeError(f"PostgreSQL did not start on port {self.port}:\n"
                           + self.log_tail())

    def stop(self):
        """Stop the server (fast: connections are closed, then a clean shutdown)."""
        if self.running():
            done = self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60")
            if done.returncode != 0:
                raise RuntimeError(f"pg_ctl stop failed:\n{done.stdout}{done.stderr}")

    def kill(self):
        """SIGKILL the postmaster and every process of its server, a crash of PostgreSQL
        (the operating system and its cache live on), and wait until they are gone;
        ``restart()`` then recovers from the WAL."""
        pid = self._postmaster_pid()
        if pid is None:
            return
        pids = []
        if _alive(pid):
            # Stopped, the postmaster forks no new backend while its children are listed.
            os.kill(pid, signal.SIGSTOP)
            pids = [pid, *_children(pid)]
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in pids):
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL processes {pids} outlived SIGKILL")
            time.sleep(0.02)
        # The lock files name the dead postmaster; where nothing reaps zombies (a container
        # whose PID 1 does not), its PID still answers kill(pid, 0) and the next start
        # would refuse. Every process of the server is gone: the locks are stale.
        (self.dir / "data" / "postmaster.pid").unlink(missing_ok=True)
        (self.dir / "sock" / f".s.PGSQL.{self.port}.lock").unlink(missing_ok=True)

    def restart(self):
        """Start again on the same directory and port (after ``stop()`` or ``kill()``)."""
        self.stop()
        return self.start()

    def close(self):
        """Stop the server, the watcher, and remove a directory made outside root_dir."""
        try:
            self.stop()
        finally:
            if self._watcher is not None:
                self._watcher.stdin.close()
                self._watcher.wait(90)
                self._watcher = None
            if self._private:
                shutil.rmtree(self._private, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()

    # What clients need -----------------------------------------------------------------

    @property
    def port(self):
        return self._port

    @property
    def log_path(self):
        return self.dir / "postgres.log"

    def url(self, dbname="postgres", password=None):
        """postgresql://backprop:<password>@host:port/dbname; ``password`` (percent-encoded)
        defaults to the server's own, "" leaves it out."""
        pw = self.password if password is None else password
        auth = USER + (":" + urllib.parse.quote(pw, safe="") if pw else "")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgresql://{auth}@{host}:{self.port}/{urllib.parse.quote(dbname, safe='')}"

    def create_database(self, name=None):
        """A new empty database (a unique name unless given); returns its URL."""
        name = name or f"t_{secrets.token_hex(6)}"
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def running(self):
        pid = self._postmaster_pid()
        return pid is not None and _alive(pid)

    def log_tail(self, chars=3000):
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except (OSError, TypeError):
            return ""

    # The rest --------------------------------------------------------------------------

    def _as_user(self, cmd):
        return ["runuser", "-u", self.run_user, "--", *cmd] if self.run_user else cmd

    def _run(self, cmd):
        # cwd: the run user may not be allowed into this process's working directory.
        return subprocess.run(self._as_user(cmd), cwd=self.dir, capture_output=True, text=True,
                              timeout=120)

    def _pg_ctl(self, *args):
        return self._run([os.path.join(self.bin, "pg_ctl"), "-D", str(self.dir / "data"),
                          *args])

    def _make_dir(self):
        self.root_dir.mkdir(parents=True, exist_ok=True)
        if self.run_user and not self._reachable(self.root_dir):
            # pytest's temporary directories are private to root (0700): the run user cannot
            # enter them. The cluster goes to /tmp, linked from root_dir for its log.
            self._private = Path(tempfile.mkdtemp(prefix="backprop-pg-"))
            self.dir = self._private
            link = self.root_dir / "postgres"
            if not link.exists():
                link.symlink_to(self.dir)
        else:
            self.dir = self.root_dir / "postgres"
            self.dir.mkdir(exist_ok=True)
        (self.dir / "sock").mkdir(exist_ok=True)
        if self.run_user:
            for p in (self.dir, self.dir / "sock"):
                shutil.chown(p, self.run_user)

    def _reachable(self, path):
        return subprocess.run(["runuser", "-u", self.run_user, "--", "test", "-x", str(path)],
                              capture_output=True).returncode == 0

    def _initdb(self):
        pwfile = self.dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self.run_user:
            shutil.chown(pwfile, self.run_user)
        try:
            done = self._run([os.path.join(self.bin, "initdb"), "-D", str(self.dir / "data"),
                              "-A", "scram-sha-256", "-U", USER, "--pwfile", str(pwfile),
                              "--no-sync", "-E", "UTF8", "--locale=C"])
        finally:
            pwfile.unlink(missing_ok=True)
        if done.returncode != 0:
            who = f" (as user {self.run_user})" if self.run_user else ""
            raise RuntimeError(f"initdb failed{who}:\n{done.stdout}{done.stderr}")
        with open(self.dir / "data" / "postgresql.conf", "a") as f:
            f.write(f"\ninclude_if_exists = '{CONF}'\n")

    def _configure(self):
        """Settings in the cluster's own file, so that a restart by hand gets them too."""
        sock = self.dir / "sock"
        room = len(str(sock)) + len("/.s.PGSQL.65535.lock") <= SOCKET_PATH_MAX
        settings = {
            "port": self.port,
            "listen_addresses": self.host,
            "unix_socket_directories": str(sock) if room else "",   # TCP alone if too long
            "max_connections": self.max_connections,
            "fsync": "on",
            "synchronous_commit": "on",
            "shared_buffers": "32MB",
        }
        lines = [f"{k} = '{str(v).replace(chr(39), chr(39) * 2)}'" for k, v in settings.items()]
        conf = self.dir / "data" / CONF
        conf.write_text("# Written by benchmarks/postgres.py on every start.\n"
                        + "\n".join(lines) + "\n")
        if self.run_user:
            shutil.chown(conf, self.run_user)

    def _postmaster_pid(self):
        try:
            return int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, IndexError, ValueError, TypeError):
            return None

    def _watch(self):
        stop = self._as_user([os.path.join(self.bin, "pg_ctl"), "-D", str(self.dir / "data"),
                              "-m", "immediate", "-w", "stop"])
        args = json.dumps([stop, str(self.dir / "data" / "postmaster.pid"),
                           str(self._private or "")])
        self._watcher = subprocess.Popen([sys.executable, "-c", _WATCH, args],
                                         stdin=subprocess.PIPE, cwd=self.dir,
                                         start_new_session=True,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _children(pid):
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(Path(stat).parent.name))
    return out


def _alive(pid):
    """Running, not a zombie (a dead process nobody has reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@contextlib.contextmanager
def class_database(kind, state, name):
    """The class store of a benchmark, in ``state``: ``kind`` "sqlite" (a file) or
    "postgres" (a server of its own, database ``name``). Yields (the store's location, the
    environment that gives it to deploy/run.sh, what it is, e.g. "PostgreSQL 15.18", the
    server or None)."""
    if kind == "sqlite":
        where = str(Path(state) / "class.sqlite3")
        yield where, {"BACKPROP_CLASS_DB": where}, "SQLite", None
        return
    with Server(Path(state) / "pg") as server:
        where = server.create_database(name)
        with psycopg.connect(where, connect_timeout=10) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        yield where, {"BACKPROP_DATABASE_URL": where}, f"PostgreSQL {version}", server


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int)
    ap.add_argument("--max-connections", type=int, default=200)
    args = ap.parse_args(argv)
    # SIGTERM as Ctrl-C: the with-blocks below stop the server and remove its data.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with tempfile.TemporaryDirectory(prefix="backprop-pg-run-") as tmp:
        t0 = time.monotonic()
        with Server(tmp, args.host, args.port, args.max_connections) as server:
            up = time.monotonic() - t0
            with psycopg.connect(server.url()) as conn:
                version = conn.execute("SHOW server_version").fetchone()[0]
            print(f"PostgreSQL {version} ({server.bin}) up in {up:.1f} s, data in {server.dir}")
            print(server.url(), flush=True)
            print("Ctrl-C stops it and removes its data.", flush=True)
            try:
                signal.pause()
            except KeyboardInterrupt:
                print()


if __name__ == "__main__":
    main()
