"""Every Celery queue has a worker in each way the app is run, and imports have one of their own."""

import re
from pathlib import Path

import yaml
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _queues_of(argv: list[str]) -> set[str]:
    if "-Q" not in argv:
        return set(settings.CELERY_TASK_QUEUES)
    return set(argv[argv.index("-Q") + 1].split(","))


def test_docker_compose_serves_every_queue_and_imports_apart_from_the_rest():
    services = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]
    workers = {name: _queues_of(s["command"]) for name, s in services.items() if "worker" in s.get("command", [])}
    assert set().union(*workers.values()) == set(settings.CELERY_TASK_QUEUES)
    assert {"transfer"} in workers.values()  # a worker of its own, with nothing else
    assert all("transfer" not in queues for queues in workers.values() if "celery" in queues)


def test_make_run_serves_every_queue_with_a_worker_for_imports_alone():
    text = (BASE_DIR / "scripts" / "run_stack.py").read_text()
    queues = [set(q.split(",")) for q in re.findall(r'"-Q",\s*"([^"]+)"', text)]
    assert set().union(*queues) == set(settings.CELERY_TASK_QUEUES)
    assert {"transfer"} in queues and {"celery"} in queues
