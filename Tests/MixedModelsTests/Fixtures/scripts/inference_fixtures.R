## Reference values for covariance-parameter Wald intervals and REML likelihood-ratio tests.
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/inference_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/inference/covariance_wald_nlme.json and
## Tests/MixedModelsTests/Fixtures/inference/anova_reml_refit_false.json.
##
## MATLAB's covarianceParameters intervals are Wald intervals on the "natural" scale (log SD,
## log((1+r)/(1-r)) for correlations, log sigma) with the covariance from the Hessian of the
## log-likelihood (ML: profiled on beta; REML: the restricted log-likelihood). nlme's
## intervals(lme) computes exactly that (apVar, a numerical Hessian from fdHess), so nlme is the
## reference here; its Hessian is a finite-difference one and its optimum is nlme's own.
## nlme's default step for that Hessian (.relStep = eps^(1/3) ~ 6e-6) is far too small for second
## differences of a log-likelihood of size ~1e3 (rounding noise moves sleepstudy's correlation
## limits by 10%); .relStep = 1e-4 ~ eps^(1/4), the usual step for central second differences,
## is used instead (the limits then change by < 1e-4 relative between steps 1e-4 and 1e-3).

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
suppressPackageStartupMessages(library(nlme))

OUT_DIR <- file.path(FIX_DIR, "inference")
dir.create(OUT_DIR, showWarnings = FALSE, recursive = TRUE)

specs <- list(
  list(id = "dyestuff", dataset = "Dyestuff", formula = "Yield ~ 1 + (1 | Batch)",
       fixed = Yield ~ 1, random = ~ 1 | Batch),
  list(id = "rail", dataset = "Rail", formula = "travel ~ 1 + (1 | Rail)",
       fixed = travel ~ 1, random = ~ 1 | Rail),
  list(id = "ergostool", dataset = "ergoStool", formula = "effort ~ Type + (1 | Subject)",
       fixed = effort ~ Type, random = ~ 1 | Subject),
  list(id = "sleepstudy_intercept", dataset = "sleepstudy", formula = "Reaction ~ 1 + Days + (1 | Subject)",
       fixed = Reaction ~ Days, random = ~ 1 | Subject),
  list(id = "sleepstudy_corr", dataset = "sleepstudy", formula = "Reaction ~ 1 + Days + (1 + Days | Subject)",
       fixed = Reaction ~ Days, random = ~ Days | Subject),
  list(id = "sleepstudy_uncorr", dataset = "sleepstudy",
       formula = "Reaction ~ 1 + Days + (1 | Subject) + (0 + Days | Subject)",
       fixed = Reaction ~ Days, random = list(Subject = pdDiag(~ Days))),
  list(id = "pastes", dataset = "Pastes", formula = "strength ~ 1 + (1 | batch/cask)",
       fixed = strength ~ 1, random = ~ 1 | batch/cask)
)

wald_entry <- function(s, method) {
  data <- load_dataset(s$dataset)
  r <- with_conditions(tryCatch(
    lme(s$fixed, data = data, random = s$random, method = method,
        control = lmeControl(msMaxIter = 500, tolerance = 1e-10, niterEM = 100, opt = "nlminb", .relStep = 1e-4)),
    error = function(e) e))
  m <- r$value
  if (inherits(m, "error")) return(list(id = s$id, method = method, error = conditionMessage(m)))
  iv <- with_conditions(tryCatch(intervals(m, which = "var-cov"), error = function(e) e))
  if (inherits(iv$value, "error"))
    return(list(id = s$id, method = method, formula = s$formula, error = conditionMessage(iv$value)))
  groups <- lapply(names(iv$value$reStruct), function(g) {
    tab <- iv$value$reStruct[[g]]
    list(group = g, rownames = I(rownames(tab)), lower = I(tab[, "lower"]),
         estimate = I(tab[, "est."]), upper = I(tab[, "upper"]))
  })
  sg <- iv$value$sigma
  list(id = s$id, dataset = s$dataset, formula = s$formula, method = method,
       nlme_call = paste(deparse(s$fixed), "random =", paste(deparse(s$random), collapse = " ")),
       logLik = as.numeric(logLik(m)), groups = groups,
       sigma = list(lower = sg[["lower"]], estimate = sg[["est."]], upper = sg[["upper"]]),
       apVar = if (is.matrix(m$apVar)) unclass(m$apVar) else NULL,
       warnings = I(unique(c(r$warnings, iv$warnings))))
}

entries <- list()
for (s in specs) for (method in c("ML", "REML")) entries[[length(entries) + 1]] <- wald_entry(s, method)
write_json_file(list(
  description = "nlme intervals(lme, which = 'var-cov'), 95%, lmeControl(.relStep = 1e-4): Wald intervals on log SD, log((1+r)/(1-r)) and log sigma with the covariance from nlme's numerical Hessian (apVar) -- the method MATLAB's covarianceParameters uses",
  entries = entries, versions = versions_list()), file.path(OUT_DIR, "covariance_wald_nlme.json"))

## REML likelihood-ratio tests between models with the same fixed effects: anova(refit = FALSE).
cmp_specs <- list(
  list(id = "sleepstudy_intercept_vs_corr_reml", dataset = "sleepstudy",
       small = "Reaction ~ 1 + Days + (1 | Subject)", big = "Reaction ~ 1 + Days + (1 + Days | Subject)"),
  list(id = "sleepstudy_uncorr_vs_corr_reml", dataset = "sleepstudy",
       small = "Reaction ~ 1 + Days + (1 | Subject) + (0 + Days | Subject)",
       big = "Reaction ~ 1 + Days + (1 + Days | Subject)"),
  list(id = "machines_worker_vs_nested_reml", dataset = "Machines",
       small = "score ~ Machine + (1 | Worker)", big = "score ~ Machine + (1 | Worker/Machine)")
)
comparisons <- lapply(cmp_specs, function(s) {
  data <- load_dataset(s$dataset)
  m0 <- lmer(as.formula(s$small), data = data, REML = TRUE)
  m1 <- lmer(as.formula(s$big), data = data, REML = TRUE)
  a <- with_conditions(anova(m0, m1, refit = FALSE))
  tab <- as.data.frame(a$value)
  rows <- lapply(1:2, function(i) list(model = c("small", "big")[i], formula = c(s$small, s$big)[i],
    npar = tab$npar[i], AIC = tab$AIC[i], BIC = tab$BIC[i], logLik = tab$logLik[i],
    deviance = tab$deviance[i], Chisq = tab$Chisq[i], Df = tab$Df[i], `Pr(>Chisq)` = tab[["Pr(>Chisq)"]][i]))
  list(id = s$id, dataset = s$dataset, small = s$small, big = s$big,
       fitted_with = "lmer(REML = TRUE) for both; anova(m_small, m_big, refit = FALSE) compares the REML criteria",
       table = rows, messages = I(a$messages), warnings = I(a$warnings))
})
write_json_file(list(comparisons = comparisons, versions = versions_list()),
                file.path(OUT_DIR, "anova_reml_refit_false.json"))
