## Profile-likelihood confidence limits solved to full precision, as references for
## profileConfidenceIntervals (lme4's confint(method = "profile") interpolates a spline through
## profile points, which moves some limits by up to ~1e-2 relative; see the README caveats).
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/profile_exact.R
## Writes Tests/MixedModelsTests/Fixtures/inference/profile_exact.json.
##
## Method, per fixture (ML fit, polished with tight optimiser tolerances):
## - SD / correlation / sigma parameters: lme4's own profiling deviance lme4:::devfun2 (the
##   function profile() uses; deviance in sd, cor, sigma with beta profiled), minimised over the
##   other parameters by minqa::bobyqa (rhoend 1e-10) or optimize() (one free parameter);
## - fixed effects: an lmer ML refit with the coefficient's column moved to an offset;
## - limits: uniroot (tol 1e-12) on zeta(c) = +-qnorm(0.975), or the parameter's bound (0 for an
##   SD, +-1 for a correlation) when zeta does not reach the critical value before it.
## Weighted fits are skipped (devfun2 leaves out the weights; README caveat 2).

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
suppressPackageStartupMessages(library(minqa))

TIGHT <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15, ftol_abs = 1e-15, maxeval = 1e5))
Z <- qnorm(0.975)

solve_side <- function(zeta, est, bound, side, scale) {
  ## step out from the estimate until |zeta| >= Z or the bound is reached
  step <- 0.1 * scale; prev <- est; x <- est
  repeat {
    x <- est + side * step
    if ((side < 0 && x <= bound) || (side > 0 && x >= bound)) {
      zb <- zeta(bound)
      if (!is.finite(zb) || abs(zb) < Z) return(bound)
      x <- bound; break
    }
    if (abs(zeta(x)) >= Z) break
    prev <- x; step <- step * 1.6
  }
  uniroot(function(c) zeta(c) - side * Z, sort(c(prev, x)), tol = 1e-12)$root
}

profile_exact <- function(fx) {
  d <- load_dataset(fx$dataset)
  fml <- as.formula(fx$formula)
  m <- lmer(fml, data = d, REML = FALSE, control = TIGHT)
  dd <- lme4:::devfun2(m, useSc = TRUE, signames = FALSE)
  optAll <- attr(dd, "optimum")
  ntheta <- length(getME(m, "theta"))
  opt <- optAll[seq_len(ntheta + 1)]
  base <- dd(opt)
  iscor <- grepl("^cor_", names(opt))
  lower <- ifelse(iscor, -1, 0); upper <- ifelse(iscor, 1, Inf)
  lower[names(opt) == "sigma"] <- 1e-8
  out <- list()
  for (i in seq_along(opt)) {
    others <- setdiff(seq_along(opt), i)
    zeta <- function(c) {
      f <- function(x) { p <- opt; p[others] <- x; p[i] <- c; v <- tryCatch(dd(p), error = function(e) Inf); if (is.finite(v)) v else 1e100 }
      v <- if (length(others) == 1) {
        span <- c(max(lower[others], opt[others] / 50), max(opt[others] * 50, 5 * opt[["sigma"]]))
        o <- optimize(f, span, tol = 1e-13); o$objective
      } else {
        start <- opt[others]
        o <- bobyqa(start, f, lower = lower[others], upper = upper[others], control = list(rhobeg = 0.05 * max(abs(start), 0.1), rhoend = 1e-10, maxfun = 1e5)); o$fval
      }
      sign(c - opt[i]) * sqrt(max(v - base, 0))
    }
    scale <- if (iscor[i]) 0.2 else max(opt[i], 0.05 * opt[["sigma"]])
    lo <- if (is.finite(opt[i])) solve_side(zeta, opt[i], lower[i], -1, scale) else NA
    hi <- if (is.finite(opt[i])) solve_side(zeta, opt[i], upper[i], 1, scale) else NA
    out[[length(out) + 1]] <- list(parameter = names(opt)[i], estimate = unname(opt[i]), lower = lo, upper = hi)
  }
  ## fixed effects: move column j of X to an offset
  X <- getME(m, "X"); y <- getME(m, "y"); bars <- lme4::findbars(fml)
  rand <- paste(vapply(bars, function(b) paste0("(", deparse(b), ")"), ""), collapse = " + ")
  beta <- fixef(m); se <- sqrt(diag(as.matrix(vcov(m))))
  for (j in seq_along(beta)) {
    dj <- d[as.numeric(rownames(model.frame(m))), , drop = FALSE]
    dj$.y <- y; Xr <- X[, -j, drop = FALSE]
    zeta <- function(c) {
      dj$.off <- c * X[, j]
      fj <- if (ncol(Xr) > 0) as.formula(paste(".y ~ 0 + Xr +", rand)) else as.formula(paste(".y ~ 0 +", rand))
      mj <- suppressMessages(suppressWarnings(lmer(fj, data = dj, REML = FALSE, offset = .off, control = TIGHT)))
      sign(c - beta[j]) * sqrt(max(deviance(mj) - base, 0))
    }
    environment(zeta)$Xr <- Xr
    lo <- solve_side(zeta, beta[[j]], -Inf, -1, se[[j]])
    hi <- solve_side(zeta, beta[[j]], Inf, 1, se[[j]])
    out[[length(out) + 1]] <- list(parameter = names(beta)[j], estimate = unname(beta[j]), lower = lo, upper = hi)
  }
  out
}

files <- c(Sys.glob(file.path(FIX_DIR, "lme4", "*_ml.json")), Sys.glob(file.path(FIX_DIR, "fits", "*_ml.json")))
entries <- list()
for (f in files) {
  fx <- jsonlite::fromJSON(f, simplifyVector = FALSE)
  if (!is.null(fx$weights) || grepl("insteval", f)) next
  t0 <- proc.time()[["elapsed"]]
  rows <- with_conditions(profile_exact(fx))
  entries[[length(entries) + 1]] <- list(id = fx$id, dataset = fx$dataset, formula = fx$formula,
    limits = rows$value, seconds = proc.time()[["elapsed"]] - t0, warnings = I(unique(rows$warnings)))
  cat(fx$id, "done\n")
}
write_json_file(list(
  description = "Profile-likelihood 95% limits solved to full precision (lme4:::devfun2 + bobyqa/optimize + uniroot for SD/cor/sigma; ML refits with an offset for fixed effects). ML fits only: REML fits are profiled by ML (lme4 refits by ML).",
  level = 0.95, entries = entries, versions = versions_list()),
  file.path(FIX_DIR, "inference", "profile_exact.json"))
