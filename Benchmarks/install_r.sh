#!/usr/bin/env bash
# Installs R with lme4 and lmerTest from the distribution's packages (Debian/Ubuntu), for the
# lme4 side of the benchmarks (Benchmarks/large_fits.sh, Benchmarks/lme4_timings.R) on a fresh
# machine. Needs root (or sudo).
#
# Usage: sudo Benchmarks/install_r.sh
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
    echo "install_r.sh: run as root (sudo Benchmarks/install_r.sh)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y r-base-core r-cran-lme4 r-cran-lmertest
Rscript -e 'cat("R", as.character(getRversion()), "lme4", as.character(packageVersion("lme4")), "lmerTest", as.character(packageVersion("lmerTest")), "\n")'
