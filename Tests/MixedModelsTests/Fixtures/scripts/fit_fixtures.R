## Extra lme4 fit fixtures, in the schema of the shared reference fits
## (the copies in Tests/MixedModelsTests/Fixtures/lme4/*.json, described in its README.md),
## plus anova() model comparisons and lme4 timings.
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/fit_fixtures.R [id ...]
## Writes Tests/MixedModelsTests/Fixtures/fits/<id>_{ml,reml}.json, anova_compare.json
## and lme4_timings.csv. With ids given, only those fits are written
## (ids "anova" and "timings" select the other two outputs).

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
suppressPackageStartupMessages({ library(lmerTest); library(pbkrtest) })

OUT_DIR <- file.path(FIX_DIR, "fits")
dir.create(OUT_DIR, showWarnings = FALSE, recursive = TRUE)
## lmerTest masks lme4::lmer; fits below use lme4::lmer and are converted explicitly.
lmer <- lme4::lmer

POLISH_CTRL_TEXT <- "lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15, ftol_abs = 1e-15, maxeval = 1e5))"
POLISH_CTRL <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                          ftol_abs = 1e-15, maxeval = 1e5))

specs <- list(
  list(id = "orthodont", dataset = "Orthodont",
       formula = "distance ~ age * Sex + (1 + age | Subject)"),
  list(id = "machines_slope", dataset = "Machines",
       formula = "score ~ Machine + (Machine | Worker)"),
  list(id = "machines_nested", dataset = "Machines",
       formula = "score ~ Machine + (1 | Worker/Machine)",
       note = "nested: (1|Worker/Machine) expands to (1|Worker) + (1|Worker:Machine); lme4 names the inner factor 'Machine:Worker'"),
  list(id = "cake", dataset = "cake",
       formula = "angle ~ recipe * temperature + (1 | recipe:replicate)",
       note = "cake.temperature is an ordered factor in lme4; here it is unordered (treatment contrasts), level order 175..225"),
  list(id = "oats", dataset = "Oats",
       formula = "yield ~ nitro * Variety + (1 | Block/Variety)",
       note = "nested: (1|Block/Variety) expands to (1|Block) + (1|Block:Variety); lme4 names the inner factor 'Variety:Block'"),
  list(id = "sleepstudy_unbalanced", dataset = "sleepstudy_unbalanced",
       formula = "Reaction ~ 1 + Days + (1 + Days | Subject)"),
  list(id = "insteval", dataset = "InstEval",
       formula = "y ~ 1 + service + (1 | s) + (1 | d) + (1 | dept:service)",
       methods = "ml", heavy = TRUE,
       note = "ML only; no profile confint and no Kenward-Roger (too heavy); fit_seconds is the median of 3 fits")
)

## ---------------------------------------------------------------------------
named_num <- function(x) as.list(x)        # named vector -> JSON object
mat_obj <- function(M) {
  M <- as.matrix(M)
  list(rownames = I(if (is.null(rownames(M))) character(0) else rownames(M)),
       colnames = I(if (is.null(colnames(M))) character(0) else colnames(M)),
       values = lapply(seq_len(nrow(M)), function(i) I(unname(M[i, ]))))
}
table_obj <- function(tab) {               # data frame / coef matrix -> {row: {col: value}}
  tab <- as.data.frame(tab, check.names = FALSE)
  if (nrow(tab) == 0) return(empty_object())
  out <- lapply(seq_len(nrow(tab)), function(i) as.list(tab[i, , drop = FALSE]))
  out <- lapply(out, function(r) lapply(r, function(v) unname(v)))
  names(out) <- rownames(tab)
  out
}
timed <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  v <- with_conditions(expr)
  v$seconds <- proc.time()[["elapsed"]] - t0
  v
}
try_cond <- function(expr) {
  r <- tryCatch(timed(expr), error = function(e) list(error = conditionMessage(e), warnings = character(0),
                                                       messages = character(0), seconds = NA_real_))
  r
}

