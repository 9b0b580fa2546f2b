"""Start, wait for and stop LocalStack on this host, without Docker.

    localstack_ctl.py start --instance NAME [--port P] [--watch-pid PID]
    localstack_ctl.py stop --instance NAME
    localstack_ctl.py status
    localstack_ctl.py pids --instance NAME
    localstack_ctl.py wait-stopped --prefix tests-

`start` runs a supervisor (this file, `supervise`) in its own session. The
supervisor makes itself a child subreaper, starts LocalStack's runtime
(`python -m localstack.runtime.main`, which needs no auth token) in a new
process group, waits on readiness conditions (the health endpoint, then a
record written to a streamed table read back from its stream, SQS and
EventBridge answering), checks that every listener of its process tree is on
127.0.0.1, and writes `ready`. `start` returns once it is ready, printing the
endpoint as its last line. The supervisor stops LocalStack and every
descendant (DynamoDB Local's JVM, kinesis-mock's Node) by PID on `stop`
(SIGTERM to the supervisor), when the process given by --watch-pid exits (the
scenario tests pass their own PID, so a failed or killed test run leaves
nothing behind), or when LocalStack itself dies.

A second `start` of a running instance reuses it; a port held by anything
else is refused before LocalStack is started. Instances live in
.localstack/instances/NAME; its FILESYSTEM_ROOT links var/lib/localstack/lib
to .localstack/lib, where mk/localstack.mk installed DynamoDB Local and
kinesis-mock.
"""

import argparse
import ctypes
import fcntl
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / ".localstack"
LIB = HOME / "lib"
INSTANCES = HOME / "instances"
PRELOAD = Path(__file__).resolve().parent / "loopback-listen.cjs"

SERVICES = "events,sqs,dynamodb,dynamodbstreams,kms,cloudformation,sts,iam"
READY_TIMEOUT = 180.0
# In-memory state only: nothing to flush, so a LocalStack stuck in
# "Stopping all services" is killed after a short grace.
STOP_GRACE = 5.0
PR_SET_CHILD_SUBREAPER = 36


def environment(port: int, filesystem_root: Path) -> dict:
    """LocalStack's configuration for a host run (each setting's reason in
    crates/hybrid/README.md, "LocalStack on the host")."""
    env = dict(os.environ)
    for key in ("LOCALSTACK_AUTH_TOKEN", "LOCALSTACK_API_KEY"):
        env.pop(key, None)
    options = env.get("NODE_OPTIONS", "")
    env.update(
        {
            "OVERRIDE_IN_DOCKER": "0",
            "FILESYSTEM_ROOT": str(filesystem_root),
            "GATEWAY_SERVER": "hypercorn",
            "GATEWAY_LISTEN": f"127.0.0.1:{port}",
            "LOCALSTACK_HOST": f"127.0.0.1:{port}",
            "SERVICES": SERVICES,
            "DNS_ADDRESS": "0",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "DISABLE_EVENTS": "1",
            "SQS_ENDPOINT_STRATEGY": "path",
            "DYNAMODB_IN_MEMORY": "1",
            "KINESIS_LATENCY": "0",
            "NODE_OPTIONS": f"{options} --require {PRELOAD}".strip(),
        }
    )
    return env


class Instance:
    def __init__(self, name: str):
        if not name or "/" in name or name.startswith("."):
            raise SystemExit(f"not an instance name: {name!r}")
        self.name = name
        self.dir = INSTANCES / name
        self.fs = self.dir / "fs"

    def path(self, file: str) -> Path:
        return self.dir / file

    def read(self, file: str) -> str | None:
        try:
            return self.path(file).read_text().strip()
        except FileNotFoundError:
            return None

    def supervisor(self) -> int | None:
        """The PID of this instance's live supervisor, if any."""
        text = self.read("supervisor.pid")
        if text and text.isdigit() and is_supervisor(int(text), self.name):
            return int(text)
        return None

    def endpoint(self) -> str | None:
        return self.read("endpoint")


