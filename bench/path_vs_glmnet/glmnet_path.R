# glmnet's side of bench/path_vs_glmnet: reads the data written by make_data.py and the lambdas,
# times the glmnet() call alone (data already in memory), prints one line per point:
#   seconds <total>
#   <lambda> <objective> <nonzeros>
suppressMessages(library(glmnet))
suppressMessages(library(Matrix))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; family <- args[2]; sparse <- args[3] == "sparse"
shape <- scan(file.path(dir, "shape.txt"), quiet = TRUE)
n <- shape[1]; d <- shape[2]
if (sparse) {
  t <- read.table(file.path(dir, "A_triplets.txt"))
  X <- sparseMatrix(i = t[, 1], j = t[, 2], x = t[, 3], dims = c(n, d))
} else {
  X <- matrix(readBin(file.path(dir, "A_colmajor.f64"), "double", n * d), n, d)
}
target <- if (family == "gaussian") "y.f64" else "labels.f64"
y <- readBin(file.path(dir, target), "double", n)
lambdas <- scan(file.path(dir, "lambdas.txt"), quiet = TRUE)
if (family == "binomial") y <- factor(y, levels = c(-1, 1))
seconds <- system.time(
  fit <- glmnet(X, y, family = family, lambda = lambdas, standardize = FALSE,
                intercept = FALSE, thresh = 1e-14, maxit = 1e7)
)[["elapsed"]]
cat("seconds", seconds, "\n")
yy <- if (family == "binomial") ifelse(y == "1", 1, -1) else y
for (k in seq_along(fit$lambda)) {
  beta <- as.numeric(fit$beta[, k])
  z <- as.numeric(X %*% beta)
  smooth <- if (family == "gaussian") sum((z - yy)^2) / (2 * n) else mean(log1p(exp(-yy * z)))
  cat(sprintf("%.17g %.17g %d\n", fit$lambda[k], smooth + fit$lambda[k] * sum(abs(beta)),
              sum(beta != 0)))
}