varcorr_obj <- function(m) {
  vc <- VarCorr(m)
  groups <- lapply(seq_along(vc), function(k) {
    S <- vc[[k]]; tn <- colnames(S)
    sd <- attr(S, "stddev"); cr <- attr(S, "correlation")
    list(group = names(vc)[k], terms = I(tn),
         stddev = named_num(setNames(unname(sd), tn)),
         variance = named_num(setNames(diag(as.matrix(S)), tn)),
         correlation = if (length(tn) > 1) mat_obj(cr) else NULL,
         covariance = mat_obj(S[, , drop = FALSE]))
  })
  df <- as.data.frame(vc)
  rows <- lapply(seq_len(nrow(df)), function(i) list(
    grp = df$grp[i], var1 = if (is.na(df$var1[i])) NULL else df$var1[i],
    var2 = if (is.na(df$var2[i])) NULL else df$var2[i], vcov = df$vcov[i], sdcor = df$sdcor[i]))
  list(groups = groups, residual_sd = attr(vc, "sc"), as_data_frame = rows)
}

ranef_obj <- function(m, first = NULL) {
  rr <- ranef(m, condVar = TRUE)
  df <- as.data.frame(rr)
  out <- list()
  for (g in names(rr)) {
    R <- rr[[g]]; levs <- rownames(R)
    idx <- if (is.null(first)) seq_along(levs) else seq_len(min(first, length(levs)))
    cv <- list(); cs <- list()
    for (tn in colnames(R)) {
      cv[[tn]] <- I(unname(R[idx, tn]))
      sub <- df[df$grpvar == g & df$term == tn, ]
      cs[[tn]] <- I(unname(sub$condsd[match(levs[idx], as.character(sub$grp))]))
    }
    out[[g]] <- list(nlevels = length(levs), levels = I(levs[idx]), terms = I(colnames(R)),
                     condval = cv, condsd = cs)
  }
  out
}

objective_at_theta <- function(m) {
  dd <- update(m, devFunOnly = TRUE)
  env <- environment(dd)
  th <- getME(m, "theta"); lower <- getME(m, "lower")
  start <- ifelse(lower == 0, 1, 0)
  n <- nobs(m); p <- length(fixef(m))
  at <- function(theta) {
    theta <- unname(theta)
    obj <- dd(theta)
    pp <- env$pp; resp <- env$resp
    beta <- pp$beta(1)
    pwrss <- resp$wrss() + pp$sqrL(1)
    sig <- sqrt(pwrss / (if (isREML(m)) n - p else n))
    list(theta = I(theta), objective = obj, beta = I(unname(beta)), pwrss = pwrss, sigma = sig)
  }
  list(optimum = at(th), lme4_start = at(start), twice_optimum = at(2 * th), half_start = at(start / 2))
}

polished <- function(m) {
  r <- with_conditions(update(m, control = POLISH_CTRL))
  mp <- r$value
  list(control = POLISH_CTRL_TEXT,
       theta = named_num(getME(mp, "theta")), beta = named_num(fixef(mp)), sigma = sigma(mp),
       se_beta = named_num(sqrt(diag(as.matrix(vcov(mp))))),
       logLik = as.numeric(logLik(mp)), feval = mp@optinfo$feval,
       logLik_gain_over_default = as.numeric(logLik(mp)) - as.numeric(logLik(m)),
       max_abs_theta_diff = max(abs(getME(mp, "theta") - getME(m, "theta"))),
       warnings = I(c(r$warnings, r$messages)))
}

confint_obj <- function(m, profile = TRUE) {
  w <- with_conditions(confint(m, method = "Wald", oldNames = FALSE))
  out <- list(wald = mat_obj(w$value))
  if (!profile) {
    out$profile_note <- "profile intervals skipped for this model (too heavy)"
    return(out)
  }
  pr <- try_cond(confint(m, method = "profile", level = 0.95, oldNames = FALSE))
  if (!is.null(pr$error)) {
    out$profile_error <- pr$error
  } else out$profile <- mat_obj(pr$value)
  pw <- pr$warnings
  out$profile_warnings <- I(unique(pw))            # each distinct warning once ...
  out$profile_warning_counts <- if (length(pw)) as.list(table(factor(pw, levels = unique(pw)))) else empty_object()
  out$profile_messages <- I(pr$messages)
  flagged <- unique(sub("^(non-monotonic profile|bad spline fit) for ([^:]+).*$", "\\2",
                        grep("^(non-monotonic profile|bad spline fit) for ", pw, value = TRUE)))
  out$profile_flagged_parameters <- I(flagged)
  out$profile_seconds <- pr$seconds
  out$profile_method_note <- "lme4's profile() refits a REML model by ML (devfun2 calls refitML), so profile intervals of a REML fit are those of the ML fit; 95% level, oldNames = FALSE"
  out
}

