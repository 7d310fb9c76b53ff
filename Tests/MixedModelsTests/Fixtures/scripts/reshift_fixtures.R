## A random-effects predictor shifted far from zero (issue 11, item 1): a predictor x replaced
## by x * scale + shift in a model with the random-effects term (1 + x | g) (sleepstudy's Days,
## Orthodont's age), fitted by lme4 at its defaults and polished, with the values that
## invariance implies.
##
## The implied values come from the polished fit of the unshifted data. With x' = a x + d the
## model b0 + b1 x = (b0 - b1 d / a) + (b1 / a) x' is the same model: the shifted model
## matrices are Z' = Z B_z and X' = X B (B found by least squares, exact up to rounding), so per
## level b' = M b with M = B_z^-1 = [[1, -d/a], [0, 1/a]], Sigma' = M Sigma M',
## theta' = chol(Sigma' / sigma^2) (lower, lme4's order), beta' = B^-1 beta, the conditional
## variances M V M', predictions and sigma unchanged, ML logLik unchanged, REML logLik
## - log|det B| (the REML criterion carries log det X'V^-1X).
##
## Degrees of freedom do not depend on the parametrisation: for the unshifted fit, lmerTest's
## Satterthwaite and Kenward-Roger df of the contrasts that are the shifted model's
## coefficients (the rows of B^-1 in the unshifted coordinates).
##
## Wald intervals of the covariance parameters (MATLAB's covarianceParameters: log SD,
## log((1+r)/(1-r)), log sigma, covariance from the Hessian): nlme cannot form them on the shifted
## copies (its approximate covariance is not positive definite there), so the reference is the
## delta method from nlme's apVar of the unshifted fit (as inference_fixtures.R fits it): the map
## from its natural parameters to the shifted model's (Sigma' = M Sigma M', 1 - r'^2 from
## det Sigma' = det Sigma det(M)^2, so that nothing cancels) differentiated by numDeriv.
## The same map at a = 1, d = 0 reproduces nlme's own intervals (checked below).
##
## Run from the repository root: Rscript Tests/MixedModelsTests/Fixtures/scripts/reshift_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/robustness/reshift.json.

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
suppressPackageStartupMessages(library(lmerTest))
suppressPackageStartupMessages(library(nlme))

POLISH_CTRL <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                          ftol_abs = 1e-15, maxeval = 1e5))
NLME_CTRL <- lmeControl(msMaxIter = 500, tolerance = 1e-10, niterEM = 100, opt = "nlminb", .relStep = 1e-4)

## New data for predictions: a known level inside and outside the observed range, another known
## level, and a new level (population-level prediction), in the units of the unshifted data.
sleep_new <- data.frame(Subject = c("308", "308", "372", "new"), Days = c(2.5, 12, 0, 3))
orthodont_new <- data.frame(Subject = c("M01", "M01", "F03", "F99"), age = c(9, 16, 8, 12),
                            Sex = c("Male", "Male", "Female", "Female"))

sleep <- function(id, REML, scale, shift)
  list(id = id, dataset = "sleepstudy", formula = "Reaction ~ 1 + Days + (1 + Days | Subject)",
       column = "Days", group = "Subject", REML = REML, scale = scale, shift = shift,
       nlme_fixed = Reaction ~ Days, nlme_random = ~ Days | Subject, new = sleep_new)
orthodont <- function(id, REML, scale, shift)
  list(id = id, dataset = "Orthodont", formula = "distance ~ age + Sex + (1 + age | Subject)",
       column = "age", group = "Subject", REML = REML, scale = scale, shift = shift,
       nlme_fixed = distance ~ age + Sex, nlme_random = ~ age | Subject, new = orthodont_new)

## The shifted predictor also inside a fixed-effects interaction (age:SexFemale is far from zero
## on the female rows only).
## No nlme Wald reference for its ML fit: there nlme's apVar intervals of the unshifted fit and
## those from a Richardson Hessian (numDeriv, d = 1e-4, r = 6) of lme4's devfun2 at the polished
## optimum differ by up to 0.8% (sd(age) upper 0.62997 against 0.62356), so nlme is not a 1e-3
## reference for that model; the test checks those intervals for invariance instead.
orthodont_interaction <- function(id, REML, scale, shift, wald = TRUE)
  list(id = id, dataset = "Orthodont", formula = "distance ~ age * Sex + (1 + age | Subject)",
       column = "age", group = "Subject", REML = REML, scale = scale, shift = shift,
       nlme_fixed = distance ~ age * Sex, nlme_random = ~ age | Subject, new = orthodont_new, wald = wald)
