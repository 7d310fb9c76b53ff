## Reference fits for covariance patterns given per term and as MATLAB's logical matrix of free
## covariance entries. Each of our models has an lme4 equivalent: a block pattern is the term
## split into one unstructured term per block on the same grouping factor (as lme4's `||`).
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/covariance_free_entries_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/covariance/free_entries.json: per model our formula and
## `covariance` options (what `lmm --covariance` takes), the lme4 formula, and the fit at lme4's
## polished optimum (logLik, beta, se_beta, sigma) plus predictions on new data (re.form = NA and
## with the random effects, allow.new.levels = TRUE).

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
OUT_DIR <- file.path(FIX_DIR, "covariance")
dir.create(OUT_DIR, showWarnings = FALSE, recursive = TRUE)
POLISH_CTRL <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                          ftol_abs = 1e-15, maxeval = 1e5))
sleep_new <- data.frame(Days = c(0, 2.5, 9, 12), Subject = c("308", "309", "372", "NEW"),
                        stringsAsFactors = FALSE)
machines_new <- data.frame(Machine = c("A", "B", "C", "B"), Worker = c("1", "2", "6", "NEW"),
                           stringsAsFactors = FALSE)

specs <- list(
  list(id = "diagonal_matrix", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ Days + (1 + Days | Subject)", covariance = I("Subject=[1 0; 0 1]"),
       r_formula = "Reaction ~ Days + (1 + Days || Subject)", newdata = sleep_new),
  list(id = "block_matrix", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ Days + I(Days^2) + (1 + Days + I(Days^2) | Subject)",
       covariance = I("Subject=[1 1 0; 1 1 0; 0 0 1]"),
       r_formula = "Reaction ~ Days + I(Days^2) + (1 + Days | Subject) + (0 + I(Days^2) | Subject)",
       newdata = sleep_new),
  list(id = "permuted_block_matrix", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ Days + I(Days^2) + (1 + Days + I(Days^2) | Subject)",
       covariance = I("(1 + Days + I(Days^2) | Subject)=[1 0 1; 0 1 0; 1 0 1]"),
       r_formula = "Reaction ~ Days + I(Days^2) + (1 + I(Days^2) | Subject) + (0 + Days | Subject)",
       newdata = sleep_new),
  list(id = "term_diagonal", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ Days + I(Days^2) + (1 + Days | Subject) + (0 + I(Days^2) | Subject)",
       covariance = I("(1 + Days | Subject)=Diagonal"),
       r_formula = "Reaction ~ Days + I(Days^2) + (1 + Days + I(Days^2) || Subject)", newdata = sleep_new),
  list(id = "factor_block_matrix", dataset = "Machines", REML = TRUE,
       formula = "score ~ Machine + (1 + Machine | Worker)", covariance = I("Worker=[1 0 0; 0 1 1; 0 1 1]"),
       r_formula = "score ~ Machine + (1 | Worker) + (0 + dummy(Machine, \"B\") + dummy(Machine, \"C\") | Worker)",
       newdata = machines_new)
)

fits <- list()
for (s in specs) {
  data <- load_dataset(s$dataset)
  m0 <- suppressMessages(suppressWarnings(lmer(as.formula(s$r_formula), data = data, REML = s$REML)))
  r <- with_conditions(update(m0, control = POLISH_CTRL))
  m <- r$value
  nd <- s$newdata
  nd_out <- lapply(names(nd), function(v) I(nd[[v]]))
  names(nd_out) <- names(nd)
  fits[[length(fits) + 1]] <- list(
    id = s$id, dataset = s$dataset, formula = s$formula, covariance = s$covariance,
    r_formula = s$r_formula, REML = s$REML,
    logLik = as.numeric(logLik(m)), beta = I(unname(fixef(m))),
    se_beta = I(unname(sqrt(diag(as.matrix(vcov(m)))))), sigma = sigma(m),
    theta_count = length(getME(m, "theta")),
    newdata = nd_out,
    marginal = I(unname(predict(m, newdata = nd, re.form = NA))),
    conditional = I(unname(predict(m, newdata = nd, allow.new.levels = TRUE))),
    warnings = I(c(r$warnings, r$messages)))
}
write_json_file(list(control = "lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15, ftol_abs = 1e-15, maxeval = 1e5))",
                     fits = fits, versions = versions_list()),
                file.path(OUT_DIR, "free_entries.json"))
