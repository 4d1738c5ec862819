"""The OS boundary around a student's notebook: bubblewrap, on Linux.

Inside it run only the runner (russia_china.exercises.runner) and the kernel it
starts. They see what a student has: the Python environment, the data/ folder
and a copy of the student-side package without the grading code, the tools or
the answer key, all read-only, and the submission, read-only, which the runner
copies into its home. Its home and /tmp are in memory and of a fixed size, so
nothing a notebook writes reaches the grader's disk. It has no network, its own
PID namespace (kill and fork reach nothing outside, and nothing outlives the
submission) and limits on memory, CPU time, file size and processes. Run as
root, the runner becomes a user of its own (one per worker) before any student
code runs. It tells the grader everything through one channel, a named pipe
that the grader reads as it fills (see `run`).

Without bubblewrap (`unsandboxed`) the runner runs as an ordinary process:
student code can then read everything the instructor can, which is why the
grader refuses unless told so, and marks every row graded that way.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..exercises import format as exercise_format
from ..exercises.runner import STARTED
from ..paths import data_dir

#: Where the runner finds what it is given, and its channel to the grader, inside the sandbox.
INPUTS, OUTPUTS = "/grading/in", "/grading/out"
HOME = "/home/student"
#: Parts of the package a student never needs and must not see.
NOT_FOR_STUDENTS = ("grading", "tools", "site", "cli.py", exercise_format.KEY_FILE.name, "__pycache__")
#: The sandbox's home (the submission and what it writes) and /tmp, in memory.
HOME_MB, TMP_MB = 512, 256
#: The most of the channel the grader keeps; a notebook that sends more loses the rest.
CHANNEL_BYTES = 64 * 2**20
#: The first user id given to sandboxes run by root, one per worker.
FIRST_UID = 61000


def bubblewrap() -> str | None:
    """The bwrap executable, if it is installed and allowed to run here."""
    executable = shutil.which("bwrap")
    if executable is None:
        return None
    probe = [executable, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
             "--unshare-pid", "--die-with-parent", "true"]
    try:
        works = subprocess.run(probe, capture_output=True, timeout=20, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        works = False
    return executable if works else None


def package_dir() -> Path:
    return Path(exercise_format.__file__).resolve().parents[1]


def stage_student_package(scratch: Path) -> Path:
    """A copy of the package as students have it: no grading code, tools or answer key."""
    target = scratch / "student-package" / "russia_china"
    shutil.copytree(package_dir(), target, ignore=shutil.ignore_patterns(*NOT_FOR_STUDENTS))
    return target


@dataclass(frozen=True)
class View:
    """What one sandbox is built from: `workdir/in` (given), `workdir/out/channel` (told)."""

    workdir: Path
    student_package: Path | None  # None: unsandboxed
    uid: int | None = None

    def inside(self, name: str) -> str:
        """Where the runner sees `home`, `inputs` or `outputs`."""
        if self.student_package:
            return {"home": HOME, "inputs": INPUTS, "outputs": OUTPUTS}[name]
        return str(self.workdir / {"home": "home", "inputs": "in", "outputs": "out"}[name])


def _environment(home: str) -> dict[str, str]:
    private = f"{home}/private"
    env = {
        "HOME": home, "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
        "MPLCONFIGDIR": f"{private}/matplotlib", "IPYTHONDIR": f"{private}/ipython", "TMPDIR": f"{private}/tmp",
        "JUPYTER_RUNTIME_DIR": f"{private}/runtime", "JUPYTER_CONFIG_DIR": f"{private}/jupyter",
        "JUPYTER_PLATFORM_DIRS": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "PYTHONSAFEPATH": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1", "RUSSIA_CHINA_DATA": str(data_dir()),
    }
    # Some processors need these for OpenBLAS to compute correctly; they are the machine's, not secrets.
    env.update({k: v for k, v in os.environ.items() if k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")})
    return env


def _system_binds() -> list[str]:
    args: list[str] = []
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for prefix in sorted({sys.base_prefix, sys.prefix}):
        if not prefix.startswith("/usr/"):
            args += ["--ro-bind", prefix, prefix]
    return args


def command(view: View, config: str) -> tuple[list[str], dict[str, str] | None]:
    """The command that runs the runner on `config`, and its environment (None: set inside)."""
    runner = [sys.executable, "-I", "-m", "russia_china.exercises.runner", config]
    env = _environment(view.inside("home"))
    if view.student_package is None:
        return runner, env
    executable = bubblewrap()
    if executable is None:
        raise RuntimeError("bubblewrap (bwrap) does not work here")
    args = [executable, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try"]
    if os.getuid() != 0:
        args.append("--unshare-user")
    binds = [*_system_binds(), "--ro-bind", str(view.student_package), str(package_dir()),
             "--ro-bind", str(data_dir().resolve()), str(data_dir()),
             "--ro-bind", str(view.workdir / "in"), INPUTS,
             "--ro-bind", str(view.workdir / "out"), OUTPUTS]
    # /tmp first: the course itself may live under /tmp (a CI clone), and a later mount would hide it.
    args += ["--perms", "1777", "--size", str(TMP_MB * 2**20), "--tmpfs", "/tmp"]
    # bwrap makes the folders leading to a mount point private to root; the sandbox's user must pass through.
    targets = [*(binds[i + 2] for i, part in enumerate(binds) if part == "--ro-bind"), HOME]
    for folder in sorted({str(p) for t in targets for p in Path(t).parents} - {"/", "/tmp"}, key=len):
        args += ["--perms", "0755", "--dir", folder]
    args += [*binds, "--size", str(HOME_MB * 2**20), "--tmpfs", HOME,
             "--proc", "/proc", "--dev", "/dev", "--chdir", HOME, "--clearenv"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args + runner, None


def prepare(view: View, settings: dict, fontlist: str | None) -> str:
    """Lay out `workdir`: the submission already in `in/submission`, the runner's settings,
    the kernel's private folders and the channel, owned by the sandbox's user.
    Returns the settings file as the runner sees it."""
    given = view.workdir / "in"
    for sub in ("matplotlib", "ipython", "tmp", "runtime", "jupyter"):
        (given / "private" / sub).mkdir(parents=True, exist_ok=True)
    if fontlist and Path(fontlist).exists():
        shutil.copy(fontlist, given / "private" / "matplotlib")  # spares rebuilding matplotlib's font cache
    (view.workdir / "out").mkdir()
    os.mkfifo(view.workdir / "out" / "channel", 0o600)
    (given / "run.json").write_text(json.dumps({
        **settings, "uid": view.uid, "home": view.inside("home"), "inputs": view.inside("inputs"),
        "channel": f"{view.inside('outputs')}/channel"}))
    if view.student_package is None:
        (view.workdir / "home").mkdir()
    if view.uid is not None:
        for folder, dirs, files in os.walk(view.workdir):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.lchown(name, view.uid, view.uid)
    return f"{view.inside('inputs')}/run.json"


@dataclass(frozen=True)
class Finished:
    """How the sandbox ended, as the grader saw it, and what it sent down the channel."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    started: bool
    peak_mb: float
    output_tail: str
    channel: bytes
    #: Its processes together held more memory than the limit, so it was stopped.
    over_memory: bool = False