cases <- list(
  sleep("days_shift_1e6_reml", TRUE, 1, 1e6),
  sleep("days_shift_1e6_ml", FALSE, 1, 1e6),
  sleep("days_scale_1e3_shift_1e5_ml", FALSE, 1e3, 1e5),
  sleep("days_scale_1e3_shift_1e5_reml", TRUE, 1e3, 1e5),
  sleep("days_shift_minus_1e4_reml", TRUE, 1, -1e4),
  orthodont("orthodont_age_shift_1e4_reml", TRUE, 1, 1e4),
  orthodont("orthodont_age_scale_shift_ml", FALSE, 1e-2, 1e3),
  orthodont_interaction("orthodont_interaction_age_shift_1e4_reml", TRUE, 1, 1e4),
  orthodont_interaction("orthodont_interaction_age_scale_shift_ml", FALSE, 1e-2, 1e3, wald = FALSE)
)

summarise <- function(m) {
  list(logLik = as.numeric(logLik(m)), theta = I(unname(getME(m, "theta"))),
       beta = I(unname(fixef(m))), beta_names = I(names(fixef(m))), sigma = sigma(m), singular = isSingular(m))
}

fit_both <- function(formula, d, REML) {
  r <- with_conditions(lme4::lmer(formula, d, REML = REML))
  p <- with_conditions(update(r$value, control = POLISH_CTRL))
  list(default = c(summarise(r$value), list(warnings = I(c(r$warnings, r$messages)))),
       polished = c(summarise(p$value), list(warnings = I(c(p$warnings, p$messages)))))
}

## nlme's natural parameters (log sd0, log sd1, log((1+r)/(1-r)), log sigma; the order of
## attr(apVar, "Pars")) of the unshifted model mapped to the shifted model's, in the order of
## lmm's covariance-parameter table (sd0, r, sd1, sigma).
shifted_natural <- function(p, M) {
  sd0 <- exp(p[1]); sd1 <- exp(p[2]); r <- (exp(p[3]) - 1) / (exp(p[3]) + 1)
  S <- matrix(c(sd0^2, r * sd0 * sd1, r * sd0 * sd1, sd1^2), 2)
  S2 <- M %*% S %*% t(M)
  q <- (sd0^2 * sd1^2 * (1 - r^2) * det(M)^2) / (S2[1, 1] * S2[2, 2])    # 1 - r'^2
  rho <- sign(S2[1, 2]) * sqrt(max(0, 1 - q))
  z <- if (rho < 0) log(q / (1 - rho)^2) else log((1 + rho)^2 / q)  # log((1+r')/(1-r'))
  c(0.5 * log(S2[1, 1]), z, 0.5 * log(S2[2, 2]), p[4])
}

wald_shifted <- function(case, d0, M) {
  m <- lme(case$nlme_fixed, data = d0, random = case$nlme_random, method = if (case$REML) "REML" else "ML",
           control = NLME_CTRL)
  aV <- unclass(m$apVar)
  pars <- attr(m$apVar, "Pars")
  stopifnot(length(pars) == 4, names(pars)[4] == "lSigma")
  limits <- function(M) {
    J <- numDeriv::jacobian(function(p) shifted_natural(p, M), pars)
    V <- J %*% aV[1:4, 1:4] %*% t(J)
    est <- shifted_natural(pars, M)
    half <- qnorm(0.975) * sqrt(diag(V))
    back <- function(x) c(exp(x[1]), (exp(x[2]) - 1) / (exp(x[2]) + 1), exp(x[3]), exp(x[4]))
    list(lower = I(back(est - half)), estimate = I(back(est)), upper = I(back(est + half)))
  }
  ## The map at M = I is the identity: nlme's own intervals.
  own <- intervals(m, which = "var-cov")
  check <- limits(diag(2))
  table <- own$reStruct[[case$group]]
  stopifnot(max(abs(check$lower[c(1, 3)] / table[c(1, 2), "lower"] - 1)) < 1e-8,
            abs(check$lower[2] / table[3, "lower"] - 1) < 1e-8,
            abs(check$lower[4] / own$sigma[["lower"]] - 1) < 1e-8)
  c(limits(M), list(names = I(c("sd_(Intercept)", paste0("cor_", case$column, ".(Intercept)"),
                                 paste0("sd_", case$column), "sigma"))))
}

columns_json <- function(d) {
  out <- list()
  for (name in names(d)) out[[name]] <- I(if (is.numeric(d[[name]])) d[[name]] else as.character(d[[name]]))
  out
}

