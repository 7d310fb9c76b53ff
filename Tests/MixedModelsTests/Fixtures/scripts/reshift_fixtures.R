## A random-effects predictor shifted far from zero (issue 11, item 1): sleepstudy with Days
## replaced by Days * scale + shift in Reaction ~ 1 + Days + (1 + Days | Subject), fitted by
## lme4 at its defaults and polished, with the values that invariance implies.
##
## The implied values come from the polished fit of the unshifted data. With x' = a x + d the
## model b0 + b1 x = (b0 - b1 d / a) + (b1 / a) x' is the same model, so per level
## b' = M b with M = [[1, -d/a], [0, 1/a]], Sigma' = M Sigma M', theta' = chol(Sigma' / sigma^2)
## (lower, lme4's order), beta' = M beta, the conditional variances M V M', predictions and
## sigma unchanged, ML logLik unchanged, REML logLik - log|a| (the REML criterion carries
## log det X'X, and det M = 1/a).
##
## Degrees of freedom do not depend on the parametrisation: for the unshifted fit, lmerTest's
## Satterthwaite and Kenward-Roger df of the contrasts that are the shifted model's
## coefficients (the intercept is (1, -d/a) in the unshifted coordinates, Days is (0, 1/a)).
##
## Wald intervals of the covariance parameters (MATLAB's covarianceParameters: log SD,
## log((1+r)/(1-r)), log sigma, covariance from the Hessian): nlme cannot form them on the shifted
## copies (its approximate covariance is not positive definite there), so the reference is the
## delta method from nlme's apVar of the unshifted fit (as inference_fixtures.R fits it): the map
## from its natural parameters to the shifted model's (Sigma' = M Sigma M', 1 - r'^2 from
## det Sigma' = det Sigma / a^2, so that nothing cancels) differentiated by numDeriv.
## The same map at a = 1, d = 0 reproduces nlme's own intervals (checked below).
##
## Run from the repository root: Rscript Tests/MixedModelsTests/Fixtures/scripts/reshift_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/robustness/reshift.json.

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
suppressPackageStartupMessages(library(lmerTest))
suppressPackageStartupMessages(library(nlme))

POLISH_CTRL <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                          ftol_abs = 1e-15, maxeval = 1e5))
FORMULA <- Reaction ~ 1 + Days + (1 + Days | Subject)

cases <- list(
  list(id = "days_shift_1e6_reml", REML = TRUE, scale = 1, shift = 1e6),
  list(id = "days_shift_1e6_ml", REML = FALSE, scale = 1, shift = 1e6),
  list(id = "days_scale_1e3_shift_1e5_ml", REML = FALSE, scale = 1e3, shift = 1e5),
  list(id = "days_scale_1e3_shift_1e5_reml", REML = TRUE, scale = 1e3, shift = 1e5),
  list(id = "days_shift_minus_1e4_reml", REML = TRUE, scale = 1, shift = -1e4)
)

## New data for predictions: a known subject inside and outside the observed days, and a new
## subject (population-level prediction).
NEW_DATA <- data.frame(Subject = c("308", "308", "372", "new"), Days = c(2.5, 12, 0, 3))

## nlme's natural parameters (log sd0, log sd1, log((1+r)/(1-r)), log sigma; the order of
## attr(apVar, "Pars")) of the unshifted model mapped to the shifted model's, in the order of
## lmm's covariance-parameter table (sd0, r, sd1, sigma).
shifted_natural <- function(p, a, s) {
  sd0 <- exp(p[1]); sd1 <- exp(p[2]); r <- (exp(p[3]) - 1) / (exp(p[3]) + 1)
  S <- matrix(c(sd0^2, r * sd0 * sd1, r * sd0 * sd1, sd1^2), 2)
  M <- matrix(c(1, 0, -s / a, 1 / a), 2, 2)
  S2 <- M %*% S %*% t(M)
  q <- (sd0^2 * sd1^2 * (1 - r^2) / a^2) / (S2[1, 1] * S2[2, 2])    # 1 - r'^2
  rho <- sign(S2[1, 2]) * sqrt(max(0, 1 - q))
  z <- if (rho < 0) log(q / (1 - rho)^2) else log((1 + rho)^2 / q)  # log((1+r')/(1-r'))
  c(0.5 * log(S2[1, 1]), z, 0.5 * log(S2[2, 2]), p[4])
}

