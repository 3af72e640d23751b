#!/usr/bin/env python3
"""The SAGA benchmark of the stochastic solvers issue, side by side in one run: scikit-learn's
LogisticRegression(solver="saga", penalty="l1") against `proxjit solve --algorithm saga` on the
same sparse data.

make_classification(20000, 5000, density 0.002, seed 0) written by proxjit_make_sparse_data as a
LIBSVM file; C = 1 in scikit-learn's scaling, C sum_i log(1 + exp(-y_i w'x_i)) + |w|_1, which is
proxjit's 1/n sum_i log(1 + exp(-y_i w'x_i)) + lambda |w|_1 with lambda = 1/(C n). proxjit runs
until its objective is within 1e-6 (relative) of scikit-learn's. Needs python3-sklearn.

usage: saga_vs_sklearn.py BUILD_DIR [WORKDIR]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression


def objective(A, b, w, lam):
    margins = b * (A @ w)
    return np.logaddexp(0.0, -margins).mean() + lam * np.abs(w).sum()


def main():
    build = sys.argv[1]
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="proxjit_saga_")
    data = os.path.join(work, "train.svm")
    subprocess.run([os.path.join(build, "bench", "proxjit_make_sparse_data"), data,
                    "20000", "5000", "0.002", "0"], check=True, capture_output=True)
    A, b = load_svmlight_file(data, n_features=5000)
    n = A.shape[0]
    C = 1.0
    lam = 1.0 / (C * n)

    model = LogisticRegression(penalty="l1", solver="saga", C=C, tol=1e-6, fit_intercept=False,
                               max_iter=100000)
    start = time.perf_counter()
    model.fit(A, b)
    sklearn_seconds = time.perf_counter() - start
    target = objective(A, b, model.coef_.ravel(), lam)

    result = None
    for epochs in (10, 20, 50, 100, 200, 500, 1000, 2000):
        out = subprocess.run(
            [os.path.join(build, "tools", "proxjit"), "solve", "--f", "logistic", "--data", data,
             "--r", f"l1(lambda={lam!r})", "--algorithm", "saga", "--epochs", str(epochs),
             "--tol", "0", "--seed", "0", "--json", "--no-cache"],
            check=True, capture_output=True, text=True).stdout
        result = json.loads(out)
        if result["objective"] <= target + 1e-6 * abs(target):
            break
    print(f"L1 logistic regression, {n} x {A.shape[1]} CSR (density 0.002), C = {C}")
    print(f"  scikit-learn saga (tol 1e-6)   {sklearn_seconds:9.3f} s   objective {target:.10g}"
          f"  ({model.n_iter_[0]} epochs)")
    print(f"  proxjit saga                   {result['timing']['run_s']:9.3f} s   objective "
          f"{result['objective']:.10g}  ({result['iterations']} epochs; first call "
          f"{result['timing']['first_call_s']:.3f} s with the compile)")
    print(f"  time ratio proxjit / scikit-learn: "
          f"{result['timing']['run_s'] / sklearn_seconds:.3f}x (target <= 0.1x)")


if __name__ == "__main__":
    main()
