"""The documented Wilcoxon choice, written with scipy directly (the reference the tests compare to)."""

from __future__ import annotations

import numpy as np
from scipy import stats as scipy_stats


def scipy_wilcoxon(differences: np.ndarray) -> tuple[float | None, float | None]:
    """Exact distribution up to 50 pairs without ties or zeros; otherwise the normal
    approximation with Pratt's zeros and tie correction, no continuity correction."""
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    nonzero = d[d != 0]
    if not len(nonzero):
        return None, None
    no_ties = len(np.unique(np.abs(nonzero))) == len(nonzero)
    if no_ties and len(nonzero) == len(d) and len(d) <= 50:
        result = scipy_stats.wilcoxon(d, method="exact")
    else:
        result = scipy_stats.wilcoxon(d, zero_method="pratt", method="asymptotic", correction=False)
    return float(result.statistic), float(result.pvalue)
