"""pass^k, tau-bench's reliability figure: the chance that k trials of the same dialogue
all pass, estimated without bias from n >= k trials with c passes as C(c, k) / C(n, k),
averaged over dialogues (Yao et al., tau-bench, 2024)."""

from __future__ import annotations

from collections.abc import Iterable
from math import comb


def pass_hat_k(outcomes: Iterable[tuple[int, int]], k: int) -> float | None:
    """Mean over dialogues of C(c, k) / C(n, k); `outcomes` are (n trials, c passed).
    None when there is no dialogue; k must not exceed any n."""
    values = []
    for n, c in outcomes:
        if not 0 <= c <= n:
            raise ValueError(f"passed trials {c} outside 0..{n}")
        if not 1 <= k <= n:
            raise ValueError(f"k={k} needs 1 <= k <= n={n}")
        values.append(comb(c, k) / comb(n, k))
    return sum(values) / len(values) if values else None
