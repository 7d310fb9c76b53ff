#!/usr/bin/env bash
# Objective evaluations of every model in models.csv, ML and REML, from the two start methods
# of `lmm fit --start-method`: identity (λ = I, lme4's start, ρ_beg = 0.75) and moments (the
# default: MIVQUE(0) estimates, ρ_beg = 0.1). Prints one markdown table with the evaluations
# and the optimum of each, and the totals. The weighted sleepstudy row is skipped (its weights
# column is derived in the tests, not in the built-in data).
#
#   Benchmarks/start_evaluations.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product lmm >&2
LMM="$(swift build -c release --show-bin-path)/lmm"
field() { python3 -c "import json,sys; o=json.load(sys.stdin)['optimizer']; print(o['evaluations'], '%.10f' % o['finalObjective'], o['startMethod'])"; }
echo "| model | method | identity: evaluations | objective | moments: evaluations | objective | start used |"
echo "|---|---|---:|---:|---:|---:|---|"
total_identity=0
total_moments=0
while IFS=, read -r id dataset formula weights; do
    [ "$id" = id ] && continue
    [ -n "$weights" ] && continue
    for method in ml reml; do
        read -r e1 o1 _ < <("$LMM" fit "$dataset" "$formula" --method "$method" --start-method identity --format json | field)
        read -r e2 o2 used < <("$LMM" fit "$dataset" "$formula" --method "$method" --format json | field)
        echo "| $id | $method | $e1 | $o1 | $e2 | $o2 | $used |"
        total_identity=$((total_identity + e1))
        total_moments=$((total_moments + e2))
    done
done < Benchmarks/models.csv
echo "| **total** | | **$total_identity** | | **$total_moments** | | |"
