# Evaluation counts of other BOBYQA implementations on lme4's own profiled deviance, from lme4's
# start (θ = 1 on variances, 0 on covariances): Powell's Fortran BOBYQA (minqa) with lmm's
# settings (ρ_beg 0.75, ρ_end 1e-7) at 2n + 1 and at (n + 1)(n + 2)/2 interpolation points, and
# NLopt's BOBYQA with lme4's nloptwrap defaults (xtol_abs = ftol_abs = 1e-8), the optimiser lmer()
# uses. Compare with `swift run -c release lmm-bench --npt 2n1` and `lmm-bench` (the default rule).
#
# Usage: Rscript Benchmarks/bobyqa_references.R   (needs lme4, minqa and nloptr; lme4 brings both)
suppressPackageStartupMessages({library(lme4); library(minqa); library(nloptr)})
data(InstEval, package = "lme4"); data(sleepstudy, package = "lme4"); data(Penicillin, package = "lme4")
data(Orthodont, package = "nlme"); data(Machines, package = "nlme")
cases <- list(
  list("sleepstudy_corr ML", Reaction ~ Days + (Days | Subject), sleepstudy, FALSE),
  list("sleepstudy_corr REML", Reaction ~ Days + (Days | Subject), sleepstudy, TRUE),
  list("penicillin ML", diameter ~ 1 + (1 | plate) + (1 | sample), Penicillin, FALSE),
  list("penicillin REML", diameter ~ 1 + (1 | plate) + (1 | sample), Penicillin, TRUE),
  list("orthodont REML", distance ~ age * Sex + (age | Subject), Orthodont, TRUE),
  list("machines_slope ML", score ~ Machine + (Machine | Worker), Machines, FALSE),
  list("insteval ML", y ~ 1 + service + (1 | s) + (1 | d) + (1 | dept:service), InstEval, FALSE))
counted <- function(f) { count <- 0; list(f = function(t) { count <<- count + 1; f(t) }, n = function() count) }
cat(sprintf("%-22s %5s %18s %5s %18s %5s %18s\n", "model", "minqa", "deviance", "full", "deviance", "nlopt", "deviance"))
for (cs in cases) {
  f <- lmer(cs[[2]], cs[[3]], REML = cs[[4]], devFunOnly = TRUE)
  lower <- environment(f)$lower
  start <- ifelse(lower == 0, 1, 0)   # a fresh vector: lme4's pp$theta changes in place
  n <- length(start)
  a <- counted(f); r1 <- minqa::bobyqa(start, a$f, lower = lower, control = list(rhobeg = 0.75, rhoend = 1e-7))
  b <- counted(f); r2 <- suppressWarnings(minqa::bobyqa(start, b$f, lower = lower,
                                    control = list(rhobeg = 0.75, rhoend = 1e-7, npt = (n + 1) * (n + 2) / 2)))
  c <- counted(f); r3 <- nloptr(start, c$f, lb = lower,
                                opts = list(algorithm = "NLOPT_LN_BOBYQA", xtol_abs = 1e-8, ftol_abs = 1e-8, maxeval = 1e5))
  cat(sprintf("%-22s %5d %18.10f %5d %18.10f %5d %18.10f\n", cs[[1]], a$n(), r1$fval, b$n(), r2$fval, c$n(), r3$objective))
}
