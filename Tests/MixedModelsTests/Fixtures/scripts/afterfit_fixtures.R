## Reference values for `lmm ranef`, `lmm residuals`, `lmm fit --ci-method profile` and
## `lmm coeftest` (Tests/MixedModelsTests/AfterFitCommandTests.swift), from lme4, lmerTest and car
## at lme4's polished optimum (README caveat 7: the default optimum is imprecise).
##
## Writes Fixtures/afterfit/sleepstudy_missing.csv (sleepstudy with three cells blanked, so three
## rows are dropped for missing values), Fixtures/afterfit/sleepstudy_weighted.csv (sleepstudy with
## prior weights w) and Fixtures/afterfit/afterfit.json.
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/afterfit_fixtures.R
source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
suppressPackageStartupMessages({ library(lmerTest); library(car) })

OUT_DIR <- file.path(FIX_DIR, "afterfit")
dir.create(OUT_DIR, showWarnings = FALSE)
POLISH <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                     ftol_abs = 1e-15, maxeval = 1e5))

## --- sleepstudy with missing cells ---------------------------------------------------------
sleep <- load_dataset("sleepstudy")
sleep$Subject <- as.character(sleep$Subject)
MISSING <- list(list(row = 7, column = "Reaction"), list(row = 100, column = "Days"),
                list(row = 151, column = "Subject"))
for (m in MISSING) sleep[m$row, m$column] <- NA
csv_path <- file.path(OUT_DIR, "sleepstudy_missing.csv")
utils::write.csv(sleep, csv_path, row.names = FALSE, na = "", quote = FALSE)
d <- utils::read.csv(csv_path, na.strings = "", colClasses = c("numeric", "numeric", "character"))
d$Subject <- factor(d$Subject, levels = unique(d$Subject[!is.na(d$Subject)]))
stopifnot(nrow(d) == 180, sum(!complete.cases(d)) == 3)

## Everything a fit's CLI tests need, at the fit's (polished) optimum. Rows: 1-based rows of the
## data file; dropped rows are absent.
after_fit <- function(m, data) {
  kept <- as.integer(rownames(model.frame(m)))
  n <- length(kept)
  X <- getME(m, "X"); Z <- as.matrix(getME(m, "Z")); Lambda <- as.matrix(getME(m, "Lambda"))
  y <- getME(m, "y"); beta <- fixef(m); sigma <- sigma(m); b <- as.vector(getME(m, "b"))
  w <- weights(m, type = "prior")
  p <- ncol(X); q <- ncol(Z)
  ## Henderson's equations in spherical form, in the weighted space:
  ## sigma^2 M^-1 = Var([u^ - u; beta^ - beta]).
  ZL <- Z %*% Lambda
  M <- rbind(cbind(crossprod(ZL, w * ZL) + diag(q), crossprod(ZL, w * X)),
             cbind(crossprod(X, w * ZL), crossprod(X, w * X)))
  Minv <- solve(M)
  se_pred <- sqrt(diag(sigma^2 * Lambda %*% Minv[1:q, 1:q] %*% t(Lambda)))
  ## The random effects in lme4's order of b, with lme4's conditional SDs.
  re <- as.data.frame(ranef(m, condVar = TRUE))
  flist <- getME(m, "flist"); cnms <- getME(m, "cnms")
  names_b <- unlist(lapply(names(cnms), function(g) {
    lev <- levels(flist[[g]]); s <- cnms[[g]]
    paste(g, rep(lev, each = length(s)), rep(s, times = length(lev)), sep = "\r")
  }))
  key <- paste(re$grpvar, re$grp, re$term, sep = "\r")
  stopifnot(setequal(key, names_b))
  position <- match(key, names_b)
  tq <- qt(0.975, n - p)
  ranef_rows <- lapply(seq_len(nrow(re)), function(i) list(
    group = as.character(re$grpvar[i]), level = as.character(re$grp[i]), name = as.character(re$term[i]),
    estimate = re$condval[i], condSD = re$condsd[i],
    lower = b[position[i]] - tq * se_pred[position[i]], upper = b[position[i]] + tq * se_pred[position[i]]))
  ## Residuals as MATLAB defines them (in the weighted space), from dense matrices.
  fitted_c <- as.vector(fitted(m)); fitted_m <- as.vector(X %*% beta)
  raw_c <- y - fitted_c; raw_m <- y - fitted_m
  V <- sigma^2 * (tcrossprod(ZL) + diag(1 / w, n))
  h <- as.vector(hatvalues(m))
  var_rm <- diag(V - X %*% solve(crossprod(X, solve(V, X)), t(X)))
  list(
    rows = I(kept), n = n, theta = I(getME(m, "theta")), beta = I(unname(beta)), sigma = sigma,
    logLik = as.numeric(logLik(m)),
    vcov = list(names = I(names(beta)), values = unname(as.matrix(vcov(m)))),
    ranef = ranef_rows,
    residuals = list(
      fitted_conditional = I(fitted_c), fitted_marginal = I(fitted_m),
      raw_conditional = I(raw_c), raw_marginal = I(raw_m),
      pearson_conditional = I(sqrt(w) * raw_c / sigma), pearson_marginal = I(raw_m / sqrt(diag(V))),
      standardized_conditional = I(sqrt(w) * raw_c / (sigma * sqrt(1 - h))),
      standardized_marginal = I(raw_m / sqrt(var_rm)),
      lme4_pearson = I(as.vector(residuals(m, type = "pearson"))),
      hatvalues = I(h)))
}

