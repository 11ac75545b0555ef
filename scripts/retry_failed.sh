#!/usr/bin/env bash
# Re-run FAILED / TIMEOUT / INCOMPLETE experiments, then collect. Usage: retry_failed.sh [MAX_PARALLEL] [bargain retry options]
# Asks before starting on a terminal; pass --yes when running unattended.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_bargain.sh"
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then p=$1; shift; set -- --parallel "$p" "$@"; fi
bargain retry "$@"
