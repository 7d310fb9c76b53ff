## lme4's convergence-check derivatives (issue 11.3): the gradient and Hessian of the profiled
## deviance in theta that lme4's checkConv uses (lme4:::deriv12 on the deviance function, as
## lmer's optimizer wrapper computes them), evaluated at lme4's polished optimum, for a few fits.
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/convergence_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/robustness/convergence.json.

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")

POLISH_CTRL <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                          ftol_abs = 1e-15, maxeval = 1e5))
cases <- list(
  list(id = "sleepstudy_corr_reml", dataset = "sleepstudy", REML = TRUE,
       formula = "Reaction ~ 1 + Days + (1 + Days | Subject)"),
  list(id = "sleepstudy_corr_ml", dataset = "sleepstudy", REML = FALSE,
       formula = "Reaction ~ 1 + Days + (1 + Days | Subject)"),
  list(id = "penicillin_reml", dataset = "Penicillin", REML = TRUE,
       formula = "diameter ~ 1 + (1 | plate) + (1 | sample)"),
  list(id = "machines_slope_ml", dataset = "Machines", REML = FALSE,
       formula = "score ~ Machine + (Machine | Worker)")
)
out <- list()
for (case in cases) {
  d <- load_dataset(case$dataset)
  m <- lmer(as.formula(case$formula), d, REML = case$REML, control = POLISH_CTRL)
  theta <- getME(m, "theta")
  devfun <- update(m, devFunOnly = TRUE)
  derivs <- lme4:::deriv12(devfun, theta)
  out[[case$id]] <- list(dataset = case$dataset, formula = case$formula, REML = case$REML,
                         theta = I(unname(theta)), gradient = I(unname(derivs$gradient)),
                         hessian = unname(derivs$Hessian),
                         hessian_eigenvalues = I(sort(eigen(derivs$Hessian, symmetric = TRUE, only.values = TRUE)$values)),
                         checkConv_messages = I(as.character(unlist(m@optinfo$conv$lme4$messages))))
}
write_json_file(list(cases = out, note = "deriv12: central differences with delta 1e-4 on the deviance function of lme4 at the polished theta",
                     versions = versions_list()),
                file.path(FIX_DIR, "robustness", "convergence.json"))