lmertest_obj <- function(m, kr = TRUE) {
  cv <- try_cond(lmerTest::as_lmerModLmerTest(m))
  out <- list(conversion_seconds = cv$seconds, conversion_error = cv$error,
              conversion_warnings = I(c(cv$warnings, cv$messages)))
  if (!is.null(cv$error)) return(out)
  mt <- cv$value
  tab_or_err <- function(r) if (!is.null(r$error)) list(error = r$error) else table_obj(r$value)
  s1 <- try_cond(summary(mt, ddf = "Satterthwaite")$coefficients)
  a3 <- try_cond(anova(mt, type = 3, ddf = "Satterthwaite"))
  a1 <- try_cond(anova(mt, type = 1, ddf = "Satterthwaite"))
  out$summary_satterthwaite <- tab_or_err(s1)
  out$anova_type3_satterthwaite <- tab_or_err(a3)
  out$anova_type1_satterthwaite <- tab_or_err(a1)
  out$satterthwaite_warnings <- I(unique(c(s1$warnings, a3$warnings, a1$warnings)))
  if (!kr) {
    out$kenward_roger_note <- "Kenward-Roger skipped for this model (needs dense n x n matrices; for ML fits lmerTest refuses it anyway)"
    return(out)
  }
  t0 <- proc.time()[["elapsed"]]
  k1 <- try_cond(summary(mt, ddf = "Kenward-Roger")$coefficients)
  k3 <- try_cond(anova(mt, type = 3, ddf = "Kenward-Roger"))
  k1a <- try_cond(anova(mt, type = 1, ddf = "Kenward-Roger"))
  out$summary_kenward_roger <- tab_or_err(k1)
  out$anova_type3_kenward_roger <- tab_or_err(k3)
  out$anova_type1_kenward_roger <- tab_or_err(k1a)
  out$kenward_roger_warnings <- I(unique(c(k1$warnings, k3$warnings, k1a$warnings)))
  out$kenward_roger_seconds <- proc.time()[["elapsed"]] - t0
  out
}

