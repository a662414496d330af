#!/usr/bin/env python3
"""Opens COUNT IMAP sessions over implicit TLS, logs each in and leaves it idle
(SELECT INBOX, then IDLE), then waits for a line on stdin before closing them all.
Prints "ready N" once every session is idling. Used by scripts/bench-imap-idle.sh.

Usage: imap-idle-sessions.py HOST:PORT CA_PEM USER SECRET_FILE COUNT
"""
import asyncio
import ssl
import sys

address, ca, user, secret_file, count = sys.argv[1:6]
host, port = address.rsplit(":", 1)
secret = open(secret_file).read().strip()
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False


async def expect(reader, tag):
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("closed")
        if line.startswith(tag):
            if b" OK" not in line:
                raise RuntimeError(line)
            return


async def session(n, gate):
    async with gate:
        reader, writer = await asyncio.open_connection(
            host, int(port), ssl=context, server_hostname="localhost"
        )
        await reader.readline()  # greeting
        writer.write(b"a LOGIN %s %s\r\n" % (user.encode(), secret.encode()))
        await expect(reader, b"a ")
        writer.write(b"b SELECT INBOX\r\n")
        await expect(reader, b"b ")
        writer.write(b"c IDLE\r\n")
        line = await reader.readline()
        if not line.startswith(b"+"):
            raise RuntimeError(line)
    return writer


async def main():
    gate = asyncio.Semaphore(100)
    writers = await asyncio.gather(*(session(n, gate) for n in range(int(count))))
    print("ready", len(writers), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for w in writers:
        w.close()


asyncio.run(main())
