#!/usr/bin/env python3
"""The Lasso benchmark of the solvers issue, side by side in one run: scikit-learn's Lasso
(coordinate descent) against `proxjit solve --algorithm cd` on the same data.

Dense 5000 x 1000 Gaussian design, 50 true nonzeros, noise 0.1, lambda 0.05 with the 1/(2n)
scaling of both tools. Needs python3-numpy and python3-sklearn (`make bench-sklearn` installs
them). Prints times, their ratio, both objectives and proxjit's duality gap.

usage: lasso_vs_sklearn.py PROXJIT [WORKDIR]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.linear_model import Lasso


def objective(A, b, x, lam):
    r = A @ x - b
    return 0.5 * (r @ r) / A.shape[0] + lam * np.abs(x).sum()


def main():
    proxjit = sys.argv[1]
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="proxjit_lasso_")
    rng = np.random.default_rng(0)
    n, d, k, lam = 5000, 1000, 50, 0.05
    A = rng.standard_normal((n, d))
    truth = np.zeros(d)
    truth[rng.choice(d, k, replace=False)] = rng.standard_normal(k)
    b = A @ truth + 0.1 * rng.standard_normal(n)
    np.save(os.path.join(work, "A.npy"), A)
    np.save(os.path.join(work, "b.npy"), b)

    best_sklearn, model = float("inf"), None
    for _ in range(3):
        model = Lasso(alpha=lam, tol=1e-10, fit_intercept=False, max_iter=100000)
        start = time.perf_counter()
        model.fit(A, b)
        best_sklearn = min(best_sklearn, time.perf_counter() - start)
    sklearn_objective = objective(A, b, model.coef_, lam)

    # proxjit to at least scikit-learn's accuracy: tighten until its objective is no worse.
    for tol in (1e-6, 1e-8, 1e-10):
        out = subprocess.run(
            [proxjit, "solve", "--f", "least_squares", "--A", os.path.join(work, "A.npy"),
             "--b", os.path.join(work, "b.npy"), "--r", f"l1(lambda={lam})", "--algorithm", "cd",
             "--tol", str(tol), "--max-iter", "100000", "--repeat", "3", "--json"],
            check=True, capture_output=True, text=True).stdout
        result = json.loads(out)
        if result["objective"] <= sklearn_objective + 1e-12 * abs(sklearn_objective):
            break
    run = result["timing"]["run_s"]
    print(f"Lasso {n} x {d}, lambda {lam}: best of 3 runs")
    print(f"  scikit-learn Lasso (cd, tol 1e-10)   {best_sklearn * 1e3:9.1f} ms   "
          f"objective {sklearn_objective:.12g}  ({model.n_iter_} epochs)")
    print(f"  proxjit --algorithm cd (tol {tol:g})     {run * 1e3:9.1f} ms   "
          f"objective {result['objective']:.12g}  ({result['iterations']} epochs, "
          f"duality gap {result['duality_gap']:.2e})")
    print(f"  proxjit / scikit-learn time          {run / best_sklearn:9.2f}x"
          f"   (first call, compile included: {result['timing']['first_call_s'] * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
