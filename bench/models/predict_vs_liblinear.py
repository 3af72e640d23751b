#!/usr/bin/python3
"""`proxjit predict` against `liblinear-predict` (Debian liblinear-tools) on a large LIBSVM file.

Usage: bench/models/predict_vs_liblinear.py [BUILD_DIR] [--rows N] [--repeat R]

Both sides predict the same file (default 300000 rows x 2000 features, 25 nonzeros per row,
about 100 MB) with the same linear model: proxjit's model file from `proxjit fit` on the first
rows, and that model's coefficients written as a liblinear model file. Each side is timed as a
whole process (parsing the file, predicting, writing one label per line), best of R runs,
alternating. The predictions are compared line by line.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("build", nargs="?", default="build")
parser.add_argument("--rows", type=int, default=300000)
parser.add_argument("--repeat", type=int, default=3)
args = parser.parse_args()
proxjit = os.path.join(args.build, "tools", "proxjit")
features, per_row = 2000, 25

rng = np.random.default_rng(3)
truth = rng.standard_normal(features) * (rng.random(features) < 0.1)
with tempfile.TemporaryDirectory() as work:
    data = os.path.join(work, "test.svm")
    with open(data, "w") as out:
        for start in range(0, args.rows, 10000):
            rows = min(10000, args.rows - start)
            cols = np.sort(np.argsort(rng.random((rows, features)), axis=1)[:, :per_row], axis=1)
            vals = rng.standard_normal((rows, per_row))
            margins = (vals * truth[cols]).sum(axis=1)
            labels = np.where(margins + 0.3 * rng.standard_normal(rows) > 0, 1, -1)
            out.write("".join(
                f"{labels[i]} " + " ".join(f"{c + 1}:{v:.6g}" for c, v in zip(cols[i], vals[i])) +
                "\n" for i in range(rows)))
    size_mb = os.path.getsize(data) / 1e6
    train = os.path.join(work, "train.svm")
    with open(data) as src, open(train, "w") as dst:
        for _, line in zip(range(20000), src):
            dst.write(line)
    model = os.path.join(work, "model.json")
    subprocess.run([proxjit, "fit", "--f", "logistic", "--r", "l1(lambda=0.001)", "--data", train,
                    "--n-features", str(features), "--model-out", model, "--no-cache"],
                   check=True, capture_output=True)
    saved = json.load(open(model))
    co = saved["outputs"][0]["coefficients"]
    w = np.zeros(features)
    if "dense" in co:
        w[:] = co["dense"]
    else:
        w[co["indices"]] = co["values"]
    liblinear_model = os.path.join(work, "model.liblinear")
    with open(liblinear_model, "w") as out:
        # The first label's score is w'x: proxjit's +1 class (classes[1]) goes first.
        out.write(f"solver_type L1R_LR\nnr_class 2\nlabel 1 -1\nnr_feature {features}\n"
                  "bias -1\nw\n" + "".join(f"{v!r} \n" for v in w))

    def timed(command):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - start

    ours, theirs = [], []
    for _ in range(args.repeat):
        ours.append(timed([proxjit, "predict", "--model", model, "--data", data, "--out",
                           os.path.join(work, "ours.txt")]))
        theirs.append(timed(["liblinear-predict", data, liblinear_model,
                             os.path.join(work, "theirs.txt")]))
    a = np.loadtxt(os.path.join(work, "ours.txt"))
    b = np.loadtxt(os.path.join(work, "theirs.txt"))
    print(f"predict on a {size_mb:.0f} MB LIBSVM file ({args.rows} rows, {features} features); "
          f"best of {args.repeat}, whole processes")
    print(f"  proxjit predict    {min(ours):7.3f} s")
    print(f"  liblinear-predict  {min(theirs):7.3f} s")
    print(f"  ratio              {min(ours) / min(theirs):7.3f}")
    print(f"  predictions that differ: {int((a != b).sum())} of {len(a)}")
