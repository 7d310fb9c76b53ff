## Model building as lme4 / lmerTest users do it (issue 9): per-factor contrasts, excluded rows,
## type II F tests, ranova, least-squares means with pairwise differences and a comparison of
## three nested models. Every fit is at lme4's polished optimum (Fixtures/lme4/README.md caveat 7).
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/model_building_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/building/model_building.json.

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
suppressPackageStartupMessages(library(lmerTest))

POLISH_CTRL <- lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15,
                                          ftol_abs = 1e-15, maxeval = 1e5))
CONTROL_TEXT <- "lmerControl(optCtrl = list(xtol_rel = 1e-12, xtol_abs = 1e-14, ftol_rel = 1e-15, ftol_abs = 1e-15, maxeval = 1e5))"

## Rows of a data frame / anova table as a list of named objects (column name -> value).
table_rows <- function(tab) {
  tab <- as.data.frame(tab, check.names = FALSE)
  lapply(seq_len(nrow(tab)), function(i) {
    row <- lapply(as.list(tab[i, , drop = FALSE]), function(v) unname(if (is.factor(v)) as.character(v) else v))
    c(list(row = rownames(tab)[i]), row)
  })
}
fit_summary <- function(m) list(
  theta = I(unname(getME(m, "theta"))), beta = I(unname(fixef(m))), beta_names = I(names(fixef(m))),
  se_beta = I(unname(sqrt(diag(as.matrix(vcov(m)))))), sigma = sigma(m),
  logLik = as.numeric(logLik(m)), n = nobs(m))
## 1-based data rows to exclude, as written on the lmm command line, and the R subset.
exclude_rows <- function(text) {
  unlist(lapply(strsplit(text, ",")[[1]], function(part) {
    b <- as.integer(strsplit(part, "-")[[1]]); if (length(b) == 1) b else seq(b[1], b[2])
  }))
}

out <- list(control = CONTROL_TEXT)

## --- 3. The contrast matrices themselves (rows = levels) ----------------------------------
out$contrast_matrices <- unlist(lapply(2:7, function(k) list(
  list(coding = "poly", levels = k, matrix = unname(contr.poly(k)), colnames = I(colnames(contr.poly(k)))),
  list(coding = "helmert", levels = k, matrix = unname(contr.helmert(k))),
  list(coding = "sum", levels = k, matrix = unname(contr.sum(k))))), recursive = FALSE)

## --- 3. Per-factor contrasts ------------------------------------------------------------
contrast_specs <- list(
  list(id = "cake_sum_helmert", dataset = "cake", formula = "angle ~ recipe * temperature + (1 | replicate)",
       contrasts = list(recipe = "sum", temperature = "helmert"), REML = TRUE),
  list(id = "ergostool_poly", dataset = "ergoStool", formula = "effort ~ Type + (1 | Subject)",
       contrasts = list(Type = "poly"), REML = TRUE),
  list(id = "machines_sum_random", dataset = "Machines", formula = "score ~ Machine + (Machine | Worker)",
       contrasts = list(Machine = "sum"), REML = FALSE)
)
r_contrast <- c(treatment = "contr.treatment", sum = "contr.sum", helmert = "contr.helmert", poly = "contr.poly")
## The contrasts are set on the factors (contrasts(d$f) <- contr.sum), so that they code the
## random-effects terms too, as lmm's --contrasts does; lmer's `contrasts =` argument would code
## only the fixed effects (Z keeps treatment contrasts), which changes θ but not the fit.
out$contrasts <- lapply(contrast_specs, function(s) {
  d <- load_dataset(s$dataset)
  for (v in names(s$contrasts)) contrasts(d[[v]]) <- get(r_contrast[[s$contrasts[[v]]]])(nlevels(d[[v]]))
  m <- lmer(as.formula(s$formula), data = d, REML = s$REML, control = POLISH_CTRL)
  c(list(id = s$id, dataset = s$dataset, formula = s$formula, REML = s$REML, contrasts = s$contrasts),
    fit_summary(m))
})

## --- 4. Excluded rows (MATLAB's Exclude): the fit on the remaining rows ---------------------
exclusion_specs <- list(
  list(id = "sleepstudy_exclude", dataset = "sleepstudy", formula = "Reaction ~ Days + (Days | Subject)",
       exclude = "3,17,40-45", REML = TRUE)
)
out$exclusion <- lapply(exclusion_specs, function(s) {
  d <- load_dataset(s$dataset)
  rows <- exclude_rows(s$exclude)
  m <- lmer(as.formula(s$formula), data = d[-rows, ], REML = s$REML, control = POLISH_CTRL)
  c(list(id = s$id, dataset = s$dataset, formula = s$formula, REML = s$REML, exclude = s$exclude,
         excluded_count = length(rows)), fit_summary(m))
})

## The rows of cake's cell recipe C x temperature 175: without them X is rank deficient (one
## interaction column dropped) and some least-squares means are not estimable (NA).
MISSING_CELL <- paste(which(load_dataset("cake")$recipe == "C" & load_dataset("cake")$temperature == "175"), collapse = ",")

