/**
 * Issue 11's smaller items on damaged results directories, through the real CLI: `report`
 * and `slurm script` on a read-only results directory (as user nobody, since chmod does not
 * stop root) refuse in one line; a result path that is a directory makes `run` refuse in one
 * line naming it (collect counts it incomplete); a result with a valid config hash but no
 * `runs` is an incomplete experiment, not a crash; an unknown status is counted and named.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asNobody, bargain, hashTree, oneLine, populated, resultFiles, treeDiff } from './helpers/grid.ts';

test('report and slurm script on a read-only results directory: one line, exit 2, nothing changed', async (t) => {
  const nobody = asNobody();
  if (!nobody) {
    t.skip('needs root and setpriv to run the CLI as user nobody (root ignores chmod)');
    return;
  }
  const rd = populated(t);
  const before = hashTree(rd);
  for (const args of [
    ['report', '--results-dir', rd],
    ['slurm', 'script', '--results-dir', rd],
  ]) {
    const r = await nobody(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(oneLine(r.stderr), /^bargain: results directory .* is not writable .*permissions$/);
  }
  assert.deepEqual(treeDiff(before, hashTree(rd)), []);
});

test('a result path that is a directory: run refuses in one line naming it; collect counts it incomplete', (t) => {
  const rd = populated(t);
  const first = resultFiles(rd)[0];
  rmSync(join(rd, first.path));
  mkdirSync(join(rd, first.path));
  const run = bargain(['run', '--results-dir', rd]);
  assert.equal(run.status, 2, run.stdout + run.stderr);
  const line = oneLine(run.stderr);
  assert.match(
    line,
    new RegExp(
      `^bargain: cannot write .*${first.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(it is a directory\\); move what is in the way aside`,
    ),
  );
  assert.doesNotMatch(line, /internal error|tmp-/);
  const col = bargain(['collect', '--results-dir', rd]);
  assert.equal(col.status, 0, col.stdout + col.stderr);
  const s = JSON.parse(readFileSync(join(rd, 'summary.json'), 'utf8'));
  assert.ok(
    s.missing.some(
      (m: { experiment_id: number; status: string }) => m.experiment_id === first.id && m.status === 'INCOMPLETE',
    ),
  );
});

test('a result with a valid config hash but no runs is incomplete; an unknown status is counted and named', (t) => {
  const rd = populated(t);
  const [a, b] = resultFiles(rd);
  const edit = (p: string, f: (j: Record<string, unknown>) => void) => {
    const j = JSON.parse(readFileSync(join(rd, p), 'utf8'));
    f(j);
    writeFileSync(join(rd, p), JSON.stringify(j));
  };
  edit(a.path, (j) => {
    delete j.runs;
  });
  edit(b.path, (j) => {
    j.status = 'EXPLODED';
  });
  const col = bargain(['collect', '--results-dir', rd]);
  assert.equal(col.status, 0, col.stdout + col.stderr);
  assert.doesNotMatch(col.stderr, /internal error/);
  assert.match(col.stdout, new RegExp(`1 with an unknown status \\(${b.id}: "EXPLODED"\\)`));
  const s = JSON.parse(readFileSync(join(rd, 'summary.json'), 'utf8'));
  assert.equal(s.unknown_status, 1);
  assert.deepEqual(s.unknown_statuses, [{ experiment_id: b.id, status: 'EXPLODED' }]);
  assert.ok(
    s.missing.some(
      (m: { experiment_id: number; note: string }) => m.experiment_id === a.id && /no runs list/.test(m.note),
    ),
  );
  assert.equal(
    s.successful + s.failed + s.timeout + s.incomplete + s.not_started + s.unknown_status,
    s.total_experiments,
  );
  // the report reads the same directory without a trace
  const rep = bargain(['report', '--results-dir', rd]);
  assert.equal(rep.status, 0, rep.stdout + rep.stderr);
});
