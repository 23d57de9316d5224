#!/usr/bin/env python
"""A document worker's memory over 200 renders, in a real separate process.

    .venv/bin/python bench/worker_memory.py [--renders 200] [--modes none,collect,freeze+collect]

The parent builds a throwaway SQLite database (a file, so a second process can open it)
with a filed clinic filing and its documents, like bench/documents.py. Then, for each
mode, it starts a child process — ``python bench/worker_memory.py --child`` with the
same settings, the same signing keys and that database — which runs the Celery task's
own code, ``documents.tasks.issue_document``, --renders times on the 备案凭证 (reset to
pending before each run, so each run renders, signs, validates and stores it anew), and
reports its resident set size (VmRSS from /proc) after 1, 10, 50, 100 and 200 renders
and at the end its peak (VmHWM). The parent prints one line per mode.

Modes (what a worker does about WeasyPrint's reference cycles):

* ``none``           — nothing: the generational collector runs when it runs
  (DOCUMENTS_COLLECT_AFTER_RENDER=0, no freeze);
* ``collect``        — gc.collect() after each document (documents/tasks.py);
* ``freeze``         — gc.freeze() at worker start only (config/celery.py), no collect;
* ``freeze+collect`` — both (the configured default).

Target (issue #13): RSS after 200 renders ≤ 300 MB.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from harness import ROOT, ThrowawayDatabase, median  # noqa: E402 - sets sys.path and the settings module

CHECKPOINTS = (1, 10, 50, 100, 200)
MODES = {
    "none": {"DOCUMENTS_COLLECT_AFTER_RENDER": "0", "CELERY_WORKER_GC_FREEZE": "0"},
    "collect": {"DOCUMENTS_COLLECT_AFTER_RENDER": "1", "CELERY_WORKER_GC_FREEZE": "0"},
    "freeze": {"DOCUMENTS_COLLECT_AFTER_RENDER": "0", "CELERY_WORKER_GC_FREEZE": "1"},
    "freeze+collect": {"DOCUMENTS_COLLECT_AFTER_RENDER": "1", "CELERY_WORKER_GC_FREEZE": "1"},
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=200, help="documents issued per child (default 200)")
    parser.add_argument(
        "--modes", default="none,collect,freeze,freeze+collect", help="comma-separated modes (default: all four)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--document", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = [mode for mode in args.modes if mode not in MODES]
    if unknown:
        parser.error(f"unknown modes {unknown}; choose from {list(MODES)}")
    return args


def rss_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in kB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            values[key] = int(value.split()[0])
    return values["VmRSS"], values["VmHWM"]


# --- the child: a worker process running the task's code ---------------------------------


def child(args) -> int:
    import django

    django.setup()
    import config.celery
    from documents.models import Document, DocumentStatus
    from documents.tasks import issue_document

    config.celery.freeze_startup_objects()  # what worker_process_init does in a Celery child
    started_rss = rss_kb()[0]
    report = {"start": started_rss, "at": {}, "seconds": []}
    for number in range(1, args.renders + 1):
        document = Document.objects.get(pk=args.document)
        document.signatures.all().delete()
        Document.objects.filter(pk=document.pk).update(status=DocumentStatus.PENDING)
        started = time.perf_counter()
        status = issue_document(document.pk)  # the task body, as a worker runs it
        report["seconds"].append(time.perf_counter() - started)
        if status != DocumentStatus.ISSUED:
            raise SystemExit(f"render {number}: status {status}")
        if number in CHECKPOINTS or number == args.renders:
            report["at"][number] = rss_kb()[0]
    report["peak"] = rss_kb()[1]
    print(json.dumps(report), flush=True)
    return 0


# --- the parent ---------------------------------------------------------------------------


def prepare():
    """A filed clinic filing with its issued documents; returns the 备案凭证's id."""
    from demo.accounts import load_all
    from documents.keys import create_root, root_cert_path, write_root
    from documents.models import Document

    spec = importlib.util.spec_from_file_location("bench_documents", ROOT / "bench" / "documents.py")
    bench_documents = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_documents)
    load_all()
    if not root_cert_path().exists():
        write_root(*create_root())
    case = bench_documents.filed_case()
    return Document.objects.filter(case_id=case.pk).order_by("id").first()


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    database = ThrowawayDatabase(sqlite_memory=False)
    try:
        database.create()
        document = prepare()
        connection.close()
        print("医养通办 — a document worker's memory (bench/worker_memory.py)")
        print("=" * 72)
        print(
            f"document       {document.get_kind_display()} (render + 1 signature + validation + store), "
            f"{args.renders} times per child process"
        )
        print(f"font           {settings.DOCUMENT_FONT_FAMILY}")
        print(f"memory limit   CELERY_WORKER_MAX_MEMORY_KB = {settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD:,} kB")
        print("target         RSS after 200 renders <= 300 MB")
        print()
        shown = [c for c in CHECKPOINTS if c <= args.renders]
        header = (
            f"{'mode':15} {'start':>6} "
            + " ".join(f"{f'@{c}':>6}" for c in shown)
            + f" {'peak':>6} {'task median':>11}   (MB)"
        )
        print(header)
        print("-" * len(header))
        results = {}
        for mode in args.modes:
            env = {**os.environ, **MODES[mode], "DATABASE_URL": f"sqlite:///{database.name}"}
            started = time.perf_counter()
            output = subprocess.run(
                [sys.executable, __file__, "--child", "--renders", str(args.renders), "--document", str(document.pk)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            report = json.loads(output.stdout.strip().splitlines()[-1])
            results[mode] = report
            at = {int(k): v for k, v in report["at"].items()}
            print(
                f"{mode:15} {report['start'] / 1024:6.0f} "
                + " ".join(f"{at[c] / 1024:6.0f}" for c in shown)
                + f" {report['peak'] / 1024:6.0f} {median(report['seconds']):10.3f}s"
                f"   ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        print()
        last = max(shown)
        for mode, report in results.items():
            final = report["at"][str(last)] / 1024
            verdict = "met" if final <= 300 else "NOT met"
            print(f"{mode:15} RSS after {last} renders {final:.0f} MB — target {verdict}")
        return 0
    finally:
        database.destroy()


if __name__ == "__main__":
    sys.exit(main())
