"""A minimal SMTP sink for tests: accepts every message on 127.0.0.1:PORT and writes
each one to OUT_DIR/<n>.eml (envelope recipients on the first line). Stands for the
operator's outbound relay; it speaks plain SMTP (RFC 5321) to a real SMTP client."""
import socket
import sys
import threading

port, out_dir = int(sys.argv[1]), sys.argv[2]
count = 0
lock = threading.Lock()


def serve(conn):
    global count
    f = conn.makefile("rwb")

    def reply(text):
        f.write((text + "\r\n").encode())
        f.flush()

    reply("220 sink ESMTP")
    rcpts = []
    while True:
        line = f.readline()
        if not line:
            return
        cmd = line.decode(errors="replace").strip()
        verb = cmd.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            reply("250-sink\r\n250 8BITMIME")
        elif verb == "MAIL":
            rcpts = []
            reply("250 ok")
        elif verb == "RCPT":
            rcpts.append(cmd.split(":", 1)[1].strip())
            reply("250 ok")
        elif verb == "DATA":
            reply("354 go")
            data = b""
            while True:
                chunk = f.readline()
                if chunk in (b".\r\n", b".\n", b""):
                    break
                data += chunk
            with lock:
                count += 1
                n = count
            with open(f"{out_dir}/{n}.eml", "wb") as out:
                out.write((" ".join(rcpts) + "\n").encode() + data)
            reply("250 queued")
        elif verb == "QUIT":
            reply("221 bye")
            return
        else:
            reply("250 ok")


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()
print("ready", flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
