#!/usr/bin/env bash
# Run one experiment (a SLURM array task). Usage: run_single_experiment.sh JOB_ID [bargain run-one options]
# Without JOB_ID it uses $SLURM_ARRAY_TASK_ID. Exit 0/1/124 = SUCCESS/FAILED/TIMEOUT.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_bargain.sh"
bargain run-one "$@"
