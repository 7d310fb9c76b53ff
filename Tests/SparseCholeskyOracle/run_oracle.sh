#!/bin/sh
# Test oracle only: compiles cholmod_nnz.c against the system CHOLMOD into a temporary
# directory and runs it on each Matrix Market file given; prints one result line per file.
# (This directory is outside the SparseCholeskyTests target on purpose: a .c file inside a
# Swift test target makes SwiftPM reject it as mixed-language, and Package.swift is not ours.)
# Usage: run_oracle.sh file.mtx [file.mtx ...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -I/usr/include/suitesparse -o "$work/cholmod_nnz" "$here/cholmod_nnz.c" -lcholmod
for file in "$@"; do
    "$work/cholmod_nnz" "$file"
done