wald_shifted <- function(REML, a, s) {
  m <- lme(Reaction ~ Days, data = d0, random = ~ Days | Subject, method = if (REML) "REML" else "ML",
           control = lmeControl(msMaxIter = 500, tolerance = 1e-10, niterEM = 100, opt = "nlminb", .relStep = 1e-4))
  aV <- unclass(m$apVar)
  pars <- attr(m$apVar, "Pars")
  stopifnot(length(pars) == 4, names(pars)[4] == "lSigma")
  limits <- function(a, s) {
    J <- numDeriv::jacobian(function(p) shifted_natural(p, a, s), pars)
    V <- J %*% aV[1:4, 1:4] %*% t(J)
    est <- shifted_natural(pars, a, s)
    half <- qnorm(0.975) * sqrt(diag(V))
    back <- function(x) c(exp(x[1]), (exp(x[2]) - 1) / (exp(x[2]) + 1), exp(x[3]), exp(x[4]))
    list(lower = I(back(est - half)), estimate = I(back(est)), upper = I(back(est + half)))
  }
  ## The map at a = 1, d = 0 is the identity: nlme's own intervals.
  own <- intervals(m, which = "var-cov")
  check <- limits(1, 0)
  table <- own$reStruct$Subject
  stopifnot(max(abs(check$lower[c(1, 3)] / table[c("sd((Intercept))", "sd(Days)"), "lower"] - 1)) < 1e-8,
            abs(check$lower[2] / table["cor((Intercept),Days)", "lower"] - 1) < 1e-8,
            abs(check$lower[4] / own$sigma[["lower"]] - 1) < 1e-8)
  c(limits(a, s), list(names = I(c("sd_(Intercept)", "cor_Days.(Intercept)", "sd_Days", "sigma"))))
}

summarise <- function(m) {
  list(logLik = as.numeric(logLik(m)), theta = I(unname(getME(m, "theta"))),
       beta = I(unname(fixef(m))), sigma = sigma(m), singular = isSingular(m))
}

fit_both <- function(d, REML) {
  r <- with_conditions(lme4::lmer(FORMULA, d, REML = REML))
  p <- with_conditions(update(r$value, control = POLISH_CTRL))
  list(default = c(summarise(r$value), list(warnings = I(c(r$warnings, r$messages)))),
       polished = c(summarise(p$value), list(warnings = I(c(p$warnings, p$messages)))))
}

d0 <- load_dataset("sleepstudy")
out <- list()
for (case in cases) {
  a <- case$scale; s <- case$shift
  d <- d0; d$Days <- d$Days * a + s
  fits <- fit_both(d, case$REML)
  m0 <- lme4::lmer(FORMULA, d0, REML = case$REML, control = POLISH_CTRL)
  M <- matrix(c(1, 0, -s / a, 1 / a), 2, 2)
  vc <- VarCorr(m0)$Subject
  Sigma <- M %*% vc[, ] %*% t(M)
  sig <- sigma(m0)
  L <- t(chol(Sigma / sig^2))
  re <- ranef(m0, condVar = TRUE)$Subject
  pv <- attr(re, "postVar")
  modes <- t(M %*% t(as.matrix(re)))
  condvar <- lapply(seq_len(dim(pv)[3]), function(i) {
    v <- M %*% pv[, , i] %*% t(M); I(c(v[1, 1], v[2, 1], v[2, 2]))
  })
  nd <- NEW_DATA; nd$Days <- nd$Days * a + s
  pred <- predict(m0, newdata = NEW_DATA, allow.new.levels = TRUE)
  popul <- predict(m0, newdata = NEW_DATA, re.form = NA)
  m0t <- lmerTest::lmer(FORMULA, d0, REML = case$REML, control = POLISH_CTRL)
  contrasts <- list(intercept = c(1, -s / a), Days = c(0, 1 / a))
  df <- lapply(contrasts, function(Lc) {
    sat <- lmerTest::contest1D(m0t, Lc, ddf = "Satterthwaite")
    kr <- if (case$REML) lmerTest::contest1D(m0t, Lc, ddf = "Kenward-Roger")$df else NA
    list(satterthwaite = sat$df, kenward_roger = kr, estimate = sat$Estimate, std_error = sat$`Std. Error`)
  })
  implied <- list(
    logLik = as.numeric(logLik(m0)) - (if (case$REML) log(abs(a)) else 0),
    theta = I(c(L[1, 1], L[2, 1], L[2, 2])),
    beta = I(as.vector(M %*% fixef(m0))), sigma = sig,
    covariance = I(c(Sigma[1, 1], Sigma[2, 1], Sigma[2, 2])),
    standard_deviations = I(sqrt(diag(Sigma))), correlation = Sigma[2, 1] / sqrt(Sigma[1, 1] * Sigma[2, 2]),
    levels = I(rownames(re)), modes = modes, conditional_variances = condvar,
    fitted_first = I(unname(fitted(m0))[1:5]),
    prediction = list(subject = I(NEW_DATA$Subject), days = I(nd$Days),
                      conditional = I(unname(pred)), population = I(unname(popul))),
    df = df,
    wald_nlme = wald_shifted(case$REML, a, s))
  out[[case$id]] <- list(REML = case$REML, scale = a, shift = s, n = nrow(d),
                         lme4_default = fits$default, lme4_polished = fits$polished,
                         implied = implied)
}
write_json_file(list(formula = deparse(FORMULA), dataset = "sleepstudy", cases = out,
                     control = "lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15, ftol_abs = 1e-15, maxeval = 1e5))",
                     versions = versions_list()),
                file.path(FIX_DIR, "robustness", "reshift.json"))
