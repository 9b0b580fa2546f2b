#!/usr/bin/env python3
"""`make load`: drive POST /orders of a real `saga run` on 127.0.0.1 with oha.

Starts the release `saga run` on a fresh database with enough stock, runs
ROUNDS rounds of ORDERS requests at CONCURRENCY with oha, and after each
round waits until every accepted order is final. Reports requests/s and
latency percentiles per round (from oha's JSON), the server's RSS sampled
through the run, and fails when a request errored, an order was lost (an
accepted request without a stored order, or a stored order not final), or
memory grew from round to round.

Usage: tools/load.py SAGA_BINARY OHA_BINARY [--orders N] [--concurrency C]
       [--rounds R]
"""

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "crates/inventory/seed/catalogue.json"
BODY = {
    "customerId": "load-1",
    "lines": [{"sku": "KB-001", "quantity": 1}, {"sku": "MOUSE-002", "quantity": 1}],
    "shipTo": {"name": "Load", "line1": "1 Load Street", "city": "London",
               "postalCode": "N1", "country": "GB"},
    "paymentToken": "tok_visa",
}
# Growth of RSS allowed between the first and the last round once the saga
# settled: SQLite's page cache and the allocator's arenas fill during the
# first round, after which a leak would show as growth per round.
MAX_GROWTH = 1.25


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    """Samples the server's RSS every 200 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop = pid, [], threading.Event()

    def run(self):
        while not self.stop.wait(0.2):
            try:
                self.samples.append((time.monotonic(), rss_kib(self.pid)))
            except OSError:
                return


def counts(db: Path) -> dict:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as c:
        return dict(c.execute("SELECT status, COUNT(*) FROM orders GROUP BY status").fetchall())


def wait_final(db: Path, accepted: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        by_status = counts(db)
        total = sum(by_status.values())
        if total >= accepted and by_status.get("PENDING", 0) == 0:
            return by_status
        if time.monotonic() > deadline:
            return by_status
        time.sleep(0.25)


def wait_listening(port: int, server: subprocess.Popen, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"saga run exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("saga run did not start listening")


def run_oha(oha: str, url: str, orders: int, concurrency: int) -> dict:
    out = subprocess.run(
        [oha, "-n", str(orders), "-c", str(concurrency), "-m", "POST",
         "-H", "Content-Type: application/json", "-d", json.dumps(BODY),
         "--no-tui", "--output-format", "json", url],
        check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("saga")
    ap.add_argument("oha")
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="saga-load-"))
    db = work / "saga.db"
    catalogue = json.loads(SEED.read_text())
    for item in catalogue:
        if item["available"] > 0:
            item["available"] = args.orders * args.rounds * 2
    (work / "catalogue.json").write_text(json.dumps(catalogue))
    port = free_port()
    log = open(work / "saga.log", "w")
    server = subprocess.Popen(
        [args.saga, "run", "--template", str(ROOT / "infra/template.yaml"), "--db", str(db),
         "--listen", f"127.0.0.1:{port}", "--catalogue", str(work / "catalogue.json")],
        stdout=log, stderr=log, env={**os.environ, "RUST_LOG": "warn"})
    failures = []
    try:
        wait_listening(port, server)
        sampler = Sampler(server.pid)
        sampler.start()
        print(f"oha {args.rounds} x {args.orders} POST /orders at concurrency {args.concurrency} "
              f"against saga run on 127.0.0.1:{port} ({db})")
        accepted_total, settled_rss = 0, []
        for r in range(1, args.rounds + 1):
            report = run_oha(args.oha, f"http://127.0.0.1:{port}/orders", args.orders, args.concurrency)
            summary, lat = report["summary"], report["latencyPercentiles"]
            codes = {int(k): v for k, v in report.get("statusCodeDistribution", {}).items()}
            errors = report.get("errorDistribution", {})
            accepted = codes.get(201, 0)
            accepted_total += accepted
            ms = lambda key: (lat.get(key) or 0) * 1000
            print(f"round {r}: {summary['requestsPerSec']:.0f} requests/s, latency p50 {ms('p50'):.2f} ms, "
                  f"p90 {ms('p90'):.2f} ms, p99 {ms('p99'):.2f} ms, p99.9 {ms('p99.9'):.2f} ms, "
                  f"slowest {summary['slowest'] * 1000:.2f} ms; status {codes}; errors {errors or 'none'}")
            if errors or set(codes) - {201} or accepted != args.orders:
                failures.append(f"round {r}: {accepted} of {args.orders} accepted, status {codes}, errors {errors}")
            started = time.monotonic()
            by_status = wait_final(db, accepted_total, timeout=600)
            settled = time.monotonic() - started
            stored = sum(by_status.values())
            rss = rss_kib(server.pid)
            settled_rss.append(rss)
            wal = db.with_name(db.name + "-wal")
            sizes = [p.stat().st_size / 2**20 if p.exists() else 0 for p in (db, wal)]
            print(f"         all final {settled:.1f} s after the last response: {by_status}; "
                  f"RSS {rss / 1024:.1f} MiB; database {sizes[0]:.0f} MiB, WAL {sizes[1]:.0f} MiB")
            if stored != accepted_total:
                failures.append(f"round {r}: {accepted_total} orders accepted, {stored} stored")
            if by_status.get("PENDING", 0):
                failures.append(f"round {r}: {by_status['PENDING']} orders never became final")
        sampler.stop.set()
        sampler.join()
        peak = max(s[1] for s in sampler.samples) if sampler.samples else 0
        print(f"RSS after each round: {', '.join(f'{k / 1024:.1f} MiB' for k in settled_rss)}; "
              f"peak {peak / 1024:.1f} MiB over {len(sampler.samples)} samples")
        if len(settled_rss) > 1 and settled_rss[-1] > settled_rss[0] * MAX_GROWTH:
            failures.append(f"memory grew from {settled_rss[0]} KiB to {settled_rss[-1]} KiB")
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The database of 30,000 orders is hundreds of MiB: only the log of a
    # failed run is kept, to read.
    for path in work.glob("saga.db*"):
        path.unlink()
    if failures:
        print("LOAD FAILED:\n  " + "\n  ".join(failures) + f"\n(server log: {work / 'saga.log'})")
        sys.exit(1)
    shutil.rmtree(work)
    print(f"no errors, no order lost ({accepted_total} accepted, stored and final), memory flat")


if __name__ == "__main__":
    main()
