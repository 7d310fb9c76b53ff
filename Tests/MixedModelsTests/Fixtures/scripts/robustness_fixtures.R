## Rescaled, shifted and thinned copies of built-in data sets (issue 11: answers that do not
## depend on units; the boundary found), fitted by lme4 at its defaults and polished, with the
## values that invariance implies: the polished fit of the untransformed data, transformed.
##
## A case is a data set, a formula, ML or REML and a list of transformations applied in order:
##   affine(column, scale, shift): x -> x * scale + shift (numeric column)
##   thin(modulus, remainder):     drop the rows whose 0-based index %% modulus == remainder
##   group(name, source, modulus): new factor "g<k>", k = (1-based level index of source) %% modulus
##   bins(name, source, width):    new factor "t<k>", k = source %/% width
## The test (Tests/MixedModelsTests/UnitInvarianceTests.swift) applies the same operations to
## the built-in tables.
##
## Implied values (from the polished fit of the data before any affine change; thinning and new
## factors are applied to both): y -> a y + b gives beta -> a beta (+ b on the intercept),
## sigma -> |a| sigma, theta unchanged, ML logLik - n log|a|, REML logLik - (n - p) log|a|.
## A predictor x -> c x + d (with an intercept) gives beta_x -> beta_x / c, intercept -> intercept
## - beta_x d / c; theta entries of the row of x in a random-effects term -> theta / c (scale
## only; shifts of random-effects columns are not among the cases); REML logLik - log|c|.
## Singularity is that of the untransformed fit.
##
## Run from the repository root: Rscript Tests/MixedModelsTests/Fixtures/scripts/robustness_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/robustness/units.json.

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")

POLISH_CTRL <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                          ftol_abs = 1e-15, maxeval = 1e5))

affine <- function(column, scale, shift = 0) list(op = "affine", column = column, scale = scale, shift = shift)
thin <- function(modulus, remainder) list(op = "thin", modulus = modulus, remainder = remainder)
group <- function(name, source, modulus) list(op = "group", name = name, source = source, modulus = modulus)
bins <- function(name, source, width) list(op = "bins", name = name, source = source, width = width)

apply_op <- function(d, o) {
  switch(o$op,
    affine = { d[[o$column]] <- d[[o$column]] * o$scale + o$shift; d },
    thin = d[(seq_len(nrow(d)) - 1) %% o$modulus != o$remainder, , drop = FALSE],
    group = { d[[o$name]] <- factor(paste0("g", as.integer(d[[o$source]]) %% o$modulus)); d },
    bins = { d[[o$name]] <- factor(paste0("t", d[[o$source]] %/% o$width)); d })
}

