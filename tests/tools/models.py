#!/usr/bin/env python3
"""fit / predict end to end on LIBSVM files as written in the wild (zero-based, 0/1 labels, a
test file narrower than the training file, three classes). The oracle of the predictions is this
script: it reads the model file's coefficients and computes the classes itself.

usage: models.py PROXJIT WORKDIR
"""
import json
import math
import os
import random
import shutil
import subprocess
import sys

proxjit, work = sys.argv[1], sys.argv[2]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(*args, exit=0):
    result = subprocess.run([proxjit, *args], capture_output=True, text=True, timeout=300)
    print("$ proxjit", " ".join(args), "->", result.returncode)
    if result.returncode != exit:
        failures.append(f"exit {result.returncode} (expected {exit}) for {args}: {result.stderr}")
        print(result.stdout, result.stderr)
    return result


def write_svm(path, rows, labels, zero_based):
    with open(path, "w") as out:
        for row, label in zip(rows, labels):
            entries = " ".join(f"{j + (0 if zero_based else 1)}:{v!r}" for j, v in enumerate(row)
                               if v != 0.0)
            out.write(f"{label} {entries}\n")


rng = random.Random(7)
features = 12
truth = [rng.gauss(0, 1) if j < 6 else 0.0 for j in range(features)]
rows = [[rng.gauss(0, 1) for _ in range(features)] for _ in range(300)]
labels = [1 if sum(w * x for w, x in zip(truth, row)) + 0.3 * rng.gauss(0, 1) > 0 else 0
          for row in rows]
train, test = os.path.join(work, "train.svm"), os.path.join(work, "test.svm")
write_svm(train, rows[:200], labels[:200], zero_based=True)  # scikit-learn's default
# The test file never uses the last two features: it is narrower than the training file.
test_rows = [row[:10] for row in rows[200:]]
write_svm(test, test_rows, labels[200:], zero_based=True)
model = os.path.join(work, "m.json")

fitted = run("fit", "--f", "logistic", "--r", "l1(lambda=0.02)", "--data", train, "--intercept",
             "--model-out", model, "--zero-based", "--no-cache")
check("labels read as 0 -> -1, 1 -> +1" in fitted.stderr, "no note on the label map")
check("model written to" in fitted.stdout, "fit does not say where the model is")
saved = json.load(open(model))
check(saved["format"] == "proxjit-model" and saved["version"] == 1, "model file header")
check(saved["classes"] == [0, 1] and saved["features"] == features, "model classes/features")
output = saved["outputs"][0]
coefficients = output["coefficients"]
if "dense" in coefficients:
    w = coefficients["dense"]
else:
    w = [0.0] * features
    for j, v in zip(coefficients["indices"], coefficients["values"]):
        w[j] = v
c = output["intercept"]
check(output["training"]["status"] == "converged", "the fit did not converge")

# predict: the classes this script computes from the file's numbers.
predictions = os.path.join(work, "p.txt")
scored = run("predict", "--model", model, "--data", test, "--metrics", "--out", predictions)
expected = [1 if sum(wj * xj for wj, xj in zip(w, row)) + c > 0 else 0 for row in test_rows]
got = [float(line) for line in open(predictions)]
check(got == expected, "predictions differ from the model file's coefficients")
accuracy = sum(g == y for g, y in zip(got, labels[200:])) / len(got)
printed = dict(line.split() for line in scored.stdout.splitlines() if len(line.split()) == 2)
check(float(printed.get("accuracy", "nan")) == accuracy, f"accuracy (expected {accuracy}): {scored.stdout}")
check("roc_auc" in printed and "log_loss" in printed, "classifier metrics missing")

# --json and --proba: probabilities are the logistic of the decision value.
as_json = json.loads(run("predict", "--model", model, "--data", test, "--metrics",
                         "--json").stdout)
check(abs(as_json["metrics"]["accuracy"] - accuracy) < 1e-15, "JSON accuracy")
proba = run("predict", "--model", model, "--data", test, "--proba").stdout.splitlines()
check(proba[0] == "labels 0 1", f"--proba header: {proba[0]}")
z0 = sum(wj * xj for wj, xj in zip(w, test_rows[0])) + c
p1 = float(proba[1].split()[2])
check(abs(p1 - 1 / (1 + math.exp(-z0))) < 1e-12, "--proba is not sigmoid(z)")

# A test file with a feature the model never saw: an error naming the line, unless ignored.
extra = os.path.join(work, "extra.svm")
with open(extra, "w") as out:
    out.write("1 0:0.5 14:2\n")
refused = run("predict", "--model", model, "--data", extra, exit=2)
check("extra.svm" in refused.stderr and "--ignore-extra-features" in refused.stderr,
      f"extra feature message: {refused.stderr}")
run("predict", "--model", model, "--data", extra, "--ignore-extra-features")