m_sleep <- lmer(Reaction ~ 1 + Days + (1 + Days | Subject), data = d, REML = FALSE, control = POLISH)
sleep_out <- after_fit(m_sleep, d)
ci <- confint(m_sleep, method = "profile", oldNames = FALSE, level = 0.95)
sleep_out$confint_profile <- list(rownames = I(rownames(ci)), values = unname(ci))
sleep_out$confint_wald <- list(rownames = I(rownames(ci)), values = unname(confint(m_sleep, method = "Wald")))
sleep_out$formula <- "Reaction ~ 1 + Days + (1 + Days | Subject)"
sleep_out$REML <- FALSE
sleep_out$missing <- MISSING

## --- sleepstudy with prior weights (README of ../lme4: w = 1 + Days mod 3) --------------------
## No profile intervals: lme4 1.1-31 profiles weighted fits wrongly (lme4 issue #192).
weighted <- load_dataset("sleepstudy")
weighted$w <- 1 + weighted$Days %% 3
weighted_path <- file.path(OUT_DIR, "sleepstudy_weighted.csv")
utils::write.csv(weighted, weighted_path, row.names = FALSE, quote = FALSE)
dw <- utils::read.csv(weighted_path, colClasses = c("numeric", "numeric", "character", "numeric"))
dw$Subject <- factor(dw$Subject, levels = unique(dw$Subject))
m_weighted <- lmer(Reaction ~ 1 + Days + (1 + Days | Subject), data = dw, weights = w, REML = TRUE, control = POLISH)
weighted_out <- after_fit(m_weighted, dw)
weighted_out$formula <- "Reaction ~ 1 + Days + (1 + Days | Subject)"
weighted_out$REML <- TRUE
weighted_out$weights <- "w"

## --- ergoStool: coefficient tests -----------------------------------------------------------
ergo <- load_dataset("ergoStool")
m_ergo <- lmerTest::lmer(effort ~ Type + (1 | Subject), data = ergo, REML = TRUE, control = POLISH)
n_e <- nrow(ergo); p_e <- length(fixef(m_ergo))
## Hypotheses as lmm writes them (coefficient names Type_T2, ...), with their L and rhs.
HYPOTHESES <- list(
  list(id = "difference", text = I("Type_T2 - Type_T3 = 0"), L = rbind(c(0, 1, -1, 0)), rhs = 0),
  list(id = "joint", text = I(c("Type_T2 - Type_T3 = 0", "2*Type_T2 + Type_T4 = 1")),
       L = rbind(c(0, 1, -1, 0), c(0, 2, 0, 1)), rhs = c(0, 1)),
  list(id = "intercept", text = I("(Intercept) + Type_T2 = 12"), L = rbind(c(1, 1, 0, 0)), rhs = 12),
  list(id = "redundant", text = I(c("Type_T2 = Type_T3", "Type_T3 - Type_T2 = 0", "Type_T4 = 0")),
       L = rbind(c(0, 1, -1, 0), c(0, -1, 1, 0), c(0, 0, 0, 1)), rhs = c(0, 0, 0)))
