"""Is this PNG a real picture? Prints its size, the share of dark pixels and how many
distinct colours it has; exits 1 when it looks blank. The standard library only, so the
release check needs no Python packages on the machine that checks the frozen build.

    python3 packaging/frozen/check_png.py FILE.png [--min-colours N] [--max-dark SHARE]
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type: samples per pixel (8-bit, no palette)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def read_rgb(path: str) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB bytes of an 8-bit, non-interlaced PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    position, idat, header = 8, bytearray(), None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError(f"{path}: only 8-bit non-interlaced grey/RGB/RGBA PNGs are checked")
    step = CHANNELS[colour]
    raw, stride = zlib.decompress(bytes(idat)), width * step
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - step] if x >= step else 0
            up, corner = previous[x], (previous[x - step] if x >= step else 0)
            line[x] = (line[x] + (0, left, up, (left + up) // 2, _paeth(left, up, corner))[kind]) & 0xFF
        rgb = line if step == 3 else bytes(b for i in range(0, stride, step) for b in
                                           (line[i:i + 3] if step >= 3 else line[i:i + 1] * 3))
        rows.append(bytes(rgb))
        previous = line
    return width, height, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png")
    parser.add_argument("--min-colours", type=int, default=200)
    parser.add_argument("--max-dark", type=float, default=0.9, help="most the share of near-black pixels may be")
    args = parser.parse_args(argv)
    width, height, rows = read_rgb(args.png)
    colours, dark = set(), 0
    for row in rows[::4]:  # every fourth row and column is plenty to tell a picture from a blank
        for i in range(0, len(row), 12):
            pixel = row[i:i + 3]
            colours.add(pixel)
            dark += max(pixel) < 16
    sampled = len(rows[::4]) * len(range(0, len(rows[0]), 12))
    share = dark / sampled
    print(f"{args.png}: {width}x{height}, {len(colours)} colours, {share:.0%} near-black")
    if len(colours) < args.min_colours or share > args.max_dark:
        print(f"{args.png}: looks blank (want at least {args.min_colours} colours and at most "
              f"{args.max_dark:.0%} near-black)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
