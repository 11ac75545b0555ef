#!/usr/bin/env bash
# Collect all_results.json, summary.json, results.csv, runs.csv and the report. Usage: collect_results.sh [bargain collect options]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_bargain.sh"
bargain collect "$@"
