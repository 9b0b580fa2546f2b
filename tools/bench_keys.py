#!/usr/bin/env python3
"""Keyed against keyless orders, in one session (`make bench-keys`).

Runs the release `saga demo` PAIRS times with an Idempotency-Key on every
order (its default) and PAIRS times without (`--no-idempotency-keys`),
alternating, and which mode goes first swaps from pair to pair, so a
machine that gets busier or quieter during the run weighs on both alike.
Prints every run's throughput, each mode's median and the keyed/keyless
ratio (issue 17: keyed within 10 % of keyless). Every run must hold every
invariant the demo checks; a run that does not fails the bench.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

THROUGHPUT = re.compile(r"^throughput:\s+(\d+) orders/s", re.MULTILINE)
INVARIANT = re.compile(r"^\s+(.+?) \.+ (\w+)", re.MULTILINE)


def run(saga, orders, concurrency, keyed, db):
    cmd = [saga, "demo", "--orders", str(orders), "--concurrency", str(concurrency), "--db", db]
    if not keyed:
        cmd.append("--no-idempotency-keys")
    done = subprocess.run(cmd, capture_output=True, text=True)
    out = done.stdout
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{out}\n{done.stderr}")
    broken = [name for name, verdict in INVARIANT.findall(out) if verdict != "held"]
    if broken:
        sys.exit(f"{' '.join(cmd)}: invariants not held: {broken}\n{out}")
    found = THROUGHPUT.search(out)
    if not found:
        sys.exit(f"{' '.join(cmd)}: no throughput line in its output:\n{out}")
    return int(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("saga", help="the release saga binary")
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--pairs", type=int, default=4)
    args = parser.parse_args()

    runs = {True: [], False: []}
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as tmp:
        db = os.path.join(tmp, "demo.db")
        for pair in range(args.pairs):
            order = (True, False) if pair % 2 == 0 else (False, True)
            for keyed in order:
                rate = run(args.saga, args.orders, args.concurrency, keyed, db)
                runs[keyed].append(rate)
                label = "keyed  " if keyed else "keyless"
                print(f"pair {pair + 1} {label} {rate:>6} orders/s", flush=True)

    keyed = statistics.median(runs[True])
    keyless = statistics.median(runs[False])
    load = os.getloadavg()
    print(
        f"\n{args.orders} orders a run, concurrency {args.concurrency}, {args.pairs} pairs, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"keyed   median {keyed:>8.0f} orders/s  {sorted(runs[True])}")
    print(f"keyless median {keyless:>8.0f} orders/s  {sorted(runs[False])}")
    ratio = keyed / keyless
    verdict = "within" if ratio >= 0.9 else "NOT within"
    print(f"keyed / keyless: {ratio:.2f}x ({verdict} the 10 % target)")


if __name__ == "__main__":
    main()
