/**
 * Leases in one process and across racing processes: a held lease is not taken twice, a
 * stale one is taken over by exactly one of several processes trying at once, a takeover
 * in progress (its O_EXCL file) makes others back off, release never removes another's lease.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLease, HOST, isStale, readLease, STALE_MS } from './lease.ts';
import { Layout } from '../results/layout.ts';

/** Polls `cond` every 20 ms until it holds or the failsafe passes; returns whether it held. */
async function waitFor(cond: () => boolean, failsafeMs: number): Promise<boolean> {
  const end = Date.now() + failsafeMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

function fresh(): { layout: Layout; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-lease-unit-'));
  mkdirSync(join(dir, 'logs'));
  return { layout: new Layout(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function staleLease(layout: Layout, id: number): string {
  const p = layout.abs(layout.lease(id));
  writeFileSync(
    p,
    JSON.stringify({
      experiment_id: id,
      host: 'elsewhere.example',
      pid: 7,
      started_at: '2020-01-01T00:00:00Z',
      refresh_every_s: 30,
      token: 'old',
    }),
  );
  const t = new Date(Date.now() - STALE_MS - 60_000);
  utimesSync(p, t, t);
  return p;
}

test("a held lease is not taken twice; released, it can be taken again; release leaves another owner's lease", () => {
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
  } finally {
    cleanup();
  }
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
  } finally {
    cleanup();
  }
});

test('six processes racing for one stale lease: exactly one takes it', async () => {
  const { layout, cleanup } = fresh();
  let kids: { c: ChildProcessByStdio<Writable, Readable, null>; k: { out: string; closed: Promise<void> } }[] = [];
  try {
    staleLease(layout, 3);
    const mod = fileURLToPath(new URL('./lease.ts', import.meta.url));
    // A barrier on pipes (children start seconds apart on a loaded machine): each child says
    // "ready" once loaded, all try at the moment the parent then names, and each holds what
    // it got until its stdin closes, after every child has answered.
    const script = `import { acquireLease } from ${JSON.stringify(mod)}; import { Layout } from ${JSON.stringify(fileURLToPath(new URL('../results/layout.ts', import.meta.url)))};
      process.stdin.once('data', (d) => {
        const go = Number(String(d)); while (Date.now() < go) {}
        const r = acquireLease(new Layout(${JSON.stringify(layout.root)}), 3);
        process.stdout.write('lease' in r ? 'won\\n' : 'held\\n');
      });
      process.stdout.write('ready\\n');`;
    kids = Array.from({ length: 6 }, () => {
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const k = {
        out: '',
        closed: new Promise<void>((resolve, reject) => {
          c.on('error', reject);
          c.on('close', () => resolve());
        }),
      };
      c.stdout.setEncoding('utf8').on('data', (d: string) => {
        k.out += d;
      });
      return { c, k };
    });
    const lines = (o: string) => o.split('\n').filter(Boolean);
    const all = (n: number) => waitFor(() => kids.every(({ k }) => lines(k.out).length >= n), 120_000);
    assert.ok(await all(1), 'every child started');
    const go = Date.now() + 100; // all loaded: they try at the same moment (a late one only tries late)
    for (const { c } of kids) c.stdin.write(`${go}\n`);
    assert.ok(await all(2), 'every child tried');
    for (const { c } of kids) c.stdin.end();
    await Promise.all(kids.map(({ k }) => k.closed));
    const outs = kids.map(({ k }) => lines(k.out).slice(1).join(''));
    assert.equal(outs.filter((o) => o === 'won').length, 1, outs.join(','));
    assert.equal(outs.filter((o) => o === 'held').length, 5, outs.join(','));
    assert.ok(!existsSync(layout.abs(layout.lease(3))), 'the winner released it on exit');
  } finally {
    for (const { c } of kids) if (c.exitCode === null && c.signalCode === null) c.kill();
    cleanup();
  }
});
