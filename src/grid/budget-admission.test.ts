import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExperimentConfig } from '../results/index.ts';
import { budgetGate } from './budget-admission.ts';

const exp = (id: number) => ({ experiment_id: id }) as ExperimentConfig;

test('--max-cost admits while spent + running reservations + the next one stay within the cap, then says why not', () => {
  let spent = 0;
  const cost: Record<number, number> = { 1: 0.4, 2: 0.35, 3: 0.3, 4: 0.25 };
  const gate = budgetGate(
    1,
    (c) => cost[c.experiment_id],
    () => spent,
  );
  assert.equal(gate.admit(exp(1)), true);
  assert.equal(gate.admit(exp(2)), true);
  // 0 + 0.75 reserved + 0.3 > 1
  assert.equal(
    gate.admit(exp(3)),
    '--max-cost $1.00 reached: spent $0.0000, running experiments expected to need $0.7500 more, the next one $0.3000',
  );
  // exactly at the cap is allowed: 0 + 0.75 + 0.25 = 1
  assert.equal(gate.admit(exp(4)), true);
  gate.done(exp(1));
  gate.done(exp(2));
  gate.done(exp(4));
  spent = 0.65; // what they really cost, read at each admission
  assert.equal(gate.admit(exp(3)), true, 'finished experiments release their reservation; the spend takes its place');
  spent = 0.8;
  assert.equal(
    gate.admit(exp(2)),
    '--max-cost $1.00 reached: spent $0.8000, running experiments expected to need $0.3000 more, the next one $0.3500',
  );
});
