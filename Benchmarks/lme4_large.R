## Fits one large model with lme4, with lme4's default settings (what a user gets), and prints
## the figures the benchmark scripts read, one `key=value` per line:
##   read_seconds   read.csv() time (grouping columns are text, read as factors)
##   lmer_seconds   elapsed time of the lmer() call alone
##   feval          objective evaluations (fit@optinfo$feval)
##   loglik         log-likelihood (the REML criterion's log-likelihood when REML = TRUE)
##   warnings       lme4's convergence messages, if any ("none" otherwise)
##   r_version, lme4_version
## Run it in a fresh Rscript (under /usr/bin/time -v for the end-to-end time and peak RSS).
##
## Usage (from the repository root):
##   Rscript Benchmarks/lme4_large.R DATA FORMULA REML
##     DATA     a CSV file, or the name of a data set shipped with lme4 (e.g. InstEval)
##     FORMULA  an lme4 formula, e.g. 'y ~ 1 + x + (1 + x | g1) + (1 | g2)'
##     REML     TRUE/reml for REML, FALSE/ml for maximum likelihood
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) {
  stop("usage: Rscript Benchmarks/lme4_large.R DATA FORMULA REML(TRUE|FALSE)")
}
data_arg <- args[1]
form <- as.formula(args[2])
reml <- toupper(args[3]) %in% c("TRUE", "T", "REML", "YES", "1")

t0 <- proc.time()[["elapsed"]]
if (file.exists(data_arg)) {
  d <- utils::read.csv(data_arg, stringsAsFactors = TRUE)
} else {
  e <- new.env()
  utils::data(list = data_arg, package = "lme4", envir = e)
  if (!exists(data_arg, envir = e)) stop("no file or lme4 data set named ", data_arg)
  d <- get(data_arg, envir = e)
}
read_seconds <- proc.time()[["elapsed"]] - t0

msgs <- character(0)
t1 <- proc.time()[["elapsed"]]
fit <- withCallingHandlers(
  lmer(form, data = d, REML = reml),
  warning = function(w) { msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning") }
)
lmer_seconds <- proc.time()[["elapsed"]] - t1
msgs <- c(msgs, fit@optinfo$conv$lme4$messages)

cat(sprintf("rows=%d\n", nrow(d)))
cat(sprintf("read_seconds=%.3f\n", read_seconds))
cat(sprintf("lmer_seconds=%.3f\n", lmer_seconds))
cat(sprintf("feval=%d\n", as.integer(fit@optinfo$feval)))
cat(sprintf("loglik=%.6f\n", as.numeric(logLik(fit))))
cat(sprintf("warnings=%s\n", if (length(msgs)) paste(gsub("[\r\n]+", " ", unique(msgs)), collapse = " | ") else "none"))
cat(sprintf("r_version=%s\n", paste(R.version$major, R.version$minor, sep = ".")))
cat(sprintf("lme4_version=%s\n", as.character(packageVersion("lme4"))))
