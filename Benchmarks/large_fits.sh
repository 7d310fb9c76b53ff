#!/usr/bin/env bash
# Large-fit benchmark: lmm against lme4 on generated designs of 1M-10M rows and on InstEval.
#
# For each case: generate the CSV (lmm-generate, seed 1) into a temporary directory, fit it with
# the release `lmm fit FILE FORMULA --method reml --format json` under `/usr/bin/time -v`
# (end-to-end wall seconds including reading the CSV, peak RSS), then, when Rscript with lme4
# is installed, fit it with lme4's defaults in a fresh Rscript (Benchmarks/lme4_large.R, also
# under `/usr/bin/time -v`). Prints one markdown table. The generated data is deleted at the end.
#
# Usage (from anywhere):
#   Benchmarks/large_fits.sh [--cases a,b,...] [--no-r] [--no-lmm] [--timeout SECONDS]
#                            [--log-dir DIR]
#
#   --cases     comma-separated subset of: crossed-1m, crossed-10m, schools-1m, movers-1.5m,
#               movers-702, movers-702-yearly, insteval (default: all, in that order)
#   --no-r      skip lme4
#   --no-lmm    skip lmm (lme4 only; lmm-generate is still built)
#   --timeout   per-run limit in seconds (default 1800); a run over it is killed and reported as
#               "timeout"
#   --log-dir   keep every run's raw output (JSON, R output, /usr/bin/time report) in DIR
#
# Environment: SWIFT_BUILD_FLAGS is passed to `swift build` (e.g. SWIFT_BUILD_FLAGS="-j 1").
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/bench_common.sh

ALL_CASES="crossed-1m,crossed-10m,schools-1m,movers-1.5m,movers-702,movers-702-yearly,insteval"
cases=$ALL_CASES
run_r=yes
run_lmm=yes
limit=1800
log_dir=

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
        --cases) cases=${2:?--cases needs a value}; shift 2 ;;
        --cases=*) cases=${1#*=}; shift ;;
        --no-r) run_r=no; shift ;;
        --no-lmm) run_lmm=no; shift ;;
        --timeout) limit=${2:?--timeout needs a value}; shift 2 ;;
        --timeout=*) limit=${1#*=}; shift ;;
        --log-dir) log_dir=${2:?--log-dir needs a value}; shift 2 ;;
        --log-dir=*) log_dir=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) note "large_fits.sh: unknown argument '$1' (see --help)"; exit 2 ;;
    esac
done
case $limit in ''|*[!0-9]*) note "--timeout must be a whole number of seconds"; exit 2 ;; esac

# case_spec NAME: sets GEN (lmm-generate arguments; empty for a built-in data set), DATASET
# (the built-in name), FORMULA, METHOD (reml/ml) and ROWS (for the table).
case_spec() {
    GEN=() DATASET=
    case $1 in
        crossed-1m)  GEN=(crossed --rows 1000000 --g1 20000 --g2 2000); FORMULA=$CROSSED_FORMULA; METHOD=reml; ROWS=1000000 ;;
        crossed-10m) GEN=(crossed --rows 10000000 --g1 200000 --g2 2000); FORMULA=$CROSSED_FORMULA; METHOD=reml; ROWS=10000000 ;;
        schools-1m)  GEN=(schools --schools 4000 --teachers-per-school 10 --students-per-school 50 --observations-per-student 5)
                     FORMULA=$SCHOOLS_FORMULA; METHOD=reml; ROWS=1000000 ;;
        movers-1.5m) GEN=(movers --workers 300000 --years 5 --firms 20000 --move-rate 0.05); FORMULA=$MOVERS_FORMULA; METHOD=reml; ROWS=1500000 ;;
        movers-702)  GEN=(movers --workers 1400000 --years 5 --firms 100000 --move-rate 0.02); FORMULA=$MOVERS_FORMULA; METHOD=reml; ROWS=7000000 ;;
        movers-702-yearly) GEN=(movers --workers 1400000 --years 5 --firms 100000 --yearly-move-rate 0.02); FORMULA=$MOVERS_FORMULA; METHOD=reml; ROWS=7000000 ;;
        insteval)    DATASET=InstEval; FORMULA=$INSTEVAL_FORMULA; METHOD=ml; ROWS=73421 ;;
        *) note "unknown case '$1' (cases: $ALL_CASES)"; exit 2 ;;
    esac
}
IFS=, read -r -a case_list <<< "$cases"
for c in "${case_list[@]}"; do case_spec "$c"; done   # validate the names before building