# Three classes: one against the rest; `solve` points to fit.
three = os.path.join(work, "three.svm")
classes = [1 + (row[0] > 0.5) + (row[1] > 0.5) for row in rows]
write_svm(three, rows, classes, zero_based=False)
model3 = os.path.join(work, "m3.json")
hint = run("solve", "--f", "logistic", "--r", "l1(lambda=0.01)", "--data", three, "--no-cache",
           exit=2)
check("3 classes" in hint.stderr and "proxjit fit" in hint.stderr, f"hint: {hint.stderr}")
fit3 = json.loads(run("fit", "--f", "logistic", "--r", "l1(lambda=0.001)", "--data", three,
                      "--intercept", "--model-out", model3, "--json", "--no-cache").stdout)
check(fit3["multiclass"] == "one_vs_rest" and fit3["classes"] == [1, 2, 3], "OvR JSON")
check(len(fit3["outputs"]) == 3 and all(o["status"] == "converged" for o in fit3["outputs"]),
      "every class converged")
saved3 = json.load(open(model3))
predicted3 = [float(x) for x in run("predict", "--model", model3, "--data", three).stdout.split()]
for i, row in enumerate(rows[:50]):
    scores = []
    for out in saved3["outputs"]:
        co = out["coefficients"]
        wk = co["dense"] if "dense" in co else [0.0] * features
        if "indices" in co:
            for j, v in zip(co["indices"], co["values"]):
                wk[j] = v
        scores.append(sum(a * b for a, b in zip(wk, row)) + out["intercept"])
    check(predicted3[i] == float(1 + scores.index(max(scores))), f"OvR prediction {i}")

# Bad model files and outputs that would replace inputs.
future = os.path.join(work, "future.json")
saved["version"] = 2
json.dump(saved, open(future, "w"))
bad = run("predict", "--model", future, "--data", test, exit=2)
check("future.json" in bad.stderr and "version 2" in bad.stderr, f"version: {bad.stderr}")
before = open(train).read()
same = run("fit", "--f", "logistic", "--r", "l1(lambda=0.02)", "--data", train, "--model-out",
           train, exit=2)
check("is the input --data" in same.stderr and open(train).read() == before,
      "--model-out replaced the data")
run("fit", "--f", "logistic", "--r", "l1(lambda=0.02)", "--data", train, exit=2)  # --model-out

# cv: the table is the folds' mean, the choice its minimum, the model refitted at it.
cv_model = os.path.join(work, "cv.json")
cv = json.loads(run("cv", "--f", "logistic", "--r", "l1", "--data", train, "--intercept",
                    "--grid", "auto:12", "--folds", "4", "--fold-seed", "3", "--model-out",
                    cv_model, "--json", "--no-cache").stdout)
check(cv["compiles"] == 1 and cv["solves"] == 4 * 12, f"cv kernels/solves: {cv['compiles']}")
means = [p["mean"] for p in cv["points"]]
for p in cv["points"]:
    check(abs(p["mean"] - sum(p["folds"]) / 4) <= 1e-15 * p["mean"], "cv mean of the folds")
check(cv["value_min"] == cv["points"][means.index(min(means))]["value"], "cv minimum")
check(cv["chosen"] == cv["value_min"], "cv chose the minimum")
refit = json.load(open(cv_model))
check(refit["penalty"] == f"l1(lambda={cv['value_min']!r})" or
      abs(float(refit["penalty"][10:-1]) - cv["value_min"]) <= 1e-15 * cv["value_min"],
      f"refit penalty {refit['penalty']} for {cv['value_min']}")
again = json.loads(run("cv", "--f", "logistic", "--r", "l1", "--data", train, "--intercept",
                       "--grid", "auto:12", "--folds", "4", "--fold-seed", "3", "--json",
                       "--no-cache").stdout)
check([p["folds"] for p in again["points"]] == [p["folds"] for p in cv["points"]],
      "cv with the same seed gave other folds")
run("cv", "--f", "logistic", "--r", "l1", "--data", train, "--choose", "best", exit=2)

# path --validation: each point's score equals predict --metrics of a fit at that value.
scored_path = json.loads(run("path", "--f", "logistic", "--r", "l1", "--data", train,
                             "--intercept", "--grid", "auto:5", "--validation", test, "--json",
                             "--no-cache").stdout)
check(scored_path["validation_metric"] == "log_loss", "path validation metric")
point = scored_path["points"][3]
at_point = os.path.join(work, "point.json")
run("fit", "--f", "logistic", "--r", f"l1(lambda={point['value']!r})", "--data", train,
    "--intercept", "--model-out", at_point, "--tol", "1e-8", "--no-cache")
direct = json.loads(run("predict", "--model", at_point, "--data", test, "--metrics",
                        "--json").stdout)
check(abs(direct["metrics"]["log_loss"] - point["validation"]) < 1e-6,
      f"path validation {point['validation']} vs predict {direct['metrics']['log_loss']}")

if failures:
    sys.exit(f"{len(failures)} failures")
print("ok")
