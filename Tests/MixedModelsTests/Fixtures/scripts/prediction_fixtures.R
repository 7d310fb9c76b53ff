## Reference values for random-effects statistics, predictions with intervals, residuals of
## every type and R-squared, computed INDEPENDENTLY of lme4's internals from dense matrices at
## lme4's own fit (its default optimum, the same fit as the reference fixtures).
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/prediction_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/prediction/<id>.json for every fixture in
## Fixtures/lme4 and Fixtures/fits (InstEval excluded: the dense n x n matrices are too big).
##
## Notation (weighted space, as MATLAB's StandardLinearMixedModel): Xw = sqrt(W) X,
## Uw = sqrt(W) Z Lambda. The mixed-model equations in (u, beta) order are
##   C = [Uw'Uw + I, Uw'Xw; Xw'Uw, Xw'Xw],
## and Cov([b_hat - b; beta_hat - beta]) = sigma^2 T C^{-1} T' with T = blockdiag(Lambda, I_p)
## (MATLAB's covBetaHatBHat; Henderson's C^{-1}). From it:
## - sepred: MATLAB randomEffects' SEPred = sqrt(diag of the b block);
## - condsd_dense: lme4's condVar = sqrt(diag(sigma^2 Lambda (Uw'Uw + I)^{-1} Lambda'));
## - conditional curve variance of row i: sigma^2 v' C^{-1} v with v = [Lambda' z_i; x_i];
##   marginal curve variance: x_i' vcov(beta) x_i; observation intervals add sigma^2
##   (conditional) or sigma^2 |Lambda' z_i|^2 + sigma^2 (marginal);
## - residuals (MATLAB definitions): Pearson = sqrt(w) r / sd of the true error
##   (conditional sigma, marginal sigma sqrt(1 + |Uw_i|^2)); Standardized = sqrt(w) r / sd of
##   the estimated residual: conditional sigma sqrt(1 - h_i) with h the hat diagonal of
##   M = [Uw Xw] through C^{-1}; marginal sigma sqrt(diag(V - Xw (Xw' V^{-1} Xw)^{-1} Xw')) with
##   V = Uw Uw' + I (computed through V^{-1}, a different route from the Swift code);
## - Rsquared (MATLAB): SSE = sum w (y - yhat)^2, SSR = sum w (yhat - ybar_w)^2, SST = SSE + SSR,
##   Ordinary = 1 - SSE/SST, Adjusted = 1 - (SSE/SST) (n - 1)/(n - p), yhat conditional.
## - Interval limits use alpha = 0.05 and DF = n - p (MATLAB's default 'Residual');
##   simultaneous (Scheffe) limits use crit = sqrt(k F(0.95; k, n - p)) with k = p + q for
##   conditional and k = p for marginal curves, plus 1 for observations when the model has
##   no intercept (the convention of MATLAB's predci for LinearModel; see Prediction.swift).
## - newdata: the first 6 rows; row 6 gets a level "NEW_LEVEL" of the grouping variable
##   of the first random term that is a single column; lme4's predict(allow.new.levels = TRUE)
##   gives its conditional prediction (the new level contributes zero).

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
OUT_DIR <- file.path(FIX_DIR, "prediction")
dir.create(OUT_DIR, showWarnings = FALSE, recursive = TRUE)
ROWS <- 10L

files <- c(list.files(file.path(FIX_DIR, "lme4"), "\\.json$", full.names = TRUE),
           list.files(file.path(FIX_DIR, "fits"), "\\.json$", full.names = TRUE))
files <- files[!grepl("anova|insteval", files)]