## --- 6. Type II F tests (lmerTest anova(type = 2)) ----------------------------------------
## cake without some rows is an unbalanced two-way design; Orthodont crosses a factor with a covariate.
type2_specs <- list(
  list(id = "cake_unbalanced", dataset = "cake", formula = "angle ~ recipe * temperature + (1 | replicate)",
       exclude = "1-7,100-104,200", REML = TRUE),
  list(id = "cake_missing_cell", dataset = "cake", formula = "angle ~ recipe * temperature + (1 | replicate)",
       exclude = MISSING_CELL, REML = TRUE),
  list(id = "orthodont", dataset = "Orthodont", formula = "distance ~ age * Sex + (1 | Subject)",
       exclude = NULL, REML = TRUE),
  list(id = "orthodont_ml", dataset = "Orthodont", formula = "distance ~ age * Sex + (1 | Subject)",
       exclude = NULL, REML = FALSE)
)
out$type2 <- lapply(type2_specs, function(s) {
  d <- load_dataset(s$dataset)
  if (!is.null(s$exclude)) d <- d[-exclude_rows(s$exclude), ]
  m <- lmer(as.formula(s$formula), data = d, REML = s$REML, control = POLISH_CTRL)
  res <- c(list(id = s$id, dataset = s$dataset, formula = s$formula, REML = s$REML, exclude = s$exclude),
           fit_summary(m))
  res$satterthwaite <- table_rows(anova(m, type = 2, ddf = "Satterthwaite"))
  if (s$REML) res$kenward_roger <- table_rows(anova(m, type = 2, ddf = "Kenward-Roger"))
  res$type3_satterthwaite <- table_rows(anova(m, type = 3))
  res
})

## --- 7. ranova ---------------------------------------------------------------------------
ranova_specs <- list(
  list(id = "sleepstudy_corr", dataset = "sleepstudy", formula = "Reaction ~ Days + (1 + Days | Subject)", REML = TRUE),
  list(id = "sleepstudy_uncorr", dataset = "sleepstudy", formula = "Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)", REML = TRUE),
  list(id = "penicillin_ml", dataset = "Penicillin", formula = "diameter ~ 1 + (1 | plate) + (1 | sample)", REML = FALSE),
  list(id = "dyestuff", dataset = "Dyestuff", formula = "Yield ~ 1 + (1 | Batch)", REML = TRUE)
)
out$ranova <- lapply(ranova_specs, function(s) {
  d <- load_dataset(s$dataset)
  m <- lmer(as.formula(s$formula), data = d, REML = s$REML, control = POLISH_CTRL)
  r <- ranova(m)
  c(list(id = s$id, dataset = s$dataset, formula = s$formula, REML = s$REML,
         reduced_formulas = I(vapply(attr(r, "formulae"), function(f) paste(deparse(f, width.cutoff = 500L), collapse = " "), ""))),
    list(table = table_rows(r)))
})

## --- 8. Least-squares means (lmerTest ls_means) -------------------------------------------
means_specs <- list(
  list(id = "ergostool", dataset = "ergoStool", formula = "effort ~ Type + (1 | Subject)", by = "Type",
       exclude = NULL, REML = TRUE),
  list(id = "cake_unbalanced", dataset = "cake", formula = "angle ~ recipe * temperature + (1 | replicate)",
       by = "recipe", exclude = "1-7,100-104,200", REML = TRUE),
  list(id = "orthodont", dataset = "Orthodont", formula = "distance ~ age * Sex + (1 | Subject)", by = "Sex",
       exclude = NULL, REML = TRUE),
  list(id = "cake_unbalanced_cells", dataset = "cake", formula = "angle ~ recipe * temperature + (1 | replicate)",
       by = "recipe:temperature", exclude = "1-7,100-104,200", REML = TRUE),
  list(id = "cake_missing_cell_recipe", dataset = "cake", formula = "angle ~ recipe * temperature + (1 | replicate)",
       by = "recipe", exclude = MISSING_CELL, REML = TRUE),
  list(id = "cake_missing_cell_temperature", dataset = "cake", formula = "angle ~ recipe * temperature + (1 | replicate)",
       by = "temperature", exclude = MISSING_CELL, REML = TRUE)
)
out$means <- lapply(means_specs, function(s) {
  d <- load_dataset(s$dataset)
  if (!is.null(s$exclude)) d <- d[-exclude_rows(s$exclude), ]
  m <- lmer(as.formula(s$formula), data = d, REML = s$REML, control = POLISH_CTRL)
  list(id = s$id, dataset = s$dataset, formula = s$formula, by = s$by, REML = s$REML, exclude = s$exclude,
       levels = I(if (s$by %in% names(d)) levels(d[[s$by]]) else character(0)),
       satterthwaite = table_rows(ls_means(m, which = s$by)),
       satterthwaite_pairwise = table_rows(ls_means(m, which = s$by, pairwise = TRUE)),
       kenward_roger = table_rows(ls_means(m, which = s$by, ddf = "Kenward-Roger")),
       kenward_roger_pairwise = table_rows(ls_means(m, which = s$by, ddf = "Kenward-Roger", pairwise = TRUE)))
})

## --- 9. Three nested models (lme4 anova(m1, m2, m3), refitted by ML) ----------------------
compare_specs <- list(
  list(id = "sleepstudy_three", dataset = "sleepstudy", REML = TRUE,
       formulas = c("Reaction ~ 1 + (1 | Subject)", "Reaction ~ Days + (1 | Subject)",
                    "Reaction ~ Days + (1 + Days | Subject)"))
)
out$compare <- lapply(compare_specs, function(s) {
  d <- load_dataset(s$dataset)
  ms <- lapply(s$formulas, function(f) lmer(as.formula(f), data = d, REML = s$REML, control = POLISH_CTRL))
  a <- do.call(anova, c(unname(ms), list(refit = TRUE)))
  list(id = s$id, dataset = s$dataset, REML = s$REML, formulas = I(s$formulas), table = table_rows(a))
})

out$versions <- versions_list()
write_json_file(out, file.path(FIX_DIR, "building", "model_building.json"))
