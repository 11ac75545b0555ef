import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobRecord } from './jobs.ts';
import { parseSacct, parseSqueue } from './slurm.ts';
import { countTasks, isActive } from './status.ts';

const job: JobRecord = {
  job_id: '77',
  submitted_at: '',
  kind: 'grid',
  script: 'slurm/submit.sbatch',
  mode: 'shards',
  array: '0-4%2',
  tasks: 5,
  max_running: 2,
  shards: { 0: [0, 5], 1: [1, 6], 2: [2, 7], 3: [3, 8], 4: [4, 9] },
  rates: {},
};

test('squeue lines parse into tasks; other jobs are ignored', () => {
  const q = parseSqueue('77|3|RUNNING|None\n77|4|PENDING|JobArrayTaskLimit\n78|0|RUNNING|None\n\n');
  assert.deepEqual(q[0], { jobId: '77', taskId: 3, state: 'RUNNING', reason: 'None' });
  const c = countTasks(job, q, null);
  assert.deepEqual({ p: c.pending, r: c.running, d: c.done, s: c.source }, { p: 1, r: 1, d: 3, s: 'squeue' });
  assert.ok(isActive(job, q));
  assert.ok(
    !isActive(
      job,
      q.filter((t) => t.jobId !== '77'),
    ),
  );
});

test('with accounting, finished tasks that did not complete are named', () => {
  const a = parseSacct('77_0|COMPLETED|0:0\n77_1|FAILED|1:0\n77_2|CANCELLED by 0|0:15\n77_[3-4%2]|PENDING|0:0\n');
  assert.equal(a.length, 4);
  const c = countTasks(job, parseSqueue('77|3|RUNNING|None\n77|4|PENDING|None\n'), a);
  assert.deepEqual({ p: c.pending, r: c.running, d: c.done }, { p: 1, r: 1, d: 3 });
  assert.deepEqual(c.notCompleted, { FAILED: 1, CANCELLED: 1 });
  assert.equal(c.source, 'squeue+sacct');
});

test('a job gone from squeue counts as finished', () => {
  const c = countTasks(job, [], null);
  assert.equal(c.done, 5);
  assert.equal(c.pending + c.running, 0);
});
