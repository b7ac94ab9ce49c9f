#!/usr/bin/env python3
"""delay-relay.py - a TCP relay on 127.0.0.1 that adds a network's round trip

For bench/status-latency where the kernel has no netem qdisc (tc qdisc add
... netem says "Specified qdisc kind is unknown"): every chunk read on one
side is written to the other half a round trip later, in order, and the
first bytes of a connection a whole round trip more, the time a real
connection spends on its TCP handshake before the client may send.  What
it leaves out: TCP's slow start and the bandwidth (a large answer costs
more round trips on a real link than here), and losses.

    delay-relay.py --rtt-ms 100 --to PORT --port-file FILE [--stats FILE]

--stats: a line appended for each connection as it ends: the client's
flights that were answered, each a run of bytes sent after an answer (a
TLS 1.3 handshake is one, each request on the connection one more): a
connection's round trips after its TCP handshake, whatever the
processors' load.
"""

import argparse
import asyncio
import os


async def pipe(reader, writer, half, extra, state, up):
    """copy reader to writer, each chunk `half` seconds later (the first
    `extra` more), keeping the order; EOF is passed on as a half-close;
    state["flights"] counts the runs of client (up) bytes"""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(send())
    last = 0.0
    try:
        while True:
            data = await reader.read(1 << 16)
            if data and up and state["last"] != "up":
                state["flights"] += 1
            if data:
                state["last"] = "up" if up else "down"
            last = max(loop.time() + half + extra, last)
            extra = 0.0
            queue.put_nowait((last, data))
            if not data:
                break
        await sender
    except (ConnectionError, OSError):
        sender.cancel()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rtt-ms", type=float, required=True)
    ap.add_argument("--to", type=int, required=True, help="the server's port on 127.0.0.1")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--stats")
    a = ap.parse_args()
    rtt = a.rtt_ms / 1000

    async def client(creader, cwriter):
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", a.to)
        except OSError:
            cwriter.close()
            return
        state = {"flights": 0, "last": None}
        await asyncio.gather(pipe(creader, swriter, rtt / 2, rtt, state, True),
                             pipe(sreader, cwriter, rtt / 2, 0.0, state, False), return_exceptions=True)
        for w in (swriter, cwriter):
            w.close()
        # a last flight no answer followed (TLS's close_notify as the client
        # goes) is no round trip
        state["flights"] -= state["last"] == "up"
        if a.stats:
            with open(a.stats, "a") as f:
                f.write(f"{state['flights']}\n")

    server = await asyncio.start_server(client, "127.0.0.1", 0, backlog=512)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{server.sockets[0].getsockname()[1]}\n")
    os.rename(tmp, a.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
