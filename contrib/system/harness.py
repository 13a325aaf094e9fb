"""Runs real PeerSync processes for the system scenarios and benchmarks: a rendezvous server and
daemons on 127.0.0.1, each with its own state folder, driven through `syncctl`.

Used by contrib/system/daemon-scenarios.py. Nothing here talks to any address but loopback.
"""
import hashlib, json, os, signal, socket, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(pred, timeout, what, interval=0.1):
    """Polls pred until it returns something truthy; raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = pred()
            if value:
                return value
        except Exception as e:  # a daemon restarting, a file being replaced: try again
            last = e
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last})" if last else ""))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                return h.hexdigest()
            h.update(b)


def tree(path, skip_hidden=True):
    """{relative path: sha256} of the regular files under path (PeerSync's own dot-files skipped)."""
    out = {}
    for d, dirs, files in os.walk(path):
        if skip_hidden:
            dirs[:] = [x for x in dirs if not x.startswith(".peersync")]
        for f in files:
            if skip_hidden and f.startswith(".peersync"):
                continue
            p = os.path.join(d, f)
            out[os.path.relpath(p, path)] = sha256(p)
    return out


def write_random(path, size, seed):
    import random
    rng = random.Random(seed)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(rng.randbytes(n))
            left -= n


class Bin:
    """The built executables (PEERSYNC_BIN or .build/debug)."""

    def __init__(self, configuration="debug"):
        self.dir = os.environ.get("PEERSYNC_BIN") or os.path.join(ROOT, ".build", configuration)
        for n in ("syncd", "syncctl", "syncd-rendezvous"):
            if not os.access(self.path(n), os.X_OK):
                flag = "" if configuration == "debug" else f" -c {configuration}"
                raise SystemExit(f"{self.path(n)} is missing: run `swift build{flag}` first (or set PEERSYNC_BIN)")

    def path(self, name):
        return os.path.join(self.dir, name)


class Rendezvous:
    """syncd-rendezvous on 127.0.0.1:port; restartable on the same port."""

    def __init__(self, bins, work, port=None):
        self.bins, self.work = bins, work
        self.port = port or free_port()
        self.proc = None

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self):
        log = open(os.path.join(self.work, "rendezvous.log"), "a")
        self.proc = subprocess.Popen([self.bins.path("syncd-rendezvous"), "--host", "127.0.0.1", "--port", str(self.port)],
                                     stdout=log, stderr=subprocess.STDOUT)
        import urllib.request
        wait(lambda: urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status == 200, 60,
             "the rendezvous server's /healthz")
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Daemon:
    """One syncd with its own state folder under work/name; syncctl bound to it."""

    def __init__(self, bins, work, name, rendezvous, extra_env=None, program="syncd", args=()):
        self.bins, self.name, self.rendezvous = bins, name, rendezvous
        self.program, self.args = program, list(args)  # another Daemon-library executable (hostile-peer)
        self.state = os.path.join(work, name, "state")
        self.root = os.path.join(work, name)
        os.makedirs(self.state, exist_ok=True)
        self.logpath = os.path.join(self.root, "syncd.log")
        self.env = dict(os.environ, PEERSYNC_DEVICE_NAME=name, PEERSYNC_RENDEZVOUS_URL=rendezvous.url)
        self.env.pop("XDG_RUNTIME_DIR", None)
        self.daemon_env = dict(self.env, **(extra_env or {}))  # extra_env (e.g. libfaketime) is for syncd only
        self.proc = None
        self.id = None

    def start(self, wrapper=()):
        log = open(self.logpath, "a")
        self.proc = subprocess.Popen([*wrapper, self.bins.path(self.program), "--state-dir", self.state, *self.args], env=self.daemon_env,
                                     stdout=log, stderr=subprocess.STDOUT)
        self.id = wait(lambda: self.ctl("id").strip().splitlines()[-1], 60, f"syncd {self.name} to answer")
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stop(self):
        self.kill(signal.SIGTERM)

    def ctl(self, *args, check=True):
        r = subprocess.run([self.bins.path("syncctl"), *args, "--state-dir", self.state], env=self.env,
                           capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError(f"syncctl {' '.join(args)} ({self.name}) exited {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    def status(self):
        return json.loads(self.ctl("status", "--json"))

    def api_status(self):
        """GET /status straight from the control socket (what `syncctl status --json` prints),
        without starting a syncctl process: for benchmarks that poll often, as Syncthing is
        polled over its REST API, so the poll does not take a core from the daemons."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(30)
            s.connect(os.path.join(self.state, "syncd.sock"))
            s.sendall(b"GET /status HTTP/1.1\r\nHost: syncd\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
            data = bytearray()
            while chunk := s.recv(1 << 16):
                data += chunk
        head, _, body = bytes(data).partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].decode()
        if " 200 " not in status_line + " ":
            raise RuntimeError(f"GET /status ({self.name}): {status_line}")
        if b"transfer-encoding: chunked" in head.lower():
            out, rest = bytearray(), body
            while rest:
                size_text, _, rest = rest.partition(b"\r\n")
                size = int(size_text.split(b";")[0], 16)
                if size == 0:
                    break
                out += rest[:size]; rest = rest[size + 2:]
            body = bytes(out)
        return json.loads(body)

    def folder(self, folder_id):
        return next(f for f in self.status()["folders"] if f["id"] == folder_id)

    def device(self, device_id):
        return next((d for d in self.status()["devices"] if d["id"] == device_id), None)

    def connected_to(self, other):
        d = self.device(other.id)
        return bool(d and d.get("connected"))

    def log_text(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()


def pair_by_code(waiting, joining):
    """`syncctl pair` on `waiting` (prints a code and waits), `syncctl pair CODE` on `joining`."""
    waiter = subprocess.Popen([waiting.bins.path("syncctl"), "pair", "--state-dir", waiting.state], env=waiting.env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        code = None
        for line in waiter.stdout:
            if "syncctl pair " in line:
                code = line.split()[-1]
                break
        assert code, "syncctl pair printed no code"
        joining.ctl("pair", code)
        rest = waiter.communicate(timeout=60)[0]
        assert waiter.returncode == 0, f"pairing by code failed on {waiting.name}: {rest}"
    finally:
        if waiter.poll() is None:
            waiter.kill()
            waiter.wait()


def rss_kib(pid, field="VmRSS"):
    """A process's resident set (or VmHWM, its peak) in KiB from /proc, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def pair_by_id(a, b):
    a.ctl("devices", "add", b.id, "--name", b.name)
    b.ctl("devices", "add", a.id, "--name", a.name)


def share(folder_id, *members):
    """members: (daemon, path) pairs; each shares path as folder_id with every other member."""
    for d, path in members:
        os.makedirs(path, exist_ok=True)
        others = [o.id for o, _ in members if o is not d]
        args = ["folders", "add", path, "--id", folder_id]
        for o in others:
            args += ["--with", o]
        d.ctl(*args)


def listing(path):
    """{relative path: size} of the regular files under path: a cheap pre-check before hashing."""
    out = {}
    for d, dirs, files in os.walk(path):
        dirs[:] = [x for x in dirs if not x.startswith(".peersync")]
        for f in files:
            if not f.startswith(".peersync"):
                p = os.path.join(d, f)
                out[os.path.relpath(p, path)] = os.path.getsize(p)
    return out


def wait_same_tree(a_path, b_path, timeout, what="the folders to match"):
    """Waits until both folders hold the same files with the same content; returns the tree.
    Polls names and sizes every half second and hashes only when they agree, so the check
    does not take the CPU from the daemons it watches."""
    def same():
        la = listing(a_path)
        if not la or la != listing(b_path):
            return None
        ta = tree(a_path)
        return ta if ta == tree(b_path) else None
    return wait(same, timeout, what, interval=0.5)