for (f in files) {
  fx <- jsonlite::fromJSON(f, simplifyVector = FALSE)
  data <- load_dataset(fx$dataset)
  weighted <- !is.null(fx$weights)
  if (weighted) {
    stopifnot(fx$weights$definition == "w = 1 + (Days %% 3)")
    data$w <- 1 + (data$Days %% 3)
  }
  fml <- as.formula(fx$formula)
  m <- suppressMessages(suppressWarnings(
    if (weighted) lme4::lmer(fml, data = data, REML = isTRUE(fx$REML), weights = w)
    else lme4::lmer(fml, data = data, REML = isTRUE(fx$REML))))
  theta <- getME(m, "theta")
  thetaDiff <- max(abs(unname(theta) - unlist(fx$theta)))
  stopifnot(thetaDiff < 1e-5)  # same lme4 fit as the reference fixture (BLAS rounding aside)

  X <- getME(m, "X"); Z <- as.matrix(getME(m, "Z")); Lambda <- as.matrix(getME(m, "Lambda"))
  y <- getME(m, "y"); w <- weights(m); sig <- sigma(m); beta <- fixef(m)
  n <- nrow(X); p <- ncol(X); q <- ncol(Z)
  sw <- sqrt(w); Xw <- sw * X; U <- Z %*% Lambda; Uw <- sw * U
  C <- rbind(cbind(crossprod(Uw) + diag(q), crossprod(Uw, Xw)),
             cbind(crossprod(Xw, Uw), crossprod(Xw)))
  Cinv <- solve(C)
  Tm <- matrix(0, q + p, q + p); Tm[1:q, 1:q] <- Lambda; Tm[(q + 1):(q + p), (q + 1):(q + p)] <- diag(p)
  covBB <- sig^2 * Tm %*% Cinv %*% t(Tm)
  sepred <- sqrt(diag(covBB)[1:q])
  condsd <- sqrt(diag(sig^2 * Lambda %*% solve(crossprod(Uw) + diag(q)) %*% t(Lambda)))

  ## per random term, in lme4's order (levels, then the term's columns within a level)
  cnms <- getME(m, "cnms"); fl <- getME(m, "flist"); asgn <- attr(fl, "assign"); Gp <- getME(m, "Gp")
  terms <- lapply(seq_along(cnms), function(k) {
    levs <- levels(fl[[asgn[k]]]); s <- length(cnms[[k]])
    sp <- list(); cs <- list()
    for (j in seq_len(s)) {
      idx <- Gp[k] + (seq_along(levs) - 1) * s + j
      sp[[cnms[[k]][j]]] <- I(unname(sepred[idx])); cs[[cnms[[k]][j]]] <- I(unname(condsd[idx]))
    }
    list(group = names(cnms)[k], names = I(cnms[[k]]), levels = I(levs), sepred = sp, condsd_dense = cs)
  })

  rows <- seq_len(min(ROWS, n))
  hasIntercept <- "(Intercept)" %in% colnames(X)
  df <- n - p
  tq <- qt(0.975, df)
  kCond <- p + q + (if (hasIntercept) 0 else 1) * 0; kMarg <- p
  extra <- if (hasIntercept) 0 else 1
  simcrit <- function(k) sqrt(k * qf(0.95, k, df))
  predCond <- as.vector(X %*% beta + Z %*% as.vector(getME(m, "b")))
  predMarg <- as.vector(X %*% beta)
  vcb <- as.matrix(vcov(m))
  vCond <- sapply(rows, function(i) { v <- c(as.vector(crossprod(Lambda, Z[i, ])), X[i, ]); sig^2 * sum(v * (Cinv %*% v)) })
  vMarg <- sapply(rows, function(i) sum(X[i, ] * (vcb %*% X[i, ])))
  zPsiz <- sapply(rows, function(i) sig^2 * sum(U[i, ]^2))
  lim <- function(center, variance, crit) list(lower = I(center - crit * sqrt(variance)), upper = I(center + crit * sqrt(variance)))
  intervals <- list(
    conditional_curve = lim(predCond[rows], vCond, tq),
    conditional_observation = lim(predCond[rows], vCond + sig^2, tq),
    marginal_curve = lim(predMarg[rows], vMarg, tq),
    marginal_observation = lim(predMarg[rows], vMarg + zPsiz + sig^2, tq),
    conditional_curve_simultaneous = lim(predCond[rows], vCond, simcrit(p + q)),
    conditional_observation_simultaneous = lim(predCond[rows], vCond + sig^2, simcrit(p + q + extra)),
    marginal_curve_simultaneous = lim(predMarg[rows], vMarg, simcrit(p)),
    marginal_observation_simultaneous = lim(predMarg[rows], vMarg + zPsiz + sig^2, simcrit(p + extra)))

  rawC <- as.vector(y - predCond); rawM <- as.vector(y - predMarg)
  M <- cbind(Uw, Xw)
  h <- rowSums((M %*% Cinv) * M)
  V <- tcrossprod(Uw) + diag(n)
  Vinv <- solve(V)
  XVX <- crossprod(Xw, Vinv %*% Xw)
  Fd <- diag(V) - rowSums((Xw %*% solve(XVX)) * Xw)
  resid <- list(
    raw_conditional = I(rawC[rows]), raw_marginal = I(rawM[rows]),
    pearson_conditional = I((sw * rawC / sig)[rows]),
    pearson_marginal = I((sw * rawM / (sig * sqrt(1 + rowSums(Uw^2))))[rows]),
    standardized_conditional = I((sw * rawC / (sig * sqrt(1 - h)))[rows]),
    standardized_marginal = I((sw * rawM / (sig * sqrt(Fd)))[rows]))

  ybar <- sum(w * y) / sum(w)
  SSE <- sum(w * rawC^2); SSR <- sum(w * (predCond - ybar)^2); SST <- SSE + SSR
  rsq <- list(ordinary = 1 - SSE / SST, adjusted = 1 - (SSE / SST) * (n - 1) / (n - p),
              SSE = SSE, SSR = SSR, SST = SST)

  ## new data with an unseen level
  vars <- intersect(all.vars(fml), names(data))
  nd <- data[1:6, vars, drop = FALSE]
  single <- Filter(function(g) g %in% names(data), names(cnms))
  newdata <- NULL
  if (length(single) > 0) {
    g <- single[1]
    nd[[g]] <- factor(as.character(nd[[g]]), levels = c(levels(data[[g]]), "NEW_LEVEL"))
    nd[[g]][6] <- "NEW_LEVEL"
    con <- textConnection("csvtext", "w", local = TRUE)
    utils::write.csv(nd, con, row.names = FALSE, na = "")
    close(con)
    newdata <- list(csv = paste(csvtext, collapse = "\n"), new_level_column = g, new_level_row = 6L,
                    conditional = I(unname(predict(m, newdata = nd, allow.new.levels = TRUE))),
                    marginal = I(unname(predict(m, newdata = nd, re.form = NA))))
  }

  out <- list(id = fx$id, dataset = fx$dataset, formula = fx$formula, REML = isTRUE(fx$REML),
              weights = if (weighted) fx$weights$definition else NULL,
              theta = I(unname(theta)), theta_max_abs_difference_from_reference_fixture = thetaDiff, sigma = sig, n = n, p = p, q = q, has_intercept = hasIntercept,
              df_residual = df, alpha = 0.05, rows = I(rows),
              random_terms = terms,
              prediction = list(conditional = I(predCond[rows]), marginal = I(predMarg[rows]),
                                variance_conditional_curve = I(vCond), variance_marginal_curve = I(vMarg),
                                intervals = intervals),
              residuals = resid, rsquared = rsq, newdata = newdata,
              versions = versions_list())
  path <- file.path(OUT_DIR, paste0(fx$id, ".json"))
  write_json_file(out, path)
  cat(sprintf("%-28s n=%d p=%d q=%d -> %s\n", fx$id, n, p, q, path))
}
