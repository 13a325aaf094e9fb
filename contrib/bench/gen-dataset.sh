#!/usr/bin/env bash
# Generates the sync benchmark dataset: by default ~1 GiB — 10,000 files of 1–64 KiB,
# 20 files of 5–20 MiB and 2 files of 200 MiB — with reproducible pseudo-random content.
#   contrib/bench/gen-dataset.sh DIR [SCALE]
# SCALE (default 1.0) multiplies the file counts and the large-file sizes, for a quicker run
# on a shared machine (e.g. 0.25). Content is incompressible; names are spread over 100 dirs.
set -euo pipefail
DIR=${1:?usage: gen-dataset.sh DIR [SCALE]}
SCALE=${2:-1.0}
mkdir -p "$DIR"
python3 - "$DIR" "$SCALE" <<'PY'
import os, random, sys
root, scale = sys.argv[1], float(sys.argv[2])
rng = random.Random(20261126)
def write(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(left, 1 << 20)
            f.write(rng.randbytes(n))
            left -= n
small = max(1, int(10000 * scale))
for i in range(small):
    write(f"{root}/small/d{i % 100:02d}/f{i:05d}.bin", rng.randint(1 << 10, 64 << 10))
for i in range(max(1, int(20 * scale))):
    write(f"{root}/medium/m{i:02d}.bin", rng.randint(5 << 20, 20 << 20))
for i in range(2):
    write(f"{root}/large/l{i}.bin", int((200 << 20) * scale))
print(f"gen-dataset: wrote {small} small, {max(1, int(20 * scale))} medium, 2 large files under {root}")
PY
