"""Peak memory (VmHWM, from /usr/bin/time -f %M) of `kl-explorer` opening crafted inputs.

    python3 benches/peak_rss.py [--bins 10000000] [--binary target/release/kl-explorer]

- a CSV of N bins (`left,right,count`) compared with normal(0, 1) by `compute`;
- a PNG whose `kl-explorer:session` iTXt chunk is a zlib bomb (inflates to 256 MiB of
  spaces, past the 64 MiB limit), opened with `kl-explorer FILE --screenshot` under xvfb-run;
- a session JSON just under the 64 MiB session limit whose P embeds a histogram CSV of
  about 3.3 million bins (the file it names does not exist, so the embedded text is used),
  and the same session in a PNG's iTXt chunk, zlib-compressed, each opened with
  `kl-explorer FILE --screenshot` under xvfb-run.
Figures go to docs/PERFORMANCE.md ("Peak memory on crafted inputs").
"""
import argparse, os, struct, subprocess, tempfile, zlib


def chunk(kind, data):
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(path, inflated=256 << 20):
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(b" " * (1 << 20)) for _ in range(inflated >> 20)) + comp.flush()
    itxt = b"kl-explorer:session\x00\x01\x00\x00\x00" + body
    raw = zlib.compress(b"\x00\x00\x00\x00")  # one white-ish 1×1 RGB row
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    png += chunk(b"iTXt", itxt) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)
    return len(png)


def big_session(limit=64 << 20):
    """A valid session whose P embeds as many `left,right,count` rows as fit under `limit`."""
    head = ('{"format": "kl-explorer-session", "version": 1, "app_version": "0.1.0", '
            '"p": {"spec": "/nonexistent/train.csv", "kind": "csv", "embedded_csv": "')
    tail = '"}, "q": {"spec": "normal(0, 1)", "kind": "spec"}, "unit": "nats"}'
    rows, size, i = ["left,right,count\\n"], len(head) + len(tail) + 20, 0
    while True:
        row = f"{-10 + i * 6e-6:.10g},{-10 + (i + 1) * 6e-6:.10g},{1 + i % 7}\\n"
        if size + len(row) >= limit - 1024:
            break
        rows.append(row)
        size += len(row)
        i += 1
    return head + "".join(rows) + tail, i


def session_png(path, text):
    body = zlib.compress(text.encode(), 9)
    itxt = b"kl-explorer:session\x00\x01\x00\x00\x00" + body
    raw = zlib.compress(b"\x00\x00\x00\x00")
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    png += chunk(b"iTXt", itxt) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)
    return len(png)


def peak_kb(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%M %e"] + cmd, capture_output=True, text=True)
    kb, secs = r.stderr.strip().splitlines()[-1].split()
    return int(kb), float(secs), r.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bins", type=int, default=10_000_000)
    ap.add_argument("--binary", default="target/release/kl-explorer")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        csv = os.path.join(d, "bins.csv")
        with open(csv, "w") as f:
            f.write("left,right,count\n")
            step = 20.0 / a.bins
            for i in range(a.bins):
                f.write(f"{-10 + i * step:.10g},{-10 + (i + 1) * step:.10g},{1 + i % 7}\n")
        size = os.path.getsize(csv)
        kb, secs, rc = peak_kb([a.binary, "compute", "--p", csv, "--q", "normal(0, 1)"])
        print(f"CSV {a.bins} bins ({size / 1e6:.0f} MB): peak {kb / 1024:.0f} MiB, {secs:.2f} s, exit {rc}")
        png = os.path.join(d, "bomb.png")
        n = bomb_png(png)
        shot = os.path.join(d, "shot.png")
        kb, secs, rc = peak_kb(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", a.binary,
                                png, "--screenshot", shot, "--size", "1400x900"])
        print(f"PNG bomb ({n / 1e3:.0f} kB, inflates to 256 MiB): peak {kb / 1024:.0f} MiB "
              f"(xvfb-run's own children included), {secs:.2f} s, exit {rc}")
        text, rows = big_session()
        js = os.path.join(d, "big_session.json")
        with open(js, "w") as f:
            f.write(text)
        xvfb = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", a.binary]
        kb, secs, rc = peak_kb(xvfb + [js, "--screenshot", shot, "--size", "1400x900"])
        print(f"session JSON ({len(text) / 2**20:.1f} MiB, {rows} embedded bins): peak "
              f"{kb / 1024:.0f} MiB, {secs:.2f} s, exit {rc}, picture {os.path.exists(shot)}")
        os.remove(shot) if os.path.exists(shot) else None
        pngs = os.path.join(d, "big_session.png")
        n = session_png(pngs, text)
        kb, secs, rc = peak_kb(xvfb + [pngs, "--screenshot", shot, "--size", "1400x900"])
        print(f"the same session in a PNG ({n / 2**20:.1f} MiB compressed): peak "
              f"{kb / 1024:.0f} MiB, {secs:.2f} s, exit {rc}, picture {os.path.exists(shot)}")


if __name__ == "__main__":
    main()
