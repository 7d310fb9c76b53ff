## Design-matrix fixtures: X (after lme4's rank check) and the per-term random-effects
## model matrices Z_i, exactly as lme4 builds them, for a sample of rows.
##
## Run from the repository root:
##   Rscript Tests/MixedModelsTests/Fixtures/scripts/design_fixtures.R
## Writes Tests/MixedModelsTests/Fixtures/design/<id>.json

source("Tests/MixedModelsTests/Fixtures/scripts/common.R")

OUT_DIR <- file.path(FIX_DIR, "design")
dir.create(OUT_DIR, showWarnings = FALSE, recursive = TRUE)

models <- list(
  list(id = "sleepstudy_corr",   dataset = "sleepstudy",
       formula = "Reaction ~ 1 + Days + (1 + Days | Subject)"),
  list(id = "sleepstudy_uncorr", dataset = "sleepstudy",
       formula = "Reaction ~ 1 + Days + (1 + Days || Subject)"),
  list(id = "penicillin", dataset = "Penicillin",
       formula = "diameter ~ 1 + (1 | plate) + (1 | sample)"),
  list(id = "pastes", dataset = "Pastes",
       formula = "strength ~ 1 + (1 | batch/cask)"),
  list(id = "cake", dataset = "cake",
       formula = "angle ~ recipe * temperature + (1 | recipe:replicate)"),
  list(id = "cake_effects", dataset = "cake",
       formula = "angle ~ recipe * temperature + (1 | recipe:replicate)",
       contrasts = list(recipe = "contr.sum", temperature = "contr.sum")),
  list(id = "orthodont", dataset = "Orthodont",
       formula = "distance ~ age * Sex + (1 + age | Subject)"),
  list(id = "machines_slope", dataset = "Machines",
       formula = "score ~ Machine + (Machine | Worker)"),
  list(id = "oats", dataset = "Oats",
       formula = "yield ~ nitro * Variety + (1 | Block/Variety)"),
  list(id = "cake_power", dataset = "cake",
       formula = "angle ~ (recipe + temperature + temp)^2 + (1 | replicate)"),
  list(id = "ergostool_nointercept", dataset = "ergoStool",
       formula = "effort ~ 0 + Type + (1 | Subject)"),
  list(id = "rankdef", dataset = "cake",
       formula = "angle ~ temperature + temp + (1 | replicate)",
       note = "temp is a numeric copy of temperature, so X is rank deficient; lme4 drops the aliased column(s) listed in x_dropped")
)

sample_rows <- function(n) {
  r <- c(1, 2, 3, round(n / 4), round(n / 3), round(n / 2), round(3 * n / 4), n)
  sort(unique(pmin(pmax(as.integer(r), 1L), n)))
}

design_fixture <- function(m) {
  data <- load_dataset(m$dataset)
  fml <- as.formula(m$formula)
  res <- with_conditions(lFormula(fml, data = data, contrasts = m$contrasts,
                                  control = lmerControl(check.nobs.vs.nRE = "ignore")))
  lf <- res$value
  X <- lf$X
  n <- nrow(X)
  rows <- sample_rows(n)
  dropped <- attr(X, "col.dropped")
  rt <- lf$reTrms
  asgn <- attr(rt$flist, "assign")
  terms <- list()
  for (k in seq_along(rt$Ztlist)) {
    Zt <- rt$Ztlist[[k]]
    f <- rt$flist[[asgn[k]]]
    cn <- rt$cnms[[k]]
    nc <- length(cn); nl <- nlevels(f)
    stopifnot(nrow(Zt) == nl * nc, ncol(Zt) == n)
    Zd <- as.matrix(Zt[, rows, drop = FALSE])        # small: (nl*nc) x length(rows)
    row_entries <- lapply(seq_along(rows), function(j) {
      i <- rows[j]; lev <- as.integer(f[i])
      blk <- (lev - 1L) * nc + seq_len(nc)
      stopifnot(all(Zd[-blk, j] == 0))                # nothing outside the level's block
      list(row = i, level = levels(f)[lev], level_index = lev, values = I(unname(Zd[blk, j])))
    })
    terms[[k]] <- list(
      group = names(rt$cnms)[k],
      term = names(rt$Ztlist)[k],
      nlevels = nl,
      levels = I(levels(f)),
      columns = I(cn),
      n_ranef = nl * nc,
      rows = row_entries)
  }
  Xs <- X[rows, , drop = FALSE]
  vars <- all.vars(fml)
  list(
    id = m$id,
    dataset = m$dataset,
    formula = m$formula,
    contrasts = if (is.null(m$contrasts)) NULL else m$contrasts,
    contrasts_note = "null = R defaults (contr.treatment for unordered factors; every factor is unordered with the manifest's level order)",
    note = m$note,
    n = n,
    p = ncol(X),
    q = sum(vapply(terms, `[[`, 0, "n_ranef")),
    factor_levels = factor_levels_of(data, vars),
    x_colnames = I(colnames(X)),
    x_dropped = I(if (is.null(dropped)) character(0) else names(dropped)),
    x_dropped_index_in_full = I(if (is.null(dropped)) integer(0) else unname(as.integer(dropped))),
    x_rows = list(rows = I(rows), values = lapply(seq_along(rows), function(j) I(unname(Xs[j, ])))),
    random_terms = terms,
    z_note = "random_terms are in lme4's order (reTrms$Ztlist, sorted by decreasing number of levels). Per term, Z has nlevels*ncol columns grouped level-major (level 1's ncol columns, then level 2's, ...). rows[].values are the ncol entries of that row in the block of its level, in column order; these may include zeros (e.g. Days = 0), and every other entry of the row is zero. level_index is 1-based in levels.",
    lme4_messages = I(res$messages),
    lme4_warnings = I(res$warnings),
    versions = versions_list()
  )
}

for (m in models) {
  fx <- design_fixture(m)
  if (is.null(fx$note)) fx$note <- NULL
  path <- file.path(OUT_DIR, paste0(m$id, ".json"))
  write_json_file(fx, path)
  cat(sprintf("%-24s n=%4d p=%2d q=%4d dropped=[%s] msgs=%d warns=%d -> %s\n", m$id, fx$n, fx$p, fx$q,
              paste(fx$x_dropped, collapse = ","), length(fx$lme4_messages), length(fx$lme4_warnings), path))
}
