# Shared helpers of the large benchmark scripts (large_fits.sh, evaluation_curves.sh).
# Sourced, not run. Expects the caller to have `cd`-ed to the repository root and to use
# `set -euo pipefail`.

# The formulas of the generated designs (the generators' models, Benchmarks/Generators).
CROSSED_FORMULA='y ~ 1 + x + (1 + x | g1) + (1 | g2)'
SCHOOLS_FORMULA='y ~ 1 + x + (1 | student) + (1 | teacher)'
MOVERS_FORMULA='y ~ 1 + x + (1 | worker) + (1 | firm)'
INSTEVAL_FORMULA='y ~ 1 + service + (1|s) + (1|d) + (1|dept:service)'

# Prints a message to standard error.
note() { printf '%s\n' "$*" >&2; }

# build_release: builds lmm and lmm-generate in release mode and sets LMM and GENERATE to the
# binaries. SWIFT_BUILD_FLAGS (e.g. "-j 1" on a shared machine) is passed to swift build.
build_release() {
    local flags
    read -r -a flags <<< "${SWIFT_BUILD_FLAGS:-}"
    note "building lmm and lmm-generate (release) ..."
    swift build -c release --product lmm ${flags[@]+"${flags[@]}"} >&2
    swift build -c release --product lmm-generate ${flags[@]+"${flags[@]}"} >&2
    local bin
    bin=$(swift build -c release --show-bin-path)
    LMM="$bin/lmm"
    GENERATE="$bin/lmm-generate"
}

# timed_run TIMEOUT TIMEFILE OUTFILE COMMAND...: runs COMMAND under `/usr/bin/time -v` with a
# timeout (TERM at TIMEOUT seconds, KILL 10 s later), standard output to OUTFILE and standard
# error (the command's, then time's report) to TIMEFILE. Sets RUN_STATUS to "ok", "timeout",
# "killed" (signal 9 before the timeout: usually the out-of-memory killer) or
# "failed (exit N)". Never fails itself.
timed_run() {
    local limit=$1 timefile=$2 outfile=$3
    shift 3
    local rc=0 start end
    start=$(date +%s)
    /usr/bin/time -v timeout --kill-after=10 "$limit" "$@" > "$outfile" 2> "$timefile" || rc=$?
    end=$(date +%s)
    case $rc in
        0) RUN_STATUS=ok ;;
        124) RUN_STATUS=timeout ;;
        137) if [ $((end - start)) -ge "$limit" ]; then RUN_STATUS=timeout; else RUN_STATUS=killed; fi ;;
        *) RUN_STATUS="failed (exit $rc)" ;;
    esac
}

# wall_seconds TIMEFILE: the wall-clock seconds of a `/usr/bin/time -v` report ("-" if none).
wall_seconds() {
    local t
    t=$(sed -n 's/^.*Elapsed (wall clock) time.*: //p' "$1" | tail -n 1)
    [ -n "$t" ] || { echo "-"; return; }
    # h:mm:ss or m:ss.ss
    awk -v t="$t" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }'
}

# peak_mb TIMEFILE: the peak resident set size in MB of a `/usr/bin/time -v` report.
peak_mb() {
    local kb
    kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$1" | tail -n 1)
    [ -n "$kb" ] || { echo "-"; return; }
    awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1024 }'
}

# command_errors TIMEFILE: the command's own messages (what precedes time's report), on one line.
command_errors() {
    sed '/^[[:space:]]*Command being timed:/,$d' "$1" | grep -v -e '^[[:space:]]*$' -e '^Command exited with non-zero status' -e '^Command terminated by signal' | head -n 3 | tr '\n' ' ' | cut -c 1-200 || true
}

# json_number FILE KEY: the first numeric value of "KEY" in a JSON file ("-" if absent).
# lmm's JSON has unique keys for the values read here (evaluations, seconds, logLikelihood).
json_number() {
    local v
    v=$(grep -o "\"$2\"[[:space:]]*:[[:space:]]*-\{0,1\}[0-9][0-9.eE+-]*" "$1" 2>/dev/null | head -n 1 | sed 's/.*:[[:space:]]*//')
    echo "${v:--}"
}

# kv FILE KEY: the value of a `key=value` line (lme4_large.R's output; "-" if absent).
kv() {
    local v
    v=$(sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1)
    echo "${v:--}"
}

# fmt NUMBER DIGITS: a number with DIGITS decimals, or the input unchanged if not a number.
fmt() {
    awk -v v="$1" -v d="$2" 'BEGIN { if (v ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) printf "%.*f", d, v; else printf "%s", v }'
}

# ratio A B: A / B to 2 decimals, "-" unless both are positive numbers.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else printf "-" }'
}
