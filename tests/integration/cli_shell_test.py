#!/usr/bin/env python3
"""Drives the interactive sbcctl through a pseudo-terminal, as an engineer at a console would:
Tab completion of a keyword, `?` listing the choices with their help, the modes and their
prompts, a commit that applies, an abort that does not, a bad line answered with the word.

usage: cli_shell_test.py SBCCTL SOCKET HOME   (exit 0 when every check passed)
"""
import os
import pty
import re
import select
import sys
import time

SBCCTL, SOCKET, HOME = sys.argv[1:4]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]|[\x07\x08]|\r")
failures = []

pid, fd = pty.fork()
if pid == 0:
    os.environ.update({"TERM": "vt100", "HOME": HOME})
    os.execv(SBCCTL, [SBCCTL, "-s", SOCKET])

seen = ""  # everything the terminal showed since the last expect, escapes removed


def read_for(seconds):
    global seen
    deadline = time.time() + seconds
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        seen += ANSI.sub("", data.decode("utf-8", "replace"))


def expect(what, text, timeout=10.0):
    """Waits until `text` has appeared on the terminal; records a failure if it does not."""
    global seen
    deadline = time.time() + timeout
    while text not in seen and time.time() < deadline:
        read_for(0.1)
    ok = text in seen
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else f": {text!r} not in {seen[-600:]!r}"))
    if not ok:
        failures.append(what)
    shown = seen
    seen = seen[seen.index(text) + len(text):] if ok else ""
    return shown


def send(keys):
    os.write(fd, keys.encode())


expect("the shell starts in exec mode", "sbc>")
send("conf\t")
expect("Tab completes 'conf' to 'configure '", "configure ")
send("\r")
expect("configure enters config mode", "sbc(config)#")
send("acl edge\r")
expect("acl NAME enters its own mode", "sbc(config-acl)#")
send("10 deny udp ?")
shown = expect("? lists the source choices with their help", "Any source address, IPv4 or IPv6")
for word in ("host", "A.B.C.D/M", "X:X::X:X/M"):
    if word not in shown:
        failures.append(f"? lists {word}")
        print(f"FAIL ? lists {word}: {shown!r}")
expect("? keeps the line typed so far", "10 deny udp ")
send("203.0.113.0/24 any eq 5060\r")
expect("a good rule line is taken", "sbc(config-acl)#")
send("20 deny udp any any eq 99999\r")
expect("a bad line names the word and what was expected",
       "% unknown word '99999' at position 7; expected: (0-65535)")
send("exit\r")
expect("exit leaves the block", "sbc(config)#")
send("firewall bind access in acl edge\r")
expect("a top-level firewall line is taken", "sbc(config)#")
send("commit\r")
expect("commit applies the firewall", "committed: firewall applied")
send("end\r")
expect("end returns to exec mode", "sbc>")
send("show acl edge\r")
expect("the committed rule is running", "10 deny udp 203.0.113.0/24 any eq 5060")

send("configure\r")
expect("configure again", "sbc(config)#")
send("acl edge\r")
send("30 deny tcp any any eq 22\r")
expect("the candidate takes a rule", "sbc(config-acl)#")
send("end\r")
expect("end with uncommitted changes is refused", "uncommitted changes; commit or abort")
send("abort\r")
expect("abort returns to exec mode", "sbc>")
send("show running-config\r")
shown = expect("show running-config prints the firewall", "firewall bind access in acl edge")
if "30 deny tcp" in shown:
    failures.append("abort dropped the candidate")
    print("FAIL abort dropped the candidate: 30 deny tcp is running")
else:
    print("ok   abort dropped the candidate")
send("exit\r")
_, status = os.waitpid(pid, 0)
if os.WEXITSTATUS(status) != 0:
    failures.append("exit status")
print(("ok   " if os.WEXITSTATUS(status) == 0 else "FAIL ") + "exit leaves the shell with status 0")
history = os.path.join(HOME, ".sbcctl_history")
has_history = os.path.exists(history) and "commit" in open(history, errors="replace").read()
print(("ok   " if has_history else "FAIL ") + "the history is kept in ~/.sbcctl_history")
if not has_history:
    failures.append("history")
print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