out <- list()
for (case in cases) {
  a <- case$scale; s <- case$shift
  d0 <- load_dataset(case$dataset)
  d <- d0; d[[case$column]] <- d[[case$column]] * a + s
  formula <- as.formula(case$formula)
  fits <- fit_both(formula, d, case$REML)
  m0 <- lme4::lmer(formula, d0, REML = case$REML, control = POLISH_CTRL)
  m1 <- lme4::lmer(formula, d, REML = case$REML, control = POLISH_CTRL)
  X0 <- getME(m0, "X"); X1 <- getME(m1, "X")
  B <- qr.solve(X0, X1)
  stopifnot(max(abs(X0 %*% B - X1)) < 1e-6 * max(abs(X1)))
  Binv <- solve(B)
  ## det B = a^k for the k columns of X that involve x (each is a * column + shift * another).
  k <- sum(vapply(strsplit(colnames(X1), ":", fixed = TRUE), function(parts) case$column %in% parts, TRUE))
  stopifnot(abs(det(B) / a^k - 1) < 1e-8)
  ## The term's columns (1, x) -> (1, a x + d): Z' = Z Bz exactly, M = Bz^-1.
  x0 <- d0[[case$column]]; x1 <- d[[case$column]]
  Bz <- matrix(c(1, 0, s, a), 2, 2)
  stopifnot(max(abs(cbind(1, x0) %*% Bz - cbind(1, x1))) == 0)
  M <- matrix(c(1, 0, -s / a, 1 / a), 2, 2)
  vc <- VarCorr(m0)[[case$group]]
  Sigma <- M %*% vc[, ] %*% t(M)
  sig <- sigma(m0)
  ## theta' = chol(Sigma' / sigma^2), its last entry from det Sigma' = det Sigma det(M)^2 (chol
  ## itself would cancel the digits of 1 - r'^2, ~1e-12 for d = 1e6).
  L11 <- sqrt(Sigma[1, 1]) / sig
  L21 <- Sigma[2, 1] / (sig^2 * L11)
  L22 <- sqrt(det(vc[, ]) * det(M)^2 / Sigma[1, 1]) / sig
  L <- matrix(c(L11, L21, 0, L22), 2, 2)
  re <- ranef(m0, condVar = TRUE)[[case$group]]
  pv <- attr(re, "postVar")
  modes <- t(M %*% t(as.matrix(re)))
  condvar <- lapply(seq_len(dim(pv)[3]), function(i) {
    v <- M %*% pv[, , i] %*% t(M); I(c(v[1, 1], v[2, 1], v[2, 2]))
  })
  nd0 <- case$new
  nd <- nd0; nd[[case$column]] <- nd[[case$column]] * a + s
  pred <- predict(m0, newdata = nd0, allow.new.levels = TRUE)
  popul <- predict(m0, newdata = nd0, re.form = NA)
  m0t <- lmerTest::lmer(formula, d0, REML = case$REML, control = POLISH_CTRL)
  df <- lapply(seq_len(nrow(Binv)), function(i) {
    Lc <- Binv[i, ]
    sat <- lmerTest::contest1D(m0t, Lc, ddf = "Satterthwaite")
    kr <- if (case$REML) lmerTest::contest1D(m0t, Lc, ddf = "Kenward-Roger")$df else NA
    list(name = colnames(X1)[i], satterthwaite = sat$df, kenward_roger = kr, estimate = sat$Estimate,
         std_error = sat$`Std. Error`)
  })
  implied <- list(
    logLik = as.numeric(logLik(m0)) - (if (case$REML) k * log(abs(a)) else 0),
    theta = I(c(L[1, 1], L[2, 1], L[2, 2])),
    beta = I(as.vector(Binv %*% fixef(m0))), sigma = sig,
    covariance = I(c(Sigma[1, 1], Sigma[2, 1], Sigma[2, 2])),
    standard_deviations = I(sqrt(diag(Sigma))), correlation = Sigma[2, 1] / sqrt(Sigma[1, 1] * Sigma[2, 2]),
    levels = I(rownames(re)), modes = modes, conditional_variances = condvar,
    fitted_first = I(unname(fitted(m0))[1:5]),
    prediction = list(new_data = columns_json(nd), conditional = I(unname(pred)), population = I(unname(popul))),
    df = df,
    wald_nlme = if (isFALSE(case$wald)) NULL else wald_shifted(case, d0, M))
  out[[case$id]] <- list(dataset = case$dataset, formula = case$formula, column = case$column,
                         group = case$group, REML = case$REML, scale = a, shift = s, n = nrow(d),
                         lme4_default = fits$default, lme4_polished = fits$polished,
                         implied = implied)
}
write_json_file(list(cases = out,
                     control = "lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15, ftol_abs = 1e-15, maxeval = 1e5))",
                     versions = versions_list()),
                file.path(FIX_DIR, "robustness", "reshift.json"))
