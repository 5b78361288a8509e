"""The OS-level second layer around a worker process: what it may still ask the kernel.

Applied by the worker once it has loaded everything it will need (imports, Faker, the
compiled env module; its pipes are open), before any env code runs:

- `no_new_privs`, then (when running as root) the switch to the unprivileged `nobody`
  user and group, with no supplementary groups;
- a seccomp filter (libseccomp, through ctypes) that makes the kernel refuse, with
  EPERM, every system call that opens a file (or a file-like handle: io_uring, memfd,
  bpf, ...), runs a program, makes a process or thread, makes or joins a socket,
  changes the file system, signals (also by naming it the owner of a pipe, for SIGIO),
  traces, renices, reschedules or limits another process, or changes identity;
- resource limits no process can raise back: no new file descriptors, no core dumps,
  no child processes.

What it leaves allowed: memory, reading and writing the pipe fds already open, time,
randomness, signals to itself, exit. So the next RestrictedPython escape still cannot
touch the machine: it can only compute, and talk to the engine over its pipe.

Where a layer is not available (not Linux, no libseccomp) the worker runs without it and
the engine warns once (see sandbox.environment); nothing fails.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import sys
from typing import Any

PR_SET_NO_NEW_PRIVS = 38
_ACT_ALLOW = 0x7FFF0000
_ACT_EPERM = 0x00050000 | errno.EPERM
_CMP_NE = 1
_CMP_MASKED_EQ = 7
_TIOCSTI = 0x5412
_TIOCLINUX = 0x541C
# Signal-driven I/O aimed at another process: with the owner of the pipe set to the engine
# (F_SETOWN, FIOSETOWN, ...) and O_ASYNC, every write of the engine would send it SIGIO,
# which ends a process that does not handle it.
_FCNTL_SIGNAL_TARGETS = (8, 10, 15)  # F_SETOWN, F_SETSIG, F_SETOWN_EX
_IOCTL_SIGNAL_TARGETS = (0x8901, 0x8902)  # FIOSETOWN, SIOCSPGRP
_NOBODY = 65534

# Refused outright (names unknown to this architecture are skipped).
DENIED_SYSCALLS = (
    # opening files and file-like handles
    "open", "openat", "openat2", "creat", "open_by_handle_at", "name_to_handle_at", "uselib",
    "memfd_create", "memfd_secret", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "fanotify_init", "inotify_init", "inotify_init1", "inotify_add_watch", "bpf", "perf_event_open",
    "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "mount_setattr",
    # programs, processes, threads
    "execve", "execveat", "fork", "vfork", "clone", "clone3",
    # sockets
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    # other processes
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    "kcmp", "process_madvise", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "tkill",
    # shared memory and message queues with other processes
    "shmget", "shmat", "msgget", "semget", "mq_open",
    # changes to the file system
    "mknod", "mknodat", "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat",
    "symlink", "symlinkat", "mkdir", "mkdirat", "rmdir", "chmod", "fchmod", "fchmodat", "fchmodat2",
    "chown", "fchown", "lchown", "fchownat", "truncate", "ftruncate", "utime", "utimes", "utimensat",
    "futimesat", "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
    "mount", "umount2", "pivot_root", "chroot", "swapon", "swapoff", "acct", "quotactl",
    # identity and the machine
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid",
    "setfsgid", "capset", "unshare", "setns", "reboot", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "keyctl", "add_key", "request_key", "syslog", "iopl", "ioperm",
    "modify_ldt", "personality", "lookup_dcookie", "vhangup", "settimeofday", "clock_settime",
    "adjtimex", "clock_adjtime", "sethostname", "setdomainname",
)

# Allowed only with pid 0 (the calling process) as their first argument.
_SELF_ONLY_BY_PID = ("sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr",
                     "migrate_pages", "move_pages")


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


class ConfinementError(Exception):
    """A layer could not be applied (reported as missing)."""


def confine() -> dict[str, Any]:
    """Apply every layer this platform has; say which were applied and which are missing
    (with why). A layer the kernel refuses (no seccomp in this kernel, a user namespace
    without `nobody`) is reported missing, not fatal: the engine warns, the env runs."""
    if not sys.platform.startswith("linux"):
        return {"applied": [], "missing": [f"seccomp and no_new_privs (Linux only; this is {sys.platform})"]}
    applied: list[str] = []
    missing: list[str] = []
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        applied.append("no_new_privs")
    else:
        missing.append(f"no_new_privs ({os.strerror(ctypes.get_errno())})")
    if os.geteuid() == 0:
        try:
            _drop_root()
            applied.append("user nobody")
        except ConfinementError as exc:
            missing.append(f"user nobody ({exc})")
    # Before the filter: listing opens a directory, whose own fd is in the list and closed
    # after it, so it is left out (counting it would leave one fd free to make).
    highest_fd = max((int(fd) for fd in _open_fds() if _is_open(int(fd))), default=2)
    seccomp = _load_libseccomp()
    if seccomp is None:
        missing.append("seccomp (libseccomp.so.2 not found)")
    else:
        try:
            _load_filter(seccomp)
            applied.append("seccomp")
        except ConfinementError as exc:
            missing.append(f"seccomp ({exc})")
    try:
        _limit_resources(highest_fd)
        applied.append("rlimits")
    except ConfinementError as exc:
        missing.append(f"rlimits ({exc})")
    return {"applied": applied, "missing": missing}


def _drop_root() -> None:
    try:
        import pwd

        entry = pwd.getpwnam("nobody")
        uid, gid = entry.pw_uid, entry.pw_gid
    except (ImportError, KeyError, OSError):
        uid, gid = _NOBODY, _NOBODY
    try:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    except OSError as exc:
        raise ConfinementError(f"could not switch to the nobody user: {exc}") from exc
    if os.geteuid() == 0 or os.getegid() == 0:
        raise ConfinementError("still root after switching to the nobody user")


def _load_libseccomp() -> Any:
    # By soname: ctypes.util.find_library would run ldconfig in a subprocess.
    for name in ("libseccomp.so.2", "libseccomp.so"):
        try:
            lib = ctypes.CDLL(name, use_errno=True)
        except OSError:
            continue
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_rule_add_array.restype = ctypes.c_int
        lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                               ctypes.POINTER(_ArgCmp)]
        lib.seccomp_load.restype = ctypes.c_int
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        lib.seccomp_release.restype = None
        lib.seccomp_release.argtypes = [ctypes.c_void_p]
        return lib
    return None


def _load_filter(lib: Any) -> None:
    ctx = lib.seccomp_init(_ACT_ALLOW)
    if not ctx:
        raise ConfinementError("seccomp_init failed")
    pid = os.getpid()
    try:
        for name in DENIED_SYSCALLS:
            _rule(lib, ctx, name)
        # Signals only to itself; resource limits only of itself; no terminal input injection.
        _rule(lib, ctx, "kill", (0, _CMP_NE, pid, 0))
        _rule(lib, ctx, "tgkill", (0, _CMP_NE, pid, 0))
        _rule(lib, ctx, "prlimit64", (0, _CMP_NE, 0, 0))
        # Scheduling, priority and memory placement only of itself: with the engine's uid
        # (not root), these would reach the engine and every other process of the user
        # (setpriority(PRIO_USER, 0, 19) renices them all).
        for name in _SELF_ONLY_BY_PID:
            _rule(lib, ctx, name, (0, _CMP_NE, 0, 0))
        _rule(lib, ctx, "setpriority", (0, _CMP_NE, 0, 0))  # which: PRIO_PROCESS only
        _rule(lib, ctx, "setpriority", (1, _CMP_NE, 0, 0))  # who: itself (0) only
        _rule(lib, ctx, "ioprio_set", (1, _CMP_NE, 0, 0))
        _rule(lib, ctx, "ioctl", (1, _CMP_MASKED_EQ, 0xFFFFFFFF, _TIOCSTI))
        _rule(lib, ctx, "ioctl", (1, _CMP_MASKED_EQ, 0xFFFFFFFF, _TIOCLINUX))
        for command in _FCNTL_SIGNAL_TARGETS:
            _rule(lib, ctx, "fcntl", (1, _CMP_MASKED_EQ, 0xFFFFFFFF, command))
            _rule(lib, ctx, "fcntl64", (1, _CMP_MASKED_EQ, 0xFFFFFFFF, command))
        for request in _IOCTL_SIGNAL_TARGETS:
            _rule(lib, ctx, "ioctl", (1, _CMP_MASKED_EQ, 0xFFFFFFFF, request))
        code = lib.seccomp_load(ctx)
        if code != 0:
            raise ConfinementError(f"seccomp_load failed: {os.strerror(-code)}")
    finally:
        lib.seccomp_release(ctx)


def _rule(lib: Any, ctx: int, name: str, *conditions: tuple[int, int, int, int]) -> None:
    number = lib.seccomp_syscall_resolve_name(name.encode())
    if number == -1:  # __NR_SCMP_ERROR: no such system call on this architecture
        return
    args = (_ArgCmp * max(1, len(conditions)))(*(_ArgCmp(*c) for c in conditions))
    code = lib.seccomp_rule_add_array(ctx, _ACT_EPERM, number, len(conditions), args)
    if code != 0:
        raise ConfinementError(f"seccomp rule for {name} failed: {os.strerror(-code)}")


def _limit_resources(highest: int) -> None:
    # Not RLIMIT_FSIZE: the worker's stderr is the engine's, and when that is a regular file
    # (a log), any write to it past the limit would kill the worker (SIGXFSZ).
    for limit, value in ((resource.RLIMIT_NOFILE, highest + 1), (resource.RLIMIT_CORE, 0),
                         (resource.RLIMIT_NPROC, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError) as exc:
            raise ConfinementError(f"could not set resource limit {limit}: {exc}") from exc


def _open_fds() -> list[str]:
    try:
        return os.listdir("/proc/self/fd")
    except OSError:
        return [str(fd) for fd in range(3, 256) if _is_open(fd)]


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