if [ "$run_r" = yes ]; then
    if ! command -v Rscript > /dev/null || ! Rscript -e 'suppressPackageStartupMessages(library(lme4))' > /dev/null 2>&1; then
        note "Rscript with lme4 not found: lme4 skipped (Benchmarks/install_r.sh installs it)"
        run_r=skipped
    fi
fi

build_release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs=${log_dir:-$work/logs}
mkdir -p "$logs"

rows_out=()
for c in "${case_list[@]}"; do
    case_spec "$c"
    if [ ${#GEN[@]} -gt 0 ]; then
        data="$work/$c.csv"
        note "[$c] generating: lmm-generate ${GEN[*]} --seed 1"
        "$GENERATE" "${GEN[@]}" --seed 1 --output "$data"
    else
        data=$DATASET
    fi

    lmm_wall=- lmm_opt=- lmm_eval=- lmm_ll=- lmm_mb=- lmm_status=skipped
    if [ "$run_lmm" = yes ]; then
        note "[$c] lmm fit ... --method $METHOD"
        timed_run "$limit" "$logs/$c.lmm.time" "$logs/$c.lmm.json" \
            "$LMM" fit "$data" "$FORMULA" --method "$METHOD" --format json
        lmm_status=$RUN_STATUS
        lmm_mb=$(peak_mb "$logs/$c.lmm.time")
        if [ "$lmm_status" = ok ]; then
            lmm_wall=$(wall_seconds "$logs/$c.lmm.time")
            lmm_opt=$(fmt "$(json_number "$logs/$c.lmm.json" seconds)" 1)
            lmm_eval=$(json_number "$logs/$c.lmm.json" evaluations)
            lmm_ll=$(fmt "$(json_number "$logs/$c.lmm.json" logLikelihood)" 2)
        else
            lmm_wall=$lmm_status
            note "[$c] lmm: $lmm_status $(command_errors "$logs/$c.lmm.time")"
        fi
    fi

    r_lmer=- r_wall=- r_eval=- r_ll=- r_mb=-
    if [ "$run_r" = yes ]; then
        note "[$c] lme4 lmer(REML = $([ "$METHOD" = reml ] && echo TRUE || echo FALSE))"
        timed_run "$limit" "$logs/$c.lme4.time" "$logs/$c.lme4.out" \
            Rscript Benchmarks/lme4_large.R "$data" "$FORMULA" "$([ "$METHOD" = reml ] && echo TRUE || echo FALSE)"
        r_mb=$(peak_mb "$logs/$c.lme4.time")
        if [ "$RUN_STATUS" = ok ]; then
            r_wall=$(wall_seconds "$logs/$c.lme4.time")
            r_lmer=$(fmt "$(kv "$logs/$c.lme4.out" lmer_seconds)" 1)
            r_eval=$(kv "$logs/$c.lme4.out" feval)
            r_ll=$(fmt "$(kv "$logs/$c.lme4.out" loglik)" 2)
            w=$(kv "$logs/$c.lme4.out" warnings)
            [ "$w" = none ] || note "[$c] lme4 warnings: $w"
        else
            r_lmer=$RUN_STATUS r_wall=$RUN_STATUS
            note "[$c] lme4: $RUN_STATUS $(command_errors "$logs/$c.lme4.time")"
        fi
    elif [ "$run_r" = skipped ]; then
        r_lmer=skipped r_wall=skipped
    fi

    rows_out+=("| $c | $ROWS | $lmm_wall | $lmm_opt | $r_lmer | $r_wall | $(ratio "$r_wall" "$lmm_wall") | $lmm_eval / $r_eval | $lmm_ll / $r_ll | $lmm_mb / $r_mb |")
    rm -f "$work/$c.csv"
done

echo
echo "| case | rows | lmm end-to-end s | lmm build + fit s | lme4 lmer() s | lme4 end-to-end s | ratio (lme4 / lmm, end to end) | evaluations lmm / lme4 | log-likelihood lmm / lme4 | peak MB lmm / lme4 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows_out[@]}"
echo
echo "Method: REML for the generated designs, ML for InstEval; timeout ${limit} s per run; $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "lmm build + fit s: the JSON's optimizer.seconds (building the model and fitting it, not reading the CSV)."
