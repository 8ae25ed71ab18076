"""Peak memory of the sandbox while a large sendVideo upload streams into the Telegram emulator.

Starts the sandbox as its own process (python -m autopost_testing.sandbox), switches the Telegram
emulator to local-server mode (2000 MB uploads), streams a generated multipart
sendVideo body of --size-mb megabytes (built by hand, chunk by chunk, never
whole in memory) and prints the sandbox's peak RSS (VmHWM) before and after,
the upload throughput and whether the sha256 the sandbox recorded matches ours.

    .venv/bin/python -m bench.sandbox_memory [--size-mb 1024] [--chunk-kb 1024]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2

from autopost_testing.accounts import DEMO
from autopost_testing.sandbox import spawn_sandbox, stop_process
from autopost_testing.servers import free_port

ADMIN_TOKEN = DEMO["telegram_bot"]
BOUNDARY = "autopost-bench-boundary-7MA4YWxkTrZu0gW"
MIB = 1024 * 1024


def peak_rss_kib(pid: int) -> int:
    """VmHWM: the most resident memory the process has ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc status")


class MultipartVideo:
    """A sendVideo multipart body generated on the fly, hashing the file bytes as they go out."""

    def __init__(self, size: int, chunk: int) -> None:
        self.size = size
        self.chunk = chunk
        self.sha256 = hashlib.sha256()
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n@clipmaker_demo\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="supports_streaming"\r\n\r\ntrue\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="video"; filename="bench.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    @property
    def content_length(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        block = os.urandom(self.chunk)
        sent = 0
        counter = 0
        while sent < self.size:
            # A counter in every chunk keeps the bytes from repeating, so a wrong offset changes the hash.
            piece = (counter.to_bytes(8, "big") + block[8:])[: self.size - sent]
            if counter == 0:
                piece = (b"\x00\x00\x00\x18ftypmp42" + piece[12:])[: len(piece)]
            self.sha256.update(piece)
            sent += len(piece)
            counter += 1
            yield piece
        yield self.tail


def run(size_mb: int, chunk_kb: int) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sandbox = spawn_sandbox(port)
    try:
        with httpx2.Client(base_url=base, timeout=None) as client:
            client.post("/_sandbox/config", json={"telegram_local_server": True}).raise_for_status()
            before = peak_rss_kib(sandbox.pid)
            body = MultipartVideo(size_mb * MIB, chunk_kb * 1024)
            started = time.perf_counter()
            response = client.post(
                f"/telegram/bot{ADMIN_TOKEN}/sendVideo",
                content=iter(body),
                headers={
                    "content-type": f"multipart/form-data; boundary={BOUNDARY}",
                    "content-length": str(body.content_length),
                },
            )
            elapsed = time.perf_counter() - started
            after = peak_rss_kib(sandbox.pid)
            response.raise_for_status()
            posts = [p for p in client.get("/_sandbox/state").json()["posts"] if p["platform"] == "telegram"]
        report(size_mb, before, after, elapsed, body.sha256.hexdigest(), posts[-1])
    finally:
        stop_process(sandbox, timeout=10)


def report(
    size_mb: int, before: int, after: int, elapsed: float, sent_sha: str, post: dict[str, object]
) -> None:
    print(f"upload size          {size_mb} MiB ({size_mb * MIB} bytes), recorded {post['bytes']} bytes")
    print(f"sandbox peak RSS     before {before / 1024:.1f} MiB, after {after / 1024:.1f} MiB")
    growth = after - before
    print(f"peak RSS growth      {growth / 1024:.1f} MiB ({growth / (size_mb * 1024):.2%} of the upload)")
    print(f"upload time          {elapsed:.2f} s, throughput {size_mb / elapsed:.0f} MiB/s")
    print(f"sha256 sent          {sent_sha}")
    print(f"sha256 recorded      {post['sha256']}")
    print(f"sha256 match         {sent_sha == post['sha256']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size-mb", type=int, default=1024, help="upload size in MiB (default 1024)")
    parser.add_argument("--chunk-kb", type=int, default=1024, help="size of each generated chunk in KiB")
    args = parser.parse_args()
    run(args.size_mb, args.chunk_kb)


if __name__ == "__main__":
    main()