def _resident_mb(root: int) -> float:
    """Memory of a process and all its descendants: RLIMIT_AS bounds each process,
    this bounds the submission, however many processes it forks. In the sandbox's own PID
    namespace an orphan is adopted by its first process, so it still counts."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as stat:
                    parents[int(name)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    members, frontier = {root}, [root]
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in members:
                members.add(child)
                frontier.append(child)
    return sum(_proportional_kb(pid) for pid in members) / 2**10


def _proportional_kb(pid: int) -> int:
    """A process's proportional share of memory (PSS), so pages that forked processes
    share are counted once; resident memory where the kernel does not say."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


def _read_channel(descriptor: int, into: list[bytes], ended: threading.Event) -> None:
    """Read the channel as it fills, keeping at most CHANNEL_BYTES, until the sandbox has
    ended and the pipe is empty. Opened read-write, the pipe never signals its end."""
    kept = 0
    while True:
        if select.select([descriptor], [], [], 0.2)[0]:
            data = os.read(descriptor, 2**16)
            into.append(data[: max(0, CHANNEL_BYTES - kept)])
            kept += len(into[-1])
        elif ended.is_set():
            return


def run(view: View, config: str, timeout: float, memory_mb: float) -> Finished:
    """Run the runner; stop it after `timeout` seconds, or when its processes together hold more
    than `memory_mb`; measure its peak memory."""
    args, env = command(view, config)
    channel = os.open(view.workdir / "out" / "channel", os.O_RDWR | os.O_NONBLOCK)
    told: list[bytes] = []
    ended = threading.Event()
    listener = threading.Thread(target=_read_channel, args=(channel, told, ended), daemon=True)
    listener.start()
    process = subprocess.Popen(args, env=env, cwd=view.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    # A pipe, not a file: what the runner wrote first (STARTED) cannot be erased from inside.
    output: list[bytes] = []
    stdout = process.stdout
    assert stdout is not None  # stdout=PIPE
    reader = threading.Thread(target=lambda: output.extend(iter(lambda: stdout.read(65536), b"")), daemon=True)
    reader.start()
    deadline, timed_out, over_memory, peak, polls = time.monotonic() + timeout, False, False, 0.0, 0
    while not (waited := os.wait4(process.pid, os.WNOHANG))[0]:
        polls += 1
        if polls % 4 == 0:  # every 0.2 s
            peak = max(peak, _resident_mb(process.pid))
            over_memory = peak > memory_mb
        timed_out = time.monotonic() > deadline
        if timed_out or over_memory:
            os.killpg(process.pid, signal.SIGKILL)
            waited = os.wait4(process.pid, 0)
            break
        time.sleep(0.05)
    _, status, usage = waited
    code = process.returncode = os.waitstatus_to_exitcode(status)
    ended.set()
    reader.join(timeout=5)
    listener.join(timeout=5)
    os.close(channel)
    if view.student_package and 128 < code < 128 + signal.NSIG:
        code = 128 - code  # bwrap exits with 128 + N when what it ran was killed by signal N
    text = b"".join(output)[:2**16]
    tail = text.decode("utf-8", "replace").strip().splitlines()[-2:]
    peak = max(peak, usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10))
    return Finished(exit_code=code if code >= 0 else None, signal=-code if code < 0 else None, timed_out=timed_out,
                    started=text.startswith(STARTED), peak_mb=round(peak, 1), output_tail=" ".join(tail)[:300],
                    channel=b"".join(told), over_memory=over_memory)
