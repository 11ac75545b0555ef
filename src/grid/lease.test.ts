/**
 * Leases in one process and across racing processes: a held lease is not taken twice, a
 * stale one is taken over by exactly one of several processes trying at once, a takeover
 * in progress (its O_EXCL file) makes others back off, release never removes another's lease.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLease, HOST, isStale, readLease, STALE_MS } from './lease.ts';
import { Layout } from '../results/layout.ts';

function fresh(): { layout: Layout; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-lease-unit-'));
  mkdirSync(join(dir, 'logs'));
  return { layout: new Layout(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function staleLease(layout: Layout, id: number): string {
  const p = layout.abs(layout.lease(id));
  writeFileSync(p, JSON.stringify({ experiment_id: id, host: 'elsewhere.example', pid: 7, started_at: '2020-01-01T00:00:00Z', refresh_every_s: 30, token: 'old' }));
  const t = new Date(Date.now() - STALE_MS - 60_000);
  utimesSync(p, t, t);
  return p;
}

test('a held lease is not taken twice; released, it can be taken again; release leaves another owner\'s lease', () => {
  const { layout, cleanup } = fresh();
  try {
    const a = acquireLease(layout, 1);
    assert.ok('lease' in a);
    const b = acquireLease(layout, 1);
    assert.ok('heldBy' in b && b.heldBy.info?.pid === process.pid && b.heldBy.info.host === HOST);
    assert.ok(!isStale(readLease(layout.abs(layout.lease(1)))!));
    a.lease.release();
    assert.ok(!existsSync(layout.abs(layout.lease(1))));
    const c = acquireLease(layout, 1);
    assert.ok('lease' in c);
    // a's release after c took it: c's lease stays
    a.lease.release();
    assert.equal(readLease(layout.abs(layout.lease(1)))!.info!.token, c.lease.info.token);
    c.lease.release();
  } finally { cleanup(); }
});

test('a takeover in progress (its exclusive file) makes others back off; a stale lease is then taken over', () => {
  const { layout, cleanup } = fresh();
  try {
    const p = staleLease(layout, 2);
    writeFileSync(`${p}.takeover`, '{}');
    const held = acquireLease(layout, 2);
    assert.ok('heldBy' in held, 'backs off while another process takes over');
    rmSync(`${p}.takeover`);
    const got = acquireLease(layout, 2);
    assert.ok('lease' in got);
    assert.equal(got.lease.tookOver?.info?.token, 'old');
    got.lease.release();
  } finally { cleanup(); }
});

test('six processes racing for one stale lease: exactly one takes it', async () => {
  const { layout, cleanup } = fresh();
  try {
    staleLease(layout, 3);
    const mod = fileURLToPath(new URL('./lease.ts', import.meta.url));
    const script = `import { acquireLease } from ${JSON.stringify(mod)}; import { Layout } from ${JSON.stringify(fileURLToPath(new URL('../results/layout.ts', import.meta.url)))};
      const go = Number(process.argv[1]); while (Date.now() < go) {}
      const r = acquireLease(new Layout(${JSON.stringify(layout.root)}), 3);
      process.stdout.write('lease' in r ? 'won' : 'held');
      setTimeout(() => {}, 4000);`;
    const go = Date.now() + 3000;   // every child tries at the same moment, once started
    const outs = await Promise.all(Array.from({ length: 6 }, () => new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, String(go)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      c.on('error', reject);
      c.on('close', () => resolve(out));
    })));
    assert.equal(outs.filter((o) => o === 'won').length, 1, outs.join(','));
    assert.equal(outs.filter((o) => o === 'held').length, 5, outs.join(','));
    assert.ok(!existsSync(layout.abs(layout.lease(3))), 'the winner released it on exit');
  } finally { cleanup(); }
});