cases <- list(
  list(id = "penicillin_response_shift_reml", dataset = "Penicillin", REML = TRUE,
       formula = "diameter ~ 1 + (1 | plate) + (1 | sample)", ops = list(affine("diameter", 1, 1e6))),
  list(id = "penicillin_response_scale_ml", dataset = "Penicillin", REML = FALSE,
       formula = "diameter ~ 1 + (1 | plate) + (1 | sample)", ops = list(affine("diameter", 1e-6, 0))),
  list(id = "sleepstudy_response_scale_shift_reml", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ 1 + Days + (1 + Days | Subject)", ops = list(affine("Reaction", 1e3, 1e6))),
  list(id = "sleepstudy_slope_small_ml", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ 1 + Days + (1 + Days | Subject)", ops = list(affine("Days", 1e-4, 0))),
  list(id = "sleepstudy_slope_small_reml", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ 1 + Days + (1 + Days | Subject)", ops = list(affine("Days", 1e-4, 0))),
  list(id = "sleepstudy_slope_large_ml", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ 1 + Days + (1 + Days | Subject)", ops = list(affine("Days", 1e4, 0))),
  list(id = "sleepstudy_slope_tiny_uncorrelated_reml", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ 1 + Days + (1 | Subject) + (0 + Days | Subject)", ops = list(affine("Days", 1e-6, 0))),
  list(id = "sleepstudy_fixed_predictor_shift_reml", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ 1 + Days + (1 | Subject)", ops = list(affine("Days", 1, 1e6))),
  list(id = "sleepstudy_fixed_predictor_scale_shift_ml", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ 1 + Days + (1 | Subject)", ops = list(affine("Days", 1e3, 1e5))),
  list(id = "sleepstudy_thinned_slope_small_reml", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ 1 + Days + (1 + Days | Subject)", ops = list(thin(4, 1), affine("Days", 1e-4, 0))),
  list(id = "sleepstudy_nested_boundary_ml", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ 1 + Days + (1 | G/Subject/Third)",
       ops = list(thin(4, 1), group("G", "Subject", 2), bins("Third", "Days", 4))),
  list(id = "sleepstudy_nested_boundary_b_ml", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ 1 + Days + (1 | G/Subject/Third)",
       ops = list(thin(4, 0), group("G", "Subject", 8), bins("Third", "Days", 4)))
)

summarise <- function(m) {
  list(logLik = as.numeric(logLik(m)), theta = I(unname(getME(m, "theta"))),
       theta_names = I(names(getME(m, "theta"))), beta = I(unname(fixef(m))), beta_names = I(names(fixef(m))),
       sigma = sigma(m), singular = isSingular(m))
}

fit_both <- function(formula, d, REML) {
  r <- with_conditions(lmer(as.formula(formula), d, REML = REML))
  p <- with_conditions(update(r$value, control = POLISH_CTRL))
  list(default = c(summarise(r$value), list(warnings = I(c(r$warnings, r$messages)))),
       polished = c(summarise(p$value), list(warnings = I(c(p$warnings, p$messages)))))
}

out <- list()
for (case in cases) {
  d0 <- load_dataset(case$dataset)
  structural <- Filter(function(o) o$op != "affine", case$ops)
  base <- Reduce(apply_op, structural, d0)
  transformed <- Reduce(apply_op, case$ops, d0)
  original <- fit_both(case$formula, base, case$REML)$polished
  fits <- fit_both(case$formula, transformed, case$REML)
  m0 <- lmer(as.formula(case$formula), base, REML = case$REML)
  n <- nrow(model.frame(m0)); p <- length(fixef(m0))
  response <- all.vars(as.formula(case$formula))[1]
  implied <- original
  theta_unit <- rep(1, length(original$theta))
  tnames <- original$theta_names
  for (o in Filter(function(o) o$op == "affine", case$ops)) {
    if (o$column == response) {
      a <- o$scale
      implied$beta <- implied$beta * a
      implied$beta[implied$beta_names == "(Intercept)"] <- implied$beta[implied$beta_names == "(Intercept)"] + o$shift
      implied$sigma <- abs(a) * implied$sigma
      implied$logLik <- implied$logLik - (if (case$REML) n - p else n) * log(abs(a))
    } else {
      cc <- o$scale; dd <- o$shift
      j <- which(implied$beta_names == o$column)
      intercept <- which(implied$beta_names == "(Intercept)")
      implied$beta[intercept] <- implied$beta[intercept] - implied$beta[j] * dd / cc
      implied$beta[j] <- implied$beta[j] / cc
      if (case$REML) implied$logLik <- implied$logLik - log(abs(cc))
      ## theta names: "Group.col" (diagonal) or "Group.row.col" (lower triangle): the row is the
      ## first column name after the group.
      for (i in seq_along(tnames)) {
        parts <- strsplit(sub("^[^.]*\\.", "", tnames[i]), ".", fixed = TRUE)[[1]]
        if (length(parts) >= 1 && parts[1] == o$column) {
          implied$theta[i] <- implied$theta[i] / cc
          theta_unit[i] <- theta_unit[i] / cc
        }
      }
    }
  }
  out[[case$id]] <- list(dataset = case$dataset, formula = case$formula, REML = case$REML,
                         operations = case$ops, n = n, p = p,
                         lme4_default = fits$default, lme4_polished = fits$polished,
                         implied = implied, theta_unit = I(theta_unit))
}
write_json_file(list(cases = out, control = "lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15, ftol_abs = 1e-15, maxeval = 1e5))",
                     versions = versions_list()),
                file.path(FIX_DIR, "robustness", "units.json"))