beta_e <- fixef(m_ergo); V_e <- as.matrix(vcov(m_ergo))
tests <- lapply(HYPOTHESES, function(hyp) {
  L <- hyp$L; rhs <- hyp$rhs
  d <- L %*% beta_e - rhs
  e <- eigen(L %*% V_e %*% t(L), symmetric = TRUE)
  r <- sum(e$values > 1e-8 * max(e$values))
  U <- e$vectors[, seq_len(r), drop = FALSE]
  Fw <- sum((crossprod(U, d))^2 / e$values[seq_len(r)]) / r
  satt <- lmerTest::contest(m_ergo, L, rhs = rhs, joint = TRUE, ddf = "Satterthwaite")
  kr <- lmerTest::contest(m_ergo, L, rhs = rhs, joint = TRUE, ddf = "Kenward-Roger")
  ## car, given the hypotheses as text with R's coefficient names (TypeT2 for lmm's Type_T2). It
  ## solves L V L' directly, so it refuses a redundant (rank-deficient) hypothesis; its F test
  ## (Kenward-Roger, through pbkrtest) ignores the right-hand side ("rhs of hypothesis ignored,
  ## set to 0"), so it is recorded only for hypotheses with c = 0.
  car_text <- gsub("Type_", "Type", as.character(hyp$text), fixed = TRUE)
  full_rank <- r == nrow(L)
  car_chisq <- if (full_rank) car::linearHypothesis(m_ergo, car_text, test = "Chisq") else NULL
  car_f <- if (full_rank && all(rhs == 0)) car::linearHypothesis(m_ergo, car_text, test = "F") else NULL
  list(id = hyp$id, text = hyp$text, L = hyp$L, rhs = I(rhs),
       residual = list(F = Fw, df1 = r, df2 = n_e - p_e, p = pf(Fw, r, n_e - p_e, lower.tail = FALSE)),
       satterthwaite = list(F = satt[["F value"]], df1 = satt[["NumDF"]], df2 = satt[["DenDF"]], p = satt[["Pr(>F)"]]),
       kenward_roger = list(F = kr[["F value"]], df1 = kr[["NumDF"]], df2 = kr[["DenDF"]], p = kr[["Pr(>F)"]]),
       car_chisq = if (is.null(car_chisq)) NULL else list(chisq = car_chisq[2, "Chisq"], df = car_chisq[2, "Df"],
                                                          p = car_chisq[2, "Pr(>Chisq)"]),
       car_f = if (is.null(car_f)) NULL else list(F = car_f[2, "F"], df1 = car_f[2, "Df"],
                                                  df2 = car_f[2, "Res.Df"], p = car_f[2, "Pr(>F)"]))
})
ergo_out <- list(formula = "effort ~ Type + (1 | Subject)", REML = TRUE, theta = I(getME(m_ergo, "theta")),
                 beta = I(unname(beta_e)), tests = tests)

write_json_file(list(
  script = "Tests/MixedModelsTests/Fixtures/scripts/afterfit_fixtures.R",
  note = "lme4 at its polished optimum (xtol_rel 1e-12). Residual types as MATLAB defines them, from dense matrices; SEPred-based intervals as MATLAB's randomEffects (t with n - p df); rows are 1-based rows of the data file.",
  sleepstudy_missing = sleep_out, sleepstudy_weighted = weighted_out, ergostool = ergo_out, versions = versions_list()),
  file.path(OUT_DIR, "afterfit.json"))
cat("wrote", file.path(OUT_DIR, "afterfit.json"), "\n")
