## Times lme4 on the benchmark models (Benchmarks/models.csv): median seconds of `reps` lmer()
## fits and the number of objective evaluations. Prints CSV: id,method,seconds,feval.
## Usage (from the repository root): Rscript Benchmarks/lme4_timings.R [reps] [include_insteval]
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) >= 1) as.integer(args[1]) else 5L
with_insteval <- length(args) >= 2 && args[2] == "yes"
source("Tests/MixedModelsTests/Fixtures/scripts/common.R")
models <- utils::read.csv("Benchmarks/models.csv", stringsAsFactors = FALSE)
cat("id,method,seconds,feval\n")
for (i in seq_len(nrow(models))) {
  m <- models[i, ]
  if (m$id == "insteval" && !with_insteval) next
  d <- load_dataset(m$dataset)
  if (m$weights == "days_mod_3") d$w <- 1 + (d$Days %% 3)
  for (reml in c(FALSE, TRUE)) {
    if (m$id == "insteval" && reml) next
    times <- numeric(0)
    for (r in seq_len(if (m$id == "insteval") 1L else reps)) {
      t0 <- proc.time()[["elapsed"]]
      fit <- if (m$weights == "days_mod_3") lmer(as.formula(m$formula), d, REML = reml, weights = w)
             else lmer(as.formula(m$formula), d, REML = reml)
      times <- c(times, proc.time()[["elapsed"]] - t0)
    }
    cat(sprintf("%s,%s,%.4f,%d\n", m$id, if (reml) "REML" else "ML", median(times), fit@optinfo$feval))
  }
}
