## Reference values for the diagnostic plots (Reporting/Plots): the points of R's normal Q-Q
## plot (qqnorm) and its qqline, the symmetry-plot pairs, the lag-1 correlation of the
## residuals and, per random-effects column, the level order by conditional mode with lme4's
## conditional SDs (ranef(condVar = TRUE), as lattice's dotplot draws them), at lme4's own fit.
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/plot_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/plots/<id>.json for the fixtures named below.
##
## Definitions:
## - residuals: raw conditional residuals, resid(m) = y - fitted(m) (MATLAB plotResiduals default);
## - qq: qqnorm(r) -- theoretical = qnorm(ppoints(n)) in the order of sort(r);
##   qqline through the quartiles: slope = diff(quantile(r, c(.25, .75))) / diff(qnorm(c(.25, .75)));
## - symmetry: with s = sort(r) and m = median(r), lower[i] = m - s[i], upper[i] = s[n + 1 - i] - m,
##   i = 1 .. floor(n / 2) (Chambers, Cleveland, Kleiner and Tukey 1983);
## - lag1_correlation: cor(r[-n], r[-1]) in data order;
## - ranef: per grouping factor and column, the levels ordered by the conditional mode
##   (increasing) and the conditional SD of each level (in the factor's level order).

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
OUT_DIR <- file.path(FIX_DIR, "plots")
dir.create(OUT_DIR, showWarnings = FALSE, recursive = TRUE)

ids <- c("sleepstudy_corr_ml", "penicillin_ml")

for (id in ids) {
  fx <- jsonlite::fromJSON(file.path(FIX_DIR, "lme4", paste0(id, ".json")), simplifyVector = FALSE)
  data <- load_dataset(fx$dataset)
  m <- suppressMessages(suppressWarnings(lme4::lmer(as.formula(fx$formula), data = data, REML = isTRUE(fx$REML))))
  theta <- getME(m, "theta")
  stopifnot(max(abs(unname(theta) - unlist(fx$theta))) < 1e-5)  # the reference fixture's fit

  r <- unname(resid(m))
  n <- length(r)
  qq <- qqnorm(r, plot.it = FALSE)
  o <- order(r)
  yq <- unname(quantile(r, c(0.25, 0.75)))
  xq <- qnorm(c(0.25, 0.75))
  slope <- diff(yq) / diff(xq)
  s <- sort(r); med <- median(r); half <- floor(n / 2)

  re <- ranef(m, condVar = TRUE)
  ranefs <- list()
  for (g in names(re)) {
    pv <- attr(re[[g]], "postVar")
    for (j in seq_along(re[[g]])) {
      est <- re[[g]][[j]]
      ranefs[[length(ranefs) + 1]] <- list(
        group = g, name = names(re[[g]])[j],
        levels = I(rownames(re[[g]])),
        sorted_levels = I(rownames(re[[g]])[order(est)]),
        estimate = I(est),
        condsd = I(sqrt(pv[j, j, ])))
    }
  }

  versions <- versions_list()
  versions$BLAS <- basename(versions$BLAS); versions$LAPACK <- basename(versions$LAPACK)  # no paths of this machine
  out <- list(
    id = id, source = paste0("lme4/", id, ".json"), theta = I(unname(theta)),
    versions = versions,
    qq = list(theoretical = I(qq$x[o]), sample = I(qq$y[o]),
              line_intercept = yq[1] - slope * xq[1], line_slope = slope),
    symmetry = list(lower = I(med - s[seq_len(half)]), upper = I(s[n + 1 - seq_len(half)] - med)),
    lag1_correlation = cor(r[-n], r[-1]),
    ranef = ranefs)
  write_json_file(out, file.path(OUT_DIR, paste0(id, ".json")))
  cat("wrote", id, "\n")
}
