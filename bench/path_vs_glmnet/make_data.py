#!/usr/bin/python3
"""Writes the path benchmark's data for both sides: .npy for proxjit, raw float64 for R.

Dense: n x d Gaussian design, k true nonzeros (+-1 .. 2), noise sigma. Logistic labels are the
signs of the same linear model plus noise. Sparse: CSR with the given density (LIBSVM for proxjit,
triplets for R's Matrix)."""
import sys
import numpy as np


def main(out, n, d, k, sigma, seed, density):
    rng = np.random.default_rng(seed)
    truth = np.zeros(d)
    support = rng.choice(d, k, replace=False)
    truth[support] = rng.choice([-1.0, 1.0], k) * rng.uniform(1.0, 2.0, k)
    if density >= 1.0:
        A = rng.standard_normal((n, d))
        margins = A @ truth
        np.save(f"{out}/A.npy", A)
        A.T.astype("<f8").tofile(f"{out}/A_colmajor.f64")  # R reads column-major
    else:
        import scipy.sparse as sp
        A = sp.random(n, d, density=density, format="csr", random_state=seed,
                      data_rvs=rng.standard_normal)
        margins = A @ truth
        coo = A.tocoo()
        np.savetxt(f"{out}/A_triplets.txt", np.column_stack([coo.row + 1, coo.col + 1, coo.data]),
                   fmt=["%d", "%d", "%.17g"])
    y = margins + sigma * rng.standard_normal(n)
    labels = np.where(margins + 0.5 * rng.standard_normal(n) > 0, 1.0, -1.0)
    for name, v in (("y", y), ("labels", labels)):
        np.save(f"{out}/{name}.npy", v)
        v.astype("<f8").tofile(f"{out}/{name}.f64")
    if density < 1.0:
        from sklearn.datasets import dump_svmlight_file
        dump_svmlight_file(A, y, f"{out}/regression.svm", zero_based=False)
        dump_svmlight_file(A, labels, f"{out}/classification.svm", zero_based=False)
    with open(f"{out}/shape.txt", "w") as f:
        f.write(f"{n} {d}\n")


if __name__ == "__main__":
    out, n, d, k, sigma, seed = sys.argv[1:7]
    density = float(sys.argv[7]) if len(sys.argv) > 7 else 1.0
    main(out, int(n), int(d), int(k), float(sigma), int(seed), density)
