## Kenward-Roger references that the shared fixtures do not have.
##
## 1. weighted_corrected: the weighted sleepstudy REML fit (Fixtures/lme4/sleepstudy_weighted_reml)
##    with pbkrtest 0.5.2's own algorithm (pbkrtest:::vcovAdj_internal, pbkrtest::Lb_ddf,
##    pbkrtest:::.KR_adjust) fed the marginal covariance of the weighted model,
##    V = Z Psi Z' + sigma^2 W^-1 with G_sigma2 = W^-1. pbkrtest itself (and so lmerTest) uses
##    sigma^2 I there, ignoring the prior weights, while taking Phi = vcov(m) from the weighted
##    fit; its result is stored as `pbkrtest_unweighted_V` for comparison only.
## 2. polished: lmerTest's Kenward-Roger tables at lme4's polished optimum for the fits whose
##    default optimum is measurably off (README caveat 7), for tests at our own optimum.
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/kenward_roger_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/inference/kenward_roger.json.

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
suppressPackageStartupMessages({ library(lmerTest); library(pbkrtest) })

table_obj <- function(tab) {
  tab <- as.data.frame(tab, check.names = FALSE)
  out <- lapply(seq_len(nrow(tab)), function(i) lapply(as.list(tab[i, , drop = FALSE]), unname))
  names(out) <- rownames(tab)
  out
}

## --- 1. weighted sleepstudy with the weighted V -----------------------------------------
d <- load_dataset("sleepstudy")
d$w <- 1 + (d$Days %% 3)
m <- lme4::lmer(Reaction ~ 1 + Days + (1 + Days | Subject), data = d, REML = TRUE, weights = w)
SigmaG <- pbkrtest:::get_SigmaG(m)
n <- nrow(d)
k <- SigmaG$n.ggamma
SigmaG$G[[k]] <- Matrix::Diagonal(n, 1 / d$w)
ggamma <- c(unlist(lapply(VarCorr(m), function(L) L[lower.tri(L, diag = TRUE)])), sigma(m)^2)
Sigma <- ggamma[1] * SigmaG$G[[1]]
for (i in 2:k) Sigma <- Sigma + ggamma[i] * SigmaG$G[[i]]
SigmaG$Sigma <- Sigma
X <- getME(m, "X")
Phi <- vcov(m)
## Check that this V reproduces the fit's Var(beta-hat): (X' V^-1 X)^-1 = vcov(m).
phi_check <- max(abs(as.matrix(solve(t(X) %*% solve(Sigma, X))) - as.matrix(Phi)))
stopifnot(phi_check < 1e-8 * max(abs(as.matrix(Phi))))
PhiA <- pbkrtest:::vcovAdj_internal(Phi, SigmaG, X)
beta <- fixef(m)
summary_rows <- list()
for (j in seq_along(beta)) {
  L <- matrix(0, 1, length(beta)); L[1, j] <- 1
  se <- sqrt(drop(L %*% as.matrix(PhiA) %*% t(L)))
  ddf <- pbkrtest::Lb_ddf(L = L, V0 = Phi, Vadj = PhiA)
  summary_rows[[names(beta)[j]]] <- list(Estimate = unname(beta[j]), `Std. Error` = se, df = ddf,
                                         `t value` = unname(beta[j]) / se)
}
L2 <- diag(length(beta))
joint <- pbkrtest:::.KR_adjust(PhiA, Phi = Phi, L2, beta = beta, betaH = 0)
weighted <- list(
  formula = "Reaction ~ 1 + Days + (1 + Days | Subject)", weights = "w = 1 + (Days %% 3)", REML = TRUE,
  theta = I(unname(getME(m, "theta"))),
  vcov_adjusted = I(unname(lapply(seq_len(nrow(PhiA)), function(i) I(unname(as.matrix(PhiA)[i, ]))))),
  summary_kenward_roger = summary_rows,
  joint_test = list(L = "identity (all coefficients)", ndf = joint$ndf, ddf = joint$ddf, Fstat = joint$Fstat,
                    FstatU = joint$FstatU, F.scaling = joint$F.scaling),
  pbkrtest_unweighted_V = table_obj(coef(summary(as_lmerModLmerTest(m), ddf = "Kenward-Roger"))))

## --- 2. polished optima ------------------------------------------------------------------
POLISH_CTRL <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                          ftol_abs = 1e-15, maxeval = 1e5))
specs <- list(
  list(id = "orthodont_reml", dataset = "Orthodont", formula = "distance ~ age * Sex + (1 + age | Subject)"),
  list(id = "machines_slope_reml", dataset = "Machines", formula = "score ~ Machine + (Machine | Worker)")
)
polished <- list()
for (s in specs) {
  dd <- load_dataset(s$dataset)
  mm <- lmerTest::lmer(as.formula(s$formula), data = dd, REML = TRUE, control = POLISH_CTRL)
  polished[[s$id]] <- list(
    formula = s$formula, dataset = s$dataset, REML = TRUE,
    theta = I(unname(getME(mm, "theta"))),
    summary_kenward_roger = table_obj(coef(summary(mm, ddf = "Kenward-Roger"))),
    anova_type3_kenward_roger = table_obj(anova(mm, type = "III", ddf = "Kenward-Roger")),
    anova_type1_kenward_roger = table_obj(anova(mm, type = "I", ddf = "Kenward-Roger")))
}

out <- list(weighted_corrected = weighted, polished = polished, versions = versions_list())
dir.create(file.path(FIX_DIR, "inference"), showWarnings = FALSE, recursive = TRUE)
write_json_file(out, file.path(FIX_DIR, "inference", "kenward_roger.json"))
