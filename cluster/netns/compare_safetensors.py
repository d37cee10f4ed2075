#!/usr/bin/env python3
"""Compare two .safetensors files tensor by tensor (stdlib only; NumPy not needed).

    compare_safetensors.py A.safetensors B.safetensors [--rtol 1e-5]

Both files must hold the same tensor names, dtypes and shapes. For every element the
relative difference is |a - b| / max(|a|, |b|, floor), where floor = 1e-3 * max|b| over
that tensor (so elements that are ~0 are judged against the tensor's scale instead of
blowing up). Prints the worst tensor and exits 1 when the maximum exceeds rtol.
"""
import array
import json
import struct
import sys

DTYPES = {"F32": "f", "F64": "d", "I32": "i", "I64": "q", "I16": "h", "U8": "B", "I8": "b"}


def load(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        code = DTYPES.get(meta["dtype"])
        if code is None:
            raise SystemExit(f"{path}: tensor {name}: unsupported dtype {meta['dtype']}")
        lo, hi = meta["data_offsets"]
        a = array.array(code)
        a.frombytes(data[lo:hi])
        if sys.byteorder != "little":
            a.byteswap()
        count = 1
        for d in meta["shape"]:
            count *= d
        if len(a) != count:
            raise SystemExit(f"{path}: tensor {name}: {len(a)} elements, shape says {count}")
        out[name] = (meta["dtype"], tuple(meta["shape"]), a)
    return out


def main(argv):
    rtol = 1e-5
    paths = []
    i = 0
    while i < len(argv):
        if argv[i] == "--rtol":
            rtol = float(argv[i + 1])
            i += 2
        else:
            paths.append(argv[i])
            i += 1
    if len(paths) != 2:
        sys.stderr.write(__doc__)
        return 2
    a, b = load(paths[0]), load(paths[1])
    if set(a) != set(b):
        print(f"tensor names differ: only in A {sorted(set(a) - set(b))}, only in B {sorted(set(b) - set(a))}")
        return 1
    worst, worst_name, total = 0.0, None, 0
    for name in sorted(a):
        (da, sa, xa), (db, sb, xb) = a[name], b[name]
        if (da, sa) != (db, sb):
            print(f"{name}: dtype/shape differ: {da}{list(sa)} vs {db}{list(sb)}")
            return 1
        floor = 1e-3 * max((abs(v) for v in xb), default=0.0) or 1e-30
        for u, v in zip(xa, xb):
            if u != u or v != v:  # NaN
                print(f"{name}: NaN present")
                return 1
            r = abs(u - v) / max(abs(u), abs(v), floor)
            if r > worst:
                worst, worst_name = r, name
        total += len(xa)
    print(f"compared {len(a)} tensors, {total} values: max relative difference {worst:.3e}"
          f"{' in ' + worst_name if worst_name else ''} (bound {rtol:g})")
    return 0 if worst <= rtol else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
