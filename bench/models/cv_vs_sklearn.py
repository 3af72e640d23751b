#!/usr/bin/python3
"""Cross-validation of an L1-logistic path: `proxjit cv` against scikit-learn's
LogisticRegressionCV(penalty="l1", solver="liblinear"), side by side on the same folds and grid.

Usage: bench/models/cv_vs_sklearn.py [BUILD_DIR] [--n N --d D --density P --count C --repeat R]

Data: CSR n x d (default 20000 x 5000, density 0.002), labels the signs of a sparse linear model
plus noise, no intercept on either side (liblinear would penalize it). Folds: scikit-learn's
StratifiedKFold(5, shuffle=True, random_state=0), given to proxjit as --fold-ids. Grid: proxjit's
automatic grid (50 values from lambda_max of all data down to 1e-2 lambda_max); scikit-learn gets
Cs = 1 / (lambda n_train) (its objective |w|_1 + C sum log(1 + exp(-y w'x)) is proxjit's times
1 / (C n_train)). Both score folds by log loss and refit on all data at the best value.
Timing, the same on both sides: the cross-validation call with the data in memory, refit
included (proxjit: cv_s from --json, which includes the one kernel compile, reported apart;
scikit-learn: LogisticRegressionCV.fit). Best of R runs, alternating. Accuracy: both refitted
models' objectives, evaluated here in float64; the selected lambdas are compared.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import dump_svmlight_file
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold

parser = argparse.ArgumentParser()
parser.add_argument("build", nargs="?", default="build")
parser.add_argument("--n", type=int, default=20000)
parser.add_argument("--d", type=int, default=5000)
parser.add_argument("--density", type=float, default=0.002)
parser.add_argument("--count", type=int, default=50)
parser.add_argument("--repeat", type=int, default=3)
parser.add_argument("--tol", type=float, default=1e-6)
args = parser.parse_args()
proxjit = os.path.join(args.build, "tools", "proxjit")

rng = np.random.default_rng(1)
A = sp.random(args.n, args.d, density=args.density, format="csr", random_state=2,
              data_rvs=rng.standard_normal)
truth = np.zeros(args.d)
support = rng.choice(args.d, 100, replace=False)
truth[support] = rng.choice([-1.0, 1.0], 100) * rng.uniform(1.0, 3.0, 100)
margins = A @ truth
labels = np.where(margins + 0.5 * rng.standard_normal(args.n) > 0, 1.0, -1.0)
folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(args.n), labels))
fold_ids = np.zeros(args.n)
for k, (_, test) in enumerate(folds):
    fold_ids[test] = k


def objective(w, lam):
    return np.mean(np.logaddexp(0.0, -labels * (A @ w))) + lam * np.abs(w).sum()


with tempfile.TemporaryDirectory() as work:
    data = os.path.join(work, "train.svm")
    dump_svmlight_file(A, labels, data, zero_based=False)
    ids = os.path.join(work, "folds.npy")
    np.save(ids, fold_ids)
    model = os.path.join(work, "model.json")

    def run_proxjit():
        command = [proxjit, "cv", "--f", "logistic", "--r", "l1", "--data", data, "--fold-ids", ids,
                   "--grid", f"auto:{args.count}:0.01", "--algorithm", "cd", "--tol",
                   repr(args.tol), "--max-iter", "100000", "--model-out", model, "--json",
                   "--no-cache"]
        return json.loads(subprocess.run(command, check=True, capture_output=True,
                                         text=True).stdout)

    def run_sklearn(lambdas):
        n_train = args.n - args.n // 5
        Cs = [1.0 / (lam * n_train) for lam in lambdas]
        estimator = LogisticRegressionCV(Cs=Cs, cv=folds, penalty="l1", solver="liblinear",
                                         scoring="neg_log_loss", fit_intercept=False,
                                         tol=args.tol, max_iter=10000, refit=True)
        start = time.perf_counter()
        estimator.fit(A, labels)
        return estimator, time.perf_counter() - start

    proxjit_times, sklearn_times = [], []
    first = None
    for _ in range(args.repeat):
        result = run_proxjit()
        first = first or result
        proxjit_times.append(result["cv_s"])
        lambdas = [p["value"] for p in result["points"]]
        estimator, seconds = run_sklearn(lambdas)
        sklearn_times.append(seconds)
    saved = json.load(open(model))
    coefficients = saved["outputs"][0]["coefficients"]
    w = np.zeros(args.d)
    if "dense" in coefficients:
        w[:] = coefficients["dense"]
    else:
        w[coefficients["indices"]] = coefficients["values"]
    n_train = args.n - args.n // 5
    sk_lambda = 1.0 / (estimator.C_[0] * n_train)
    ours = result["value_min"]
    print(f"cv of an L1-logistic path, CSR {args.n} x {args.d} (density {args.density}), "
          f"5 folds x {len(lambdas)} lambdas, tol {args.tol:g}; best of {args.repeat}")
    print(f"  proxjit cv              {min(proxjit_times):8.3f} s  (first run {first['cv_s']:.3f} s,"
          f" {first['compiles']} kernel compiled)")
    print(f"  sklearn LogisticRegressionCV(liblinear) {min(sklearn_times):8.3f} s")
    print(f"  ratio proxjit / sklearn {min(proxjit_times) / min(sklearn_times):8.3f}")
    print(f"  selected lambda         proxjit {ours:.6g} (index {lambdas.index(ours)}), "
          f"sklearn {sk_lambda:.6g} (index {int(np.argmin(np.abs(np.array(lambdas) - sk_lambda)))})")
    print(f"  refit objective at proxjit's lambda: proxjit {objective(w, ours):.15g}, "
          f"sklearn's coef at its own lambda {objective(estimator.coef_.ravel(), sk_lambda):.15g}")