fit_fixture <- function(s, REML) {
  data <- load_dataset(s$dataset)
  fml <- as.formula(s$formula)
  heavy <- isTRUE(s$heavy)
  nfit <- if (heavy) 3 else 1
  fits <- lapply(seq_len(nfit), function(i) timed(lmer(fml, data = data, REML = REML)))
  f <- fits[[1]]; m <- f$value
  fit_seconds <- median(vapply(fits, `[[`, 0, "seconds"))
  rm(fits); gc(verbose = FALSE)

  cmp <- getME(m, "devcomp")$cmp; dims <- getME(m, "devcomp")$dims
  cnms <- getME(m, "cnms"); fl <- getME(m, "flist"); asgn <- attr(fl, "assign")
  random_terms <- lapply(seq_along(cnms), function(k) list(
    group = names(cnms)[k], terms = I(cnms[[k]]), nlevels = nlevels(fl[[asgn[k]]]),
    n_ranef = nlevels(fl[[asgn[k]]]) * length(cnms[[k]])))
  ll <- logLik(m)
  vc <- vcov(m); vcm <- as.matrix(vc)
  allmsg <- c(f$warnings, f$messages)
  q <- nrow(getME(m, "Zt"))
  nd <- data[1:5, , drop = FALSE]

  out <- list(
    id = paste0(s$id, if (REML) "_reml" else "_ml"),
    dataset = s$dataset,
    dataset_csv = file.path(DATA_DIR, MANIFEST$datasets[[s$dataset]]$file),
    formula = s$formula,
    REML = REML,
    weights = NULL,
    note = if (is.null(s$note)) NA else s$note,
    contrasts = "contr.treatment (R default for unordered factors); reference level = first level listed in factor_levels",
    factor_levels = factor_levels_of(data, all.vars(fml)),
    n = nobs(m), p = length(fixef(m)), q = q, n_theta = length(getME(m, "theta")),
    random_terms = random_terms,
    theta = named_num(getME(m, "theta")),
    theta_names = I(names(getME(m, "theta"))),
    theta_lower = I(getME(m, "lower")),
    beta = named_num(fixef(m)),
    beta_names = I(names(fixef(m))),
    se_beta = named_num(setNames(sqrt(diag(vcm)), names(fixef(m)))),
    vcov_beta = mat_obj(vcm),
    sigma = sigma(m),
    varcorr = varcorr_obj(m),
    logLik = as.numeric(ll), logLik_df = attr(ll, "df"), logLik_is_REML = isREML(m),
    deviance_reported = suppressWarnings(deviance(m)),
    deviance_reported_note = if (REML) "lme4 1.1-31 deviance() on a REML fit returns the REML criterion (with a deprecation warning)" else "ML deviance = -2 logLik",
    REMLcrit = unname(cmp[["REML"]]))
  if (REML) {
    dML <- update(m, REML = FALSE, devFunOnly = TRUE)
    dev_ml <- dML(unname(getME(m, "theta")))
    out$deviance_ML_at_estimates <- dev_ml
    out$logLik_ML_at_estimates <- -dev_ml / 2
    out$deviance_ML_at_estimates_note <- "lme4's ML devfun at the REML theta (beta and sigma profiled)"
  } else {
    out$deviance_ML_at_estimates <- deviance(m)
    out$logLik_ML_at_estimates <- as.numeric(ll)
    out$REMLcrit_at_ML_estimates <- REMLcrit(m)
    out$REMLcrit_at_ML_estimates_note <- "lme4::REMLcrit() on the ML fit"
  }
  out <- c(out, list(
    AIC = AIC(m), BIC = BIC(m), df_residual = df.residual(m),
    devcomp_cmp = as.list(cmp), devcomp_dims = as.list(dims),
    optimizer = m@optinfo$optimizer, feval = m@optinfo$feval,
    optimizer_message = m@optinfo$message, optimizer_theta = I(m@optinfo$val),
    optimizer_conv_opt = m@optinfo$conv$opt,
    lme4_conv_messages = I(as.character(unlist(m@optinfo$conv$lme4$messages))),
    lme4_derivs = if (is.null(m@optinfo$derivs)) NULL else
      list(gradient = I(m@optinfo$derivs$gradient), Hessian = mat_obj(m@optinfo$derivs$Hessian)),
    is_singular = isSingular(m),
    singular_flagged = any(grepl("singular", allmsg)),
    convergence_warning = any(grepl("converge", allmsg)),
    fit_warnings = I(f$warnings), fit_messages = I(f$messages),
    fit_seconds = fit_seconds))
  if (heavy) out$fit_seconds_note <- "median of 3 lmer() fits"
  out$ranef_first5 <- ranef_obj(m, 5)
  if (q <= 100) out$ranef_all <- ranef_obj(m)
  out$fitted_first10 <- I(unname(fitted(m)[1:10]))
  out$residuals_first10 <- I(unname(residuals(m, type = "response")[1:10]))
  out$residuals_pearson_first10 <- I(unname(residuals(m, type = "pearson")[1:10]))
  out$predict_first5_conditional <- I(unname(predict(m, newdata = nd, re.form = NULL)))
  out$predict_first5_marginal <- I(unname(predict(m, newdata = nd, re.form = NA)))
  out$objective_at_theta <- objective_at_theta(m)
  out$polished_optimum <- polished(m)
  out$objective_at_theta_note <- "objective = lme4's devfun (REML criterion if REML else -2 logLik) at fixed theta; beta/sigma are the profiled (conditional-on-theta) estimates"
  out$confint <- confint_obj(m, profile = !heavy)
  out$lmerTest <- lmertest_obj(m, kr = !heavy)
  out$versions <- versions_list()
  out
}

args <- commandArgs(trailingOnly = TRUE)
want <- function(id) length(args) == 0 || id %in% args

for (s in specs) {
  if (!want(s$id)) next
  methods <- if (is.null(s$methods)) c("ml", "reml") else s$methods
  for (meth in methods) {
    t0 <- proc.time()[["elapsed"]]
    fx <- fit_fixture(s, REML = meth == "reml")
    path <- file.path(OUT_DIR, paste0(fx$id, ".json"))
    write_json_file(fx, path)
    cat(sprintf("%-28s logLik=%.10f feval=%d singular=%s warnings=%d (%.1fs) -> %s\n", fx$id, fx$logLik,
                fx$feval, fx$is_singular, length(fx$fit_warnings) + length(fx$fit_messages),
                proc.time()[["elapsed"]] - t0, path))
  }
}

