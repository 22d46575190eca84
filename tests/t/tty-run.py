#!/usr/bin/env python3
"""tty-run.py TRANSCRIPT TIMES [--cols N] -- COMMAND...

Run COMMAND with its standard error on a pseudo-terminal (stdin and
stdout as this script has them), as a user's terminal would be, and
copy every byte the terminal receives into TRANSCRIPT.  TIMES gets one
line per carriage return received: the seconds since the start at which
it arrived (so that a test can see how often a line was redrawn).  The
terminal is N columns wide (default 200), and does no output processing
(a newline is not sent as CR LF).  Exits with COMMAND's status
(128 + N for a signal).
"""
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import time

args = sys.argv[1:]
transcript, times = args[0], args[1]
args = args[2:]
cols = 200
if args and args[0] == "--cols":
    cols = int(args[1])
    args = args[2:]
if args and args[0] == "--":
    args = args[1:]

master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
# No output processing: "\n" arrives as it was written, not as "\r\n".
attrs = termios.tcgetattr(slave)
attrs[1] &= ~termios.OPOST
termios.tcsetattr(slave, termios.TCSANOW, attrs)
start = time.monotonic()
child = subprocess.Popen(args, stderr=slave)
os.close(slave)
with open(transcript, "wb") as out, open(times, "w") as tf:
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:         # EIO: every holder of the slave closed it
            break
        if not data:
            break
        now = time.monotonic() - start
        out.write(data)
        for _ in range(data.count(b"\r")):
            tf.write("%.3f\n" % now)
rc = child.wait()
sys.exit(rc if rc >= 0 else 128 - rc)
