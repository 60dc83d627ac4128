"""Run the web server, a Celery worker with embedded beat, and a worker for imports and restores.

The two workers take one task at a time each (two cores are plenty): the
first serves follow-ups, digests and test jobs; the second only the
"transfer" queue, so a big import or restore never keeps the first waiting.
Used by `make run`. Each child runs in its own process group; Ctrl-C (or
SIGTERM) stops them all, and if one child dies the others are stopped too.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_TIMEOUT_SECONDS = 15


def start(name: str, argv: list[str]) -> subprocess.Popen:
    print(f"[run] starting {name}: {' '.join(argv)}", flush=True)
    return subprocess.Popen(argv, cwd=BASE_DIR, start_new_session=True)


def stop_all(children: dict[str, subprocess.Popen]) -> None:
    """Ask each child to stop, then kill whatever is left of its process group.

    The Celery worker gets SIGTERM on its main process only (a warm shutdown
    that lets its pool finish the current task); runserver's autoreloader
    child is reached through the group.
    """
    for name, proc in children.items():
        if proc.poll() is None:
            if name.startswith("worker"):
                proc.send_signal(signal.SIGTERM)
            else:
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for name, proc in children.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"[run] {name} did not stop in time; killing it", flush=True)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    python = sys.executable
    var_dir = Path(os.environ.get("JINMYAKU_VAR_DIR", BASE_DIR / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    children = {
        "web": start("web", [python, "manage.py", "runserver", f"{args.host}:{args.port}"]),
        "worker": start(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "networking",
                "worker",
                "--beat",
                "--schedule",
                str(var_dir / "celerybeat-schedule"),
                "-Q",
                "celery",
                "-n",
                "main@%h",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
        ),
        "worker-transfer": start(
            "worker-transfer",
            [
                python,
                "-m",
                "celery",
                "-A",
                "networking",
                "worker",
                "-Q",
                "transfer",
                "-n",
                "transfer@%h",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
        ),  # fmt: skip
    }

    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    url = f"http://{args.host}:{args.port}/"
    print(f"\n[run] Jinmyaku is starting at {url}", flush=True)
    print(
        "[run] Demo login: demo / demo-jinmyaku   (Ctrl-C stops everything)\n",
        flush=True,
    )

    exit_code = 0
    while not stopping:
        for name, proc in children.items():
            if proc.poll() is not None:
                print(
                    f"[run] {name} exited with code {proc.returncode}; stopping the rest",
                    flush=True,
                )
                exit_code = proc.returncode or 1
                stopping = True
                break
        time.sleep(0.5)

    print("[run] stopping…", flush=True)
    stop_all(children)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