## ---------------------------------------------------------------------------
## anova(m_small, m_big): lme4 refits both models by ML
## ---------------------------------------------------------------------------
if (want("anova")) {
  comps <- list(
    list(id = "sleepstudy_intercept_vs_corr", dataset = "sleepstudy",
         small = "Reaction ~ 1 + Days + (1 | Subject)",
         big = "Reaction ~ 1 + Days + (1 + Days | Subject)"),
    list(id = "sleepstudy_null_vs_days", dataset = "sleepstudy",
         small = "Reaction ~ 1 + (1 | Subject)",
         big = "Reaction ~ 1 + Days + (1 | Subject)"),
    list(id = "machines_worker_vs_nested", dataset = "Machines",
         small = "score ~ Machine + (1 | Worker)",
         big = "score ~ Machine + (1 | Worker/Machine)"))
  res <- lapply(comps, function(cp) {
    d <- load_dataset(cp$dataset)
    ms <- lmer(as.formula(cp$small), data = d)      # REML fits; anova() refits by ML
    mb <- lmer(as.formula(cp$big), data = d)
    a <- with_conditions(anova(ms, mb))
    A <- as.data.frame(a$value, check.names = FALSE)
    rows <- lapply(seq_len(nrow(A)), function(i) {
      r <- as.list(A[i, , drop = FALSE]); r <- lapply(r, unname)
      c(list(model = c("small", "big")[i], formula = c(cp$small, cp$big)[i]), r)
    })
    list(id = cp$id, dataset = cp$dataset, small = cp$small, big = cp$big,
         fitted_with = "lmer(REML = TRUE) for both; anova() refits them by ML ('refitting model(s) with ML (instead of REML)')",
         columns = I(colnames(A)), table = rows,
         messages = I(a$messages), warnings = I(a$warnings))
  })
  write_json_file(list(comparisons = res, versions = versions_list()),
                  file.path(OUT_DIR, "anova_compare.json"))
  cat("anova_compare.json written\n")
}

## ---------------------------------------------------------------------------
## Timings: median of 5 lmer() fits (model frame + Z + optimisation)
## ---------------------------------------------------------------------------
if (want("timings")) {
  ref_dir <- "Tests/MixedModelsTests/Fixtures/lme4"
  rows <- list()
  if (dir.exists(ref_dir)) for (fjs in sort(list.files(ref_dir, "\\.json$", full.names = TRUE))) {
    r <- jsonlite::fromJSON(fjs, simplifyVector = FALSE)
    rows[[length(rows) + 1]] <- list(id = r$id, dataset = r$dataset, formula = r$formula, REML = isTRUE(r$REML),
                                     weights = if (is.null(r$weights)) NULL else r$weights$definition)
  }
  for (s in specs) for (meth in (if (is.null(s$methods)) c("ml", "reml") else s$methods))
    rows[[length(rows) + 1]] <- list(id = paste0(s$id, "_", meth), dataset = s$dataset,
                                     formula = s$formula, REML = meth == "reml", weights = NULL)
  tab <- do.call(rbind, lapply(rows, function(r) {
    d <- load_dataset(r$dataset)
    if (!is.null(r$weights)) {
      stopifnot(r$weights == "w = 1 + (Days %% 3)")
      d$w <- 1 + (d$Days %% 3)
    }
    secs <- numeric(5); fe <- NA
    for (i in 1:5) {
      t0 <- proc.time()[["elapsed"]]
      m <- suppressMessages(suppressWarnings(
        if (is.null(r$weights)) lmer(as.formula(r$formula), data = d, REML = r$REML)
        else lmer(as.formula(r$formula), data = d, REML = r$REML, weights = w)))
      secs[i] <- proc.time()[["elapsed"]] - t0
      fe <- m@optinfo$feval
    }
    cat(sprintf("timing %-28s %.4f s\n", r$id, median(secs)))
    data.frame(id = r$id, dataset = r$dataset, formula = r$formula,
               weights = if (is.null(r$weights)) "" else r$weights,
               method = if (r$REML) "REML" else "ML", median_seconds = round(median(secs), 4),
               feval = fe, stringsAsFactors = FALSE)
  }))
  utils::write.csv(tab, file.path(OUT_DIR, "lme4_timings.csv"), row.names = FALSE)
  cat("lme4_timings.csv written\n")
}