def is_supervisor(pid: int, name: str) -> bool:
    """True if `pid` is a live supervisor of instance `name` (not a recycled
    PID of some other process)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"supervise" in cmdline and name.encode() in cmdline


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces.
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = parent_of(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def listeners(pids: set[int]) -> list[tuple[str, int]]:
    """(local address, pid) of every TCP listener owned by one of `pids`,
    as `ss -ltnp` reports them."""
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 6:
            continue
        for part in fields[5].split("pid=")[1:]:
            pid = int(part.split(",")[0])
            if pid in pids:
                found.append((fields[3], pid))
    return found


def loopback(address: str) -> bool:
    """`127.0.0.1:4566`, `[::ffff:127.0.0.1]:8000` (a JVM's IPv6 socket
    bound to the IPv4 loopback address) or `[::1]:80`; not `*:80`,
    `0.0.0.0:80` or `[::]:80`."""
    host = address.rsplit(":", 1)[0].strip("[]").split("%")[0]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- readiness -------------------------------------------------------------


def call(endpoint: str, target: str, body: dict, service: str, json_version: str = "1.0"):
    """One JSON-protocol AWS call (LocalStack does not check signatures; the
    credential scope only names the region and service)."""
    request = urllib.request.Request(
        endpoint + "/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": f"application/x-amz-json-{json_version}",
            "X-Amz-Target": target,
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"
            f"{service}/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        raise AwsError(error.code, body) from None


class AwsError(OSError):
    """An AWS error answer: HTTP status and body (`__type`, `message`)."""

    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status
        self.body = body


def until(what: str, check, deadline: float, alive):
    """Polls `check` (a value, or an exception while not yet true)."""
    last = None
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"LocalStack exited while waiting for {what}")
        try:
            value = check()
            if value is not None:
                return value
        except (OSError, urllib.error.URLError, ValueError, KeyError) as error:
            last = error
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not true after {READY_TIMEOUT:.0f} s (last: {last})")


def wait_ready(endpoint: str, alive) -> None:
    deadline = time.monotonic() + READY_TIMEOUT

    def health():
        with urllib.request.urlopen(endpoint + "/_localstack/health", timeout=5) as r:
            return json.loads(r.read()) if r.status == 200 else None

    until("the health endpoint", health, deadline, alive)
    ddb = lambda op, body: call(endpoint, f"DynamoDB_20120810.{op}", body, "dynamodb")  # noqa: E731
    streams = lambda op, body: call(endpoint, f"DynamoDBStreams_20120810.{op}", body, "dynamodb")  # noqa: E731
    until("SQS ListQueues", lambda: call(endpoint, "AmazonSQS.ListQueues", {}, "sqs"), deadline, alive)
    until(
        "EventBridge ListEventBuses",
        lambda: call(endpoint, "AWSEvents.ListEventBuses", {}, "events", "1.1"),
        deadline,
        alive,
    )
    # DynamoDB Local and kinesis-mock start on first use: a record written
    # to a streamed table and read back from its stream proves both.
    table = f"ready-probe-{os.getpid()}"

    def create():
        try:
            ddb(
                "CreateTable",
                {
                    "TableName": table,
                    "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
                    "BillingMode": "PAY_PER_REQUEST",
                    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                },
            )
        except AwsError as error:
            # A first call that timed out on a busy machine may have
            # created it all the same.
            if "ResourceInUseException" not in error.body:
                raise
        return ddb("DescribeTable", {"TableName": table})["Table"]

    arn = until("DynamoDB CreateTable", create, deadline, alive)["LatestStreamArn"]
    try:
        until(
            "the probe table ACTIVE",
            lambda: ddb("DescribeTable", {"TableName": table})["Table"]["TableStatus"] == "ACTIVE" or None,
            deadline,
            alive,
        )
        ddb("PutItem", {"TableName": table, "Item": {"PK": {"S": "probe"}}})

        def record():
            shards = streams("DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"]
            for shard in shards:
                iterator = streams(
                    "GetShardIterator",
                    {"StreamArn": arn, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON"},
                )["ShardIterator"]
                if streams("GetRecords", {"ShardIterator": iterator})["Records"]:
                    return True
            return None

        until("the probe record on the DynamoDB stream", record, deadline, alive)
    finally:
        try:
            ddb("DeleteTable", {"TableName": table})
        except OSError:
            pass


# --- supervisor ------------------------------------------------------------


def stop_tree(main: subprocess.Popen, log) -> None:
    """SIGTERM to LocalStack, SIGKILL after STOP_GRACE; then every remaining
    descendant of this (subreaper) process, by PID, until none is left."""
    me = os.getpid()
    if main.poll() is None:
        main.send_signal(signal.SIGTERM)
        try:
            main.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            print(f"LocalStack (pid {main.pid}) still running after {STOP_GRACE:.0f} s: SIGKILL", file=log)
    for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        left = descendants(me)
        for pid in left:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        end = time.monotonic() + grace
        while descendants(me) and time.monotonic() < end:
            reap()
            time.sleep(0.05)
        reap()
        if not descendants(me):
            return
    print(f"processes left after SIGKILL: {descendants(me)}", file=log)


def reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def supervise(args) -> int:
    instance = Instance(args.instance)
    log = open(instance.path("supervisor.log"), "a", buffering=1)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("prctl(PR_SET_CHILD_SUBREAPER) failed: orphaned children could escape", file=log)
    stop = {"asked": False}

    def on_signal(signum, _frame):
        stop["asked"] = True

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    endpoint = f"http://127.0.0.1:{args.port}"
    with open(instance.path("localstack.log"), "ab") as out:
        main = subprocess.Popen(
            [sys.executable, "-m", "localstack.runtime.main"],
            env=environment(args.port, instance.fs),
            cwd=instance.dir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    instance.path("localstack.pid").write_text(f"{main.pid}\n")
    started = time.monotonic()

    def alive() -> bool:
        return main.poll() is None and not stop["asked"] and watched_alive(args.watch_pid)

    try:
        wait_ready(endpoint, alive)
        pids = set(descendants(os.getpid()))
        wild = [(addr, pid) for addr, pid in listeners(pids) if not loopback(addr)]
        if wild:
            raise RuntimeError(f"listeners not on loopback (address, pid): {wild}")
    except RuntimeError as error:
        instance.path("failed").write_text(f"{error}\n")
        print(f"not ready: {error}", file=log)
        stop_tree(main, log)
        keep_log(instance)
        shutil.rmtree(instance.dir, ignore_errors=True)
        return 1
    seconds = time.monotonic() - started
    instance.path("endpoint").write_text(endpoint + "\n")
    instance.path("ready").write_text(f"{seconds:.1f}\n")
    print(f"ready at {endpoint} in {seconds:.1f} s", file=log)
    while alive():
        time.sleep(0.2)
        reap()
    why = "asked to stop" if stop["asked"] else "LocalStack exited" if main.poll() is not None else (
        f"process {args.watch_pid} exited"
    )
    print(f"stopping: {why}", file=log)
    stop_tree(main, log)
    print("stopped", file=log)
    keep_log(instance)
    shutil.rmtree(instance.dir, ignore_errors=True)
    return 0


def keep_log(instance: Instance) -> None:
    """.localstack/logs/NAME.log: LocalStack's log, then the supervisor's."""
    keep = HOME / "logs"
    keep.mkdir(exist_ok=True)
    with open(keep / f"{instance.name}.log", "wb") as out:
        for name in ("localstack.log", "supervisor.log"):
            try:
                out.write(instance.path(name).read_bytes())
            except FileNotFoundError:
                pass


def watched_alive(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie has exited: its parent has not reaped it yet.
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
        return state[state.rindex(")") + 2] != "Z"
    except (OSError, IndexError):
        return False


# --- commands --------------------------------------------------------------


def start(args) -> int:
    if not (LIB / "dynamodb-local/2/.installed").exists():
        print("DynamoDB Local is not installed: run `make localstack-install`", file=sys.stderr)
        return 1
    instance = Instance(args.instance)
    instance.dir.mkdir(parents=True, exist_ok=True)
    with open(instance.path("lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pid = instance.supervisor()
        port = args.port or free_port()
        if pid is None and port_open(port):
            owner = [i.name for i in running() if i.endpoint() == f"http://127.0.0.1:{port}"]
            holder = f"this project's LocalStack {owner[0]!r}" if owner else "another process"
            print(
                f"127.0.0.1:{port} is already in use by {holder}: not starting LocalStack {instance.name!r} "
                f"there (`ss -ltnp 'sport = :{port}'` names the process)",
                file=sys.stderr,
            )
            shutil.rmtree(instance.dir, ignore_errors=True)
            return 1
        if pid is None:
            for stale in ("ready", "failed", "endpoint", "localstack.pid", "supervisor.pid"):
                instance.path(stale).unlink(missing_ok=True)
            shutil.rmtree(instance.fs, ignore_errors=True)
            libs = instance.fs / "var/lib/localstack/lib"
            libs.parent.mkdir(parents=True)
            libs.symlink_to(LIB.resolve())
            command = [sys.executable, __file__, "supervise", "--instance", instance.name, "--port", str(port)]
            if args.watch_pid:
                command += ["--watch-pid", str(args.watch_pid)]
            supervisor = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=open(instance.path("supervisor.log"), "a"),
                start_new_session=True,
            )
            pid = supervisor.pid
            instance.path("supervisor.pid").write_text(f"{pid}\n")
            print(f"starting LocalStack {instance.name!r} on 127.0.0.1:{port} (supervisor pid {pid}) ...", file=sys.stderr)
        else:
            supervisor = None
            print(f"LocalStack {instance.name!r} is already running (supervisor pid {pid}): reusing it", file=sys.stderr)
        deadline = time.monotonic() + READY_TIMEOUT + 30
        while time.monotonic() < deadline:
            if instance.read("ready") is not None:
                print(f"ready in {instance.read('ready')} s; stop with: make localstack-stop" if args.instance == "default" else f"ready in {instance.read('ready')} s", file=sys.stderr)
                print(instance.endpoint())
                return 0
            failed = instance.read("failed")
            exited = supervisor.poll() is not None if supervisor else not is_supervisor(pid, instance.name)
            if failed or exited:
                kept = HOME / "logs" / f"{instance.name}.log"
                if not failed and kept.exists():
                    reasons = [line for line in kept.read_text(errors="replace").splitlines() if line.startswith("not ready:")]
                    failed = reasons[-1] if reasons else None
                print(f"LocalStack did not start: {failed or 'its supervisor exited'}; log: {kept}", file=sys.stderr)
                return 1
            time.sleep(0.1)
        print("LocalStack did not become ready in time; stopping it", file=sys.stderr)
        os.kill(pid, signal.SIGTERM)
        return 1


def stop(args) -> int:
    instance = Instance(args.instance)
    pid = instance.supervisor()
    if pid is None:
        print(f"LocalStack {instance.name!r} is not running")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE + 15
    while is_supervisor(pid, instance.name) and time.monotonic() < deadline:
        time.sleep(0.1)
    if is_supervisor(pid, instance.name):
        print(f"supervisor {pid} did not stop: SIGKILL to it and its process tree", file=sys.stderr)
        for child in descendants(pid) + [pid]:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return 1
    print(f"LocalStack {instance.name!r} stopped (supervisor pid {pid})")
    return 0


def pids(args) -> int:
    pid = Instance(args.instance).supervisor()
    if pid is None:
        print(f"LocalStack {args.instance!r} is not running", file=sys.stderr)
        return 1
    print(" ".join(str(p) for p in [pid, *descendants(pid)]))
    return 0


def running() -> list[Instance]:
    if not INSTANCES.is_dir():
        return []
    return [i for i in (Instance(d.name) for d in sorted(INSTANCES.iterdir())) if i.supervisor()]


def status(_args) -> int:
    instances = running()
    if not instances:
        print("no LocalStack instance of this project is running")
    for instance in instances:
        pid = instance.supervisor()
        tree = set(descendants(pid))
        print(f"{instance.name}: {instance.endpoint() or 'starting'} supervisor {pid}, processes {sorted(tree)}")
        for addr, owner in listeners(tree):
            print(f"  listening on {addr} (pid {owner})")
    return 0


def wait_stopped(args) -> int:
    """Waits until no instance named PREFIX* runs (the tests' instances stop
    once the test process is gone); fails if one is still there."""
    deadline = time.monotonic() + STOP_GRACE + 15
    while time.monotonic() < deadline:
        left = [i.name for i in running() if i.name.startswith(args.prefix)]
        if not left:
            return 0
        time.sleep(0.1)
    print(f"LocalStack instances still running: {left}", file=sys.stderr)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("start", "supervise"):
        command = commands.add_parser(name)
        command.add_argument("--instance", required=True)
        command.add_argument("--port", type=int, default=0 if name == "start" else None, required=name == "supervise")
        command.add_argument("--watch-pid", type=int)
    for name in ("stop", "pids"):
        commands.add_parser(name).add_argument("--instance", required=True)
    commands.add_parser("status")
    commands.add_parser("wait-stopped").add_argument("--prefix", required=True)
    args = parser.parse_args()
    handlers = {
        "start": start,
        "supervise": supervise,
        "stop": stop,
        "pids": pids,
        "status": status,
        "wait-stopped": wait_stopped,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
