/**
 * KeyPool on an injected clock: a set-aside key is skipped during its cool-down, one call
 * (and only one) probes it afterwards, success restores it, another key error sets it aside
 * for twice as long, and the all-keys-aside message is one line of labels and reasons.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyPool } from './keys.ts';
import { ApiKey } from './env.ts';

const MIN = 60_000;
function pool(labels: string[], coolDownMs = 10 * MIN) {
  let t = 1_000_000;
  const p = new KeyPool(
    'test',
    labels.map((l, i) => new ApiKey(l, `sk-test-value-${i}-0000000000`)),
    { coolDownMs, now: () => t },
  );
  return {
    p,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

test('a set-aside key is skipped for its cool-down, then probed by exactly one call; success restores it', () => {
  const { p, advance } = pool(['OPENAI_API_KEY', 'OPENAI_API_KEY_2']);
  p.reject('OPENAI_API_KEY', '401: invalid key');
  assert.equal(p.take()?.key.label, 'OPENAI_API_KEY_2');
  advance(10 * MIN - 1);
  const early = p.take()!;
  assert.deepEqual([early.key.label, early.probe], ['OPENAI_API_KEY_2', false]);
  advance(1);
  const probe = p.take()!;
  assert.deepEqual([probe.key.label, probe.probe], ['OPENAI_API_KEY', true]);
  // while the probe is out, others keep using the healthy key
  assert.equal(p.take()!.key.label, 'OPENAI_API_KEY_2');
  p.succeeded('OPENAI_API_KEY');
  assert.deepEqual(p.rejected, []);
  const next = p.take()!;
  assert.deepEqual([next.key.label, next.probe], ['OPENAI_API_KEY', false]);
});

test('a failed probe doubles the cool-down; a concurrent rejection of a set-aside key changes nothing', () => {
  const { p, advance } = pool(['GEMINI_API_KEY']);
  p.reject('GEMINI_API_KEY', '403: PERMISSION_DENIED');
  p.reject('GEMINI_API_KEY', '403: again, from a call that was already in flight');
  assert.equal(p.rejected[0].retryInMs, 10 * MIN);
  assert.equal(p.take(), undefined);
  advance(10 * MIN);
  assert.equal(p.take()!.probe, true);
  assert.equal(p.take(), undefined, 'only one call may probe');
  p.reject('GEMINI_API_KEY', '403: still denied');
  assert.equal(p.rejected[0].retryInMs, 20 * MIN);
  advance(20 * MIN - 1);
  assert.equal(p.take(), undefined);
  advance(1);
  assert.equal(p.take()!.probe, true);
  p.reject('GEMINI_API_KEY', '403: still denied');
  assert.equal(p.rejected[0].retryInMs, 40 * MIN);
});

test('an inconclusive probe (429, reset) frees the probe slot without restoring or extending', () => {
  const { p, advance } = pool(['ANTHROPIC_API_KEY']);
  p.reject('ANTHROPIC_API_KEY', '400: credit balance is too low');
  advance(10 * MIN);
  assert.equal(p.take()!.probe, true);
  p.probeInconclusive('ANTHROPIC_API_KEY');
  assert.equal(p.rejected.length, 1);
  assert.equal(p.take()!.probe, true, 'the next call probes');
});

test('every key aside: one line naming each label, its reason and when it is tried again; never a key value', () => {
  const { p, advance } = pool(['OPENAI_API_KEY', 'OPENAI_API_KEY_2']);
  p.reject(
    'OPENAI_API_KEY',
    '401: invalid_request_error/invalid_api_key: Incorrect API key provided: sk-test-value-0-0000000000',
  );
  advance(5 * MIN);
  p.reject('OPENAI_API_KEY_2', '429: insufficient_quota');
  assert.equal(p.current(), undefined);
  const line = p.describeRejected();
  assert.ok(!line.includes('\n'));
  assert.match(
    line,
    /^OPENAI_API_KEY \(401: .*invalid_api_key.*; tried again in 5 min\); OPENAI_API_KEY_2 \(429: insufficient_quota; tried again in 10 min\)$/,
  );
  assert.ok(!line.includes('sk-test-value'), line);
});

test('a keyless route has one anonymous slot that follows the same rules', () => {
  let t = 0;
  const p = new KeyPool('sim', [], { coolDownMs: 1000, now: () => t });
  assert.deepEqual(p.labels, ['none']);
  assert.equal(p.take()!.key.label, 'none');
  p.reject('none', '401: nope');
  assert.equal(p.take(), undefined);
  t = 1000;
  assert.equal(p.take()!.probe, true);
});
