#!/usr/bin/python3
"""Regularization paths, proxjit against glmnet (Debian r-cran-glmnet), side by side.

Usage: bench/path_vs_glmnet/run.py [BUILD_DIR] [--repeat N] [--quick]

Both sides solve the same problems on the same lambdas (proxjit's `--grid auto:COUNT:RATIO`,
glmnet's own rule: from lambda_max down, log-spaced), warm-started along the path:
  least squares  1/(2n) |Ax - y|^2 + lambda |x|_1
  logistic       1/n sum log(1 + exp(-y a'x)) + lambda |x|_1
glmnet runs with standardize=FALSE, intercept=FALSE, thresh=1e-14; proxjit with cd and --tol
1e-10. Each side is timed the same way: the whole path call with the data already in memory
(glmnet: system.time of glmnet(); proxjit: the path's path_s, which includes the one kernel
lookup, and in the first run its compile, reported apart). Best of N runs, alternating sides.
Accuracy: at every point both objectives are evaluated by this script from the coefficients in
float64, and the table gives the largest relative excess of proxjit's over glmnet's (negative:
proxjit is lower everywhere).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def make(out, n, d, k, seed, density=1.0):
    os.makedirs(out, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(HERE, "make_data.py"), out, str(n), str(d),
                    str(k), "0.1", str(seed), str(density)], check=True)


def objective(family, A, y, lam, x):
    z = A @ x
    n = A.shape[0]
    smooth = (np.sum((z - y) ** 2) / (2 * n) if family == "gaussian"
              else np.mean(np.logaddexp(0.0, -y * z)))
    return smooth + lam * np.abs(x).sum()


def run_proxjit(proxjit, data, family, sparse, count, ratio, x_out):
    loss = "least_squares" if family == "gaussian" else "logistic"
    if sparse:
        inputs = ["--data", os.path.join(data, "regression.svm" if family == "gaussian"
                                         else "classification.svm")]
    else:
        inputs = ["--A", os.path.join(data, "A.npy"),
                  "--b", os.path.join(data, "y.npy" if family == "gaussian" else "labels.npy")]
    command = [proxjit, "path", "--f", loss, "--r", "l1", *inputs, "--algorithm", "cd",
               "--tol", "1e-10", "--max-iter", "10000000", "--grid", f"auto:{count}:{ratio}",
               "--json", "--x-out", x_out]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def run_glmnet(data, family, sparse, lambdas):
    with open(os.path.join(data, "lambdas.txt"), "w") as f:
        f.write("\n".join(repr(v) for v in lambdas) + "\n")
    result = subprocess.run(["Rscript", os.path.join(HERE, "glmnet_path.R"), data,
                             "gaussian" if family == "gaussian" else "binomial",
                             "sparse" if sparse else "dense"],
                            check=True, capture_output=True, text=True)
    lines = result.stdout.split("\n")
    seconds = float(lines[0].split()[1])
    points = [line.split() for line in lines[1:] if line.strip()]
    return seconds, points


def load_design(data, sparse, family):
    if not sparse:
        A = np.load(os.path.join(data, "A.npy"))
    else:
        from sklearn.datasets import load_svmlight_file
        name = "regression.svm" if family == "gaussian" else "classification.svm"
        A, _ = load_svmlight_file(os.path.join(data, name))
    y = np.load(os.path.join(data, "y.npy" if family == "gaussian" else "labels.npy"))
    return A, y


def compare(title, proxjit, data, family, sparse, count, ratio, repeat):
    x_out = os.path.join(data, "x_path.npy")
    runs = []
    glmnet_seconds = []
    for _ in range(repeat):
        runs.append(run_proxjit(proxjit, data, family, sparse, count, ratio, x_out))
        lambdas = [p["value"] for p in runs[0]["points"]]
        seconds, glmnet_points = run_glmnet(data, family, sparse, lambdas)
        glmnet_seconds.append(seconds)
    A, y = load_design(data, sparse, family)
    X = np.load(x_out).T  # --x-out holds one column per point
    worst = -np.inf
    glmnet_nonzeros = proxjit_nonzeros = 0
    for i, lam in enumerate(lambdas):
        ours = objective(family, A, y, lam, X[i][:A.shape[1]])
        theirs = float(glmnet_points[i][1])  # glmnet's objective, computed in R in float64
        worst = max(worst, (ours - theirs) / abs(theirs))
        glmnet_nonzeros = int(glmnet_points[i][2])
        proxjit_nonzeros = runs[0]["points"][i]["nonzeros"]
    best = min(run["path_s"] for run in runs)
    first = runs[0]
    epochs = sum(p["iterations"] for p in first["points"])
    g = min(glmnet_seconds)
    print(f"| {title} | {g:.3f} s | {best:.3f} s (**{best / g:.2f}x**) | "
          f"{first['compile_s']:.3f} s | {epochs} | {worst:.1e} | "
          f"{proxjit_nonzeros} / {glmnet_nonzeros} |", flush=True)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    repeat = 3
    if "--repeat" in sys.argv:
        repeat = int(sys.argv[sys.argv.index("--repeat") + 1])
        args = [a for a in args if a != str(repeat)]
    build = args[0] if args else os.path.join(HERE, "..", "..", "build")
    proxjit = os.path.join(build, "tools", "proxjit")
    quick = "--quick" in sys.argv
    work = tempfile.mkdtemp(prefix="pathbench.")
    n, d = (1000, 200) if quick else (5000, 1000)
    print(f"| path ({n} x {d} unless noted) | glmnet | proxjit path_s (ratio) | proxjit compile "
          "(first run) | proxjit epochs | max rel. objective excess over glmnet | nonzeros at "
          "the end (proxjit / glmnet) |")
    print("|---|---|---|---|---|---|---|")
    dense = os.path.join(work, "dense")
    make(dense, n, d, 50, 0)
    compare("Lasso, dense, 100 lambdas to lambda_max/100", proxjit, dense, "gaussian", False,
            100, 0.01, repeat)
    compare("L1-logistic, dense, 50 lambdas to lambda_max/100", proxjit, dense, "logistic",
            False, 50, 0.01, repeat)
    sparse = os.path.join(work, "sparse")
    make(sparse, 4 * n, 4 * d, 100, 1, 0.01)
    compare(f"Lasso, CSR {4 * n} x {4 * d} 1% dense, 100 lambdas to lambda_max/100", proxjit,
            sparse, "gaussian", True, 100, 0.01, repeat)
    compare(f"L1-logistic, CSR {4 * n} x {4 * d} 1% dense, 50 lambdas to lambda_max/100",
            proxjit, sparse, "logistic", True, 50, 0.01, repeat)
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
