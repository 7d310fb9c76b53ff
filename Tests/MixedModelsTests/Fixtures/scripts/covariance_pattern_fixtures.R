## Reference fits for covariance patterns lme4 cannot express, from nlme's lme():
## compound symmetry (pdCompSymm) and a common variance (pdIdent) on several random effects.
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/covariance_pattern_fixtures.R
source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
suppressPackageStartupMessages(library(nlme))

out_dir <- file.path(FIX_DIR, "patterns")
dir.create(out_dir, showWarnings = FALSE)

fit_one <- function(id, dataset, our_formula, pattern, group, fixed, random, method) {
  d <- load_dataset(dataset)
  ctrl <- lmeControl(opt = "optim", msMaxIter = 1000, tolerance = 1e-12, msTol = 1e-14,
                     niterEM = 100, returnObject = TRUE)
  m <- lme(fixed, random = random, data = d, method = method, control = ctrl)
  res <- list(
    id = id, dataset = dataset, software = "nlme::lme", formula = our_formula,
    nlme_call = paste(deparse(m$call), collapse = " "),
    pattern = pattern, group = group, REML = (method == "REML"),
    logLik = as.numeric(logLik(m)),
    beta = I(unname(fixef(m))), beta_names = I(names(fixef(m))),
    se_beta = I(unname(sqrt(diag(vcov(m))))),
    sigma = m$sigma,
    random_sd = I(unname(as.numeric(sqrt(diag(as.matrix(getVarCov(m))))))),
    random_cov = unname(as.matrix(getVarCov(m))),
    versions = versions_list()
  )
  write_json_file(res, file.path(out_dir, paste0(id, ".json")))
}

for (method in c("ML", "REML")) {
  suffix <- tolower(method)
  fit_one(paste0("machines_compsymm_", suffix), "Machines",
          "score ~ Machine + (0 + Machine | Worker)", "CompSymm", "Worker",
          score ~ Machine, list(Worker = pdCompSymm(~ Machine - 1)), method)
  fit_one(paste0("machines_isotropic_", suffix), "Machines",
          "score ~ Machine + (0 + Machine | Worker)", "Isotropic", "Worker",
          score ~ Machine, list(Worker = pdIdent(~ Machine - 1)), method)
  fit_one(paste0("sleepstudy_compsymm_", suffix), "sleepstudy",
          "Reaction ~ 1 + Days + (1 + Days | Subject)", "CompSymm", "Subject",
          Reaction ~ Days, list(Subject = pdCompSymm(~ Days)), method)
}
