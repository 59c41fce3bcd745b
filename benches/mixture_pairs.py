#!/usr/bin/env python3
"""The two 10^4-component mixtures of benches/mixture.rs as `--pairs` lines (P<TAB>Q).

    python3 benches/mixture_pairs.py apart   > /tmp/mix_apart.tsv
    python3 benches/mixture_pairs.py crowded > /tmp/mix_crowded.tsv
    /usr/bin/time target/release/kl-explorer compute --pairs /tmp/mix_apart.tsv --json

Same formula as `normal_mixture` in benches/mixture.rs (no random numbers): "apart" is
normal(i, 0.2–0.4) against normal(n/2, n/3), "crowded" normals in [−3, 3] with σ 0.5–1.5
against normal(0, 3); weights 1–5.
"""

import sys


def rust_float(x: float) -> str:
    """A float as Rust's `{}` prints it (shortest round trip, no exponent, no `.0`)."""
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def normal_mixture(n: int, crowded: bool, shift: float) -> str:
    parts = []
    for i in range(n):
        w = 1 + (i * 7) % 5
        if crowded:
            m = ((i * 7919) % 6000) / 1000.0 - 3.0
            s = 0.5 + ((i * 13) % 11) / 10.0
        else:
            m = float(i)
            s = 0.2 + ((i * 13) % 3) / 10.0
        parts.append(f"{w}*normal({rust_float(m + shift)}, {rust_float(s)})")
    return " + ".join(parts)


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "apart"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    if which == "apart":
        p = normal_mixture(n, False, 0.0)
        q = f"normal({rust_float(n / 2.0)}, {rust_float(n / 3.0)})"
    elif which == "crowded":
        p = normal_mixture(n, True, 0.0)
        q = "normal(0, 3)"
    else:
        sys.exit("usage: mixture_pairs.py apart|crowded [n]")
    print(f"{p}\t{q}")


if __name__ == "__main__":
    main()
