"""How texts are compared for near-duplicates: one frozen record, its defaults written once."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class NearDupSettings:
    """How texts are compared. `threshold` may change at any time; the others fix the index."""

    threshold: float = 0.9   # estimated Jaccard at or above which two texts are one report
    shingle: int = 2         # characters per shingle: bigrams keep most 2%-edited copies above 0.9
                             # while different reports stay near 0.2 (see `make bench-dedup`)
    num_perm: int = 128
    bands: int = 16          # 16 bands x 8 rows: P(candidate) 0.9999 at 0.9, 0.6 at 0.7
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold {self.threshold!r} must be in (0, 1]")
        if self.num_perm % self.bands:
            raise ValueError(f"num_perm {self.num_perm} is not a multiple of bands {self.bands}")
