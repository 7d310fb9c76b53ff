#!/usr/bin/env bash
# Two scaling curves of lmm's time per objective evaluation, on the crossed design
# y ~ 1 + x + (1 + x | g1) + (1 | g2), REML, from the release build:
#
#   (a) against the number of rows n at fixed levels (n1 = 2,000, n2 = 500;
#       n = 100k, 300k, 1M, 3M). It should be flat: nothing O(n) happens per evaluation.
#   (b) against the size of the dense trailing block, the n2 levels of g2 (n = 200k,
#       n1 = 20,000; n2 = 500, 1,000, 2,000, 4,000). It should follow the cubic of the dense
#       Cholesky of that block, so the last columns compare the time ratio with (n2 / 500)^3.
#
# Time per evaluation = the JSON's optimizer.seconds / optimizer.evaluations. lmm reports only
# one total: optimizer.seconds is "in-process seconds to build the model and fit it (not
# counting reading the data)", so the per-evaluation figure includes the model set-up
# (O(n)) spread over the evaluations; curve (a) is flat only to the extent the set-up is small
# against the evaluations. End-to-end seconds (including reading the CSV) are shown too.
#
# Usage: Benchmarks/evaluation_curves.sh [--curve a|b|both] [--timeout SECONDS] [--log-dir DIR]
#
# Environment: SWIFT_BUILD_FLAGS is passed to `swift build` (e.g. SWIFT_BUILD_FLAGS="-j 1").
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/bench_common.sh

curve=both
limit=1800
log_dir=
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
        --curve) curve=${2:?--curve needs a value}; shift 2 ;;
        --curve=*) curve=${1#*=}; shift ;;
        --timeout) limit=${2:?--timeout needs a value}; shift 2 ;;
        --timeout=*) limit=${1#*=}; shift ;;
        --log-dir) log_dir=${2:?--log-dir needs a value}; shift 2 ;;
        --log-dir=*) log_dir=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) note "evaluation_curves.sh: unknown argument '$1' (see --help)"; exit 2 ;;
    esac
done
case $curve in a|b|both) ;; *) note "--curve must be a, b or both"; exit 2 ;; esac
case $limit in ''|*[!0-9]*) note "--timeout must be a whole number of seconds"; exit 2 ;; esac

build_release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs=${log_dir:-$work/logs}
mkdir -p "$logs"

# point N N1 N2: generates and fits one crossed design; prints one table row:
# | n | n1 | n2 | evaluations | optimiser s | ms / evaluation | end-to-end s | peak MB |
# and sets PER_EVAL_MS.
point() {
    local n=$1 n1=$2 n2=$3 name="crossed-$1-$2-$3"
    local data="$work/$name.csv"
    note "[$name] generating and fitting"
    "$GENERATE" crossed --rows "$n" --g1 "$n1" --g2 "$n2" --seed 1 --output "$data"
    timed_run "$limit" "$logs/$name.time" "$logs/$name.json" \
        "$LMM" fit "$data" "$CROSSED_FORMULA" --method reml --format json
    rm -f "$data"
    PER_EVAL_MS=-
    if [ "$RUN_STATUS" != ok ]; then
        note "[$name] $RUN_STATUS $(command_errors "$logs/$name.time")"
        ROW="| $n | $n1 | $n2 | $RUN_STATUS | - | - | - | $(peak_mb "$logs/$name.time") |"
        return
    fi
    local ev secs
    ev=$(json_number "$logs/$name.json" evaluations)
    secs=$(json_number "$logs/$name.json" seconds)
    PER_EVAL_MS=$(awk -v s="$secs" -v e="$ev" 'BEGIN { if (e > 0) printf "%.2f", 1000 * s / e; else printf "-" }')
    ROW="| $n | $n1 | $n2 | $ev | $(fmt "$secs" 2) | $PER_EVAL_MS | $(wall_seconds "$logs/$name.time") | $(peak_mb "$logs/$name.time") |"
}

header="| n | n1 | n2 | evaluations | optimiser s (build + fit) | ms / evaluation | end-to-end s | peak MB |"
rule="|---:|---:|---:|---:|---:|---:|---:|---:|"

if [ "$curve" != b ]; then
    out_a=()
    for n in 100000 300000 1000000 3000000; do
        point "$n" 2000 500
        out_a+=("$ROW")
    done
    echo
    echo "Curve (a): time per evaluation against n (n1 = 2,000, n2 = 500); expected flat."
    echo
    echo "$header"; echo "$rule"
    printf '%s\n' "${out_a[@]}"
fi

if [ "$curve" != a ]; then
    out_b=()
    first=
    for n2 in 500 1000 2000 4000; do
        point 200000 20000 "$n2"
        [ -n "$first" ] || first=$PER_EVAL_MS     # the n2 = 500 point ("-" if it failed)
        out_b+=("${ROW% |} | $(ratio "$PER_EVAL_MS" "$first") | $(awk -v k="$n2" 'BEGIN { printf "%.0f", (k / 500) ^ 3 }') |")
    done
    echo
    echo "Curve (b): time per evaluation against the dense block size n2 (n = 200,000, n1 = 20,000);"
    echo "expected to follow (n2 / 500)^3 once the dense Cholesky dominates."
    echo
    echo "${header% |} | time / time at n2 = 500 | (n2 / 500)^3 |"
    echo "${rule}---:|---:|"
    printf '%s\n' "${out_b[@]}"
fi
echo
echo "lmm release build; REML; seed 1; $(date -u '+%Y-%m-%d %H:%M UTC')."
