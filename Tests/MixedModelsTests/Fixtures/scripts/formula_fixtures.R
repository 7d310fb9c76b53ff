## Reference fits for formulas with functions (log, I(), poly, scale, center, factor, offset,
## sqrt, exp, abs, log10, log2) and for MATLAB's power rule (Days^2 = Days + I(Days^2)), and
## their predictions on new data (data-dependent transforms keep the fitting constants, as R's
## predict does through makepredictcall).
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/formula_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/formula/transforms.json: one entry per model with
## `formula` (ours), `r_formula` (what lme4 fitted), the fit at lme4's polished optimum (tight
## optimiser tolerances, see README caveat 7): logLik, theta, beta, se_beta, sigma, beta names;
## and `newdata` with predictions re.form = NA (`marginal`) and with the random effects
## (`conditional`, allow.new.levels = TRUE: an unseen Subject contributes zero).
##
## `center(x)` has no R function; the R side uses scale(x, scale = FALSE), which centres and
## keeps the fitting mean for new data in the same way.

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
OUT_DIR <- file.path(FIX_DIR, "formula")
dir.create(OUT_DIR, showWarnings = FALSE, recursive = TRUE)

POLISH_CTRL <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                          ftol_abs = 1e-15, maxeval = 1e5))

sleep_new <- data.frame(Days = c(0, 2.5, 9, 12, 4), Subject = c("308", "309", "372", "NEW", "333"),
                        stringsAsFactors = FALSE)
sleep_new_levels <- data.frame(Days = c(0, 3, 9, 5), Subject = c("308", "309", "NEW", "333"),
                               stringsAsFactors = FALSE)
ortho_new <- data.frame(age = c(8, 11, 14, 9.5), Sex = c("Male", "Female", "Female", "Male"),
                        Subject = c("M01", "F02", "NEW", "M05"), stringsAsFactors = FALSE)

specs <- list(
  list(id = "log_response_quadratic", dataset = "sleepstudy", REML = TRUE,
       formula = "log(Reaction) ~ Days + I(Days^2) + (1 | Subject)",
       r_formula = "log(Reaction) ~ Days + I(Days^2) + (1 | Subject)", newdata = sleep_new),
  list(id = "log_response_quadratic_ml", dataset = "sleepstudy", REML = FALSE,
       formula = "log(Reaction) ~ Days + I(Days^2) + (1 | Subject)",
       r_formula = "log(Reaction) ~ Days + I(Days^2) + (1 | Subject)", newdata = sleep_new),
  list(id = "poly_orthogonal", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ poly(Days, 2) + (1 + Days | Subject)",
       r_formula = "Reaction ~ poly(Days, 2) + (1 + Days | Subject)", newdata = sleep_new),
  list(id = "poly_cubic_orthogonal", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ poly(Days, 3) + (1 | Subject)",
       r_formula = "Reaction ~ poly(Days, 3) + (1 | Subject)", newdata = sleep_new),
  list(id = "poly_raw", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ poly(Days, 3, raw = TRUE) + (1 | Subject)",
       r_formula = "Reaction ~ poly(Days, 3, raw = TRUE) + (1 | Subject)", newdata = sleep_new),
  list(id = "scale_in_random_term", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ scale(Days) + (1 + scale(Days) | Subject)",
       r_formula = "Reaction ~ scale(Days) + (1 + scale(Days) | Subject)", newdata = sleep_new),
  list(id = "center", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ center(Days) + (1 | Subject)",
       r_formula = "Reaction ~ scale(Days, scale = FALSE) + (1 | Subject)", newdata = sleep_new),
  list(id = "factor_numeric", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ factor(Days) + (1 | Subject)",
       r_formula = "Reaction ~ factor(Days) + (1 | Subject)", newdata = sleep_new_levels),
  list(id = "offset", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ Days + offset(2 * Days) + (1 | Subject)",
       r_formula = "Reaction ~ Days + offset(2 * Days) + (1 | Subject)", newdata = sleep_new),
  list(id = "offset_log", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ 1 + offset(10 * log(Days + 1)) + (1 + Days | Subject)",
       r_formula = "Reaction ~ 1 + offset(10 * log(Days + 1)) + (1 + Days | Subject)", newdata = sleep_new),
  list(id = "elementwise_functions", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ sqrt(Days) + log2(Days + 1) + (1 + log(Days + 1) | Subject)",
       r_formula = "Reaction ~ sqrt(Days) + log2(Days + 1) + (1 + log(Days + 1) | Subject)", newdata = sleep_new),
  list(id = "elementwise_functions_2", dataset = "sleepstudy", REML = FALSE,
       formula = "log10(Reaction) ~ abs(Days - 4.5) + exp(Days/10) + (1 | Subject)",
       r_formula = "log10(Reaction) ~ abs(Days - 4.5) + exp(Days/10) + (1 | Subject)", newdata = sleep_new),
  list(id = "function_interaction", dataset = "Orthodont", REML = FALSE,
       formula = "distance ~ Sex + log(age):Sex + (1 | Subject)",
       r_formula = "distance ~ Sex + log(age):Sex + (1 | Subject)", newdata = ortho_new),
  list(id = "matlab_power", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ Days^2 + (1 + Days | Subject)",
       r_formula = "Reaction ~ Days + I(Days^2) + (1 + Days | Subject)", newdata = sleep_new),
  list(id = "matlab_power_cubic_reml", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ Days^3 + (1 | Subject)",
       r_formula = "Reaction ~ Days + I(Days^2) + I(Days^3) + (1 | Subject)", newdata = sleep_new),
  list(id = "matlab_power_minus", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ Days^2 - Days + (1 | Subject)",
       r_formula = "Reaction ~ I(Days^2) + (1 | Subject)", newdata = sleep_new)
)

fits <- list()
for (s in specs) {
  data <- load_dataset(s$dataset)
  fml <- as.formula(s$r_formula)
  m0 <- suppressMessages(suppressWarnings(lmer(fml, data = data, REML = s$REML)))
  r <- with_conditions(update(m0, control = POLISH_CTRL))
  m <- r$value
  nd <- s$newdata
  marginal <- unname(predict(m, newdata = nd, re.form = NA))
  conditional <- unname(predict(m, newdata = nd, allow.new.levels = TRUE))
  nd_out <- lapply(names(nd), function(v) I(nd[[v]]))
  names(nd_out) <- names(nd)
  fits[[length(fits) + 1]] <- list(
    id = s$id, dataset = s$dataset, formula = s$formula, r_formula = s$r_formula, REML = s$REML,
    logLik = as.numeric(logLik(m)), theta = I(unname(getME(m, "theta"))),
    beta = I(unname(fixef(m))), beta_names = I(names(fixef(m))),
    se_beta = I(unname(sqrt(diag(as.matrix(vcov(m)))))), sigma = sigma(m),
    newdata = nd_out, marginal = I(marginal), conditional = I(conditional),
    warnings = I(c(r$warnings, r$messages)))
}
write_json_file(list(control = "lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15, ftol_abs = 1e-15, maxeval = 1e5))",
                     fits = fits, versions = versions_list()),
                file.path(OUT_DIR, "transforms.json"))
