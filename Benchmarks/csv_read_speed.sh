#!/bin/sh
# Times reading a generated 1,000,000-row, 4-column CSV (3 numeric columns, 1 quoted
# categorical) with DataTable(contentsOf:), in release mode. The measurement is the test
# CSVReaderTests.csvReadSpeed, which is disabled unless MM_BENCH is set; it writes the file to a
# temporary directory, reads it three times and prints the best time, for short decimals
# (249.56) and for 17-digit doubles.
#
# Usage: Benchmarks/csv_read_speed.sh [extra swift test arguments, e.g. --scratch-path .build-csv]
set -eu
cd "$(dirname "$0")/.."
MM_BENCH=1 swift test -c release --filter csvReadSpeed "$@" 2>&1 | grep -E 'csvReadSpeed|passed|failed|error'
