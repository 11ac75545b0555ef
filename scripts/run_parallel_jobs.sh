#!/usr/bin/env bash
# Run every experiment not yet complete, with live progress. Usage: run_parallel_jobs.sh [MAX_PARALLEL] [bargain run options]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_bargain.sh"
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then p=$1; shift; set -- --parallel "$p" "$@"; fi
bargain run "$@"
