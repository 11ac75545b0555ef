/**
 * The scripted negotiators in the diplomatic treaty: every strategy's proposals are legal
 * agreement vectors (K whole percentages 0..100) on random games and on random, hostile
 * histories; what it says matches what it does; it is deterministic per seed; the planner's
 * frontier offer meets its target and leaves the other as much as any agreement that does,
 * and its Nash agreement matches the game's exact one; the diagnostics misbehave as they
 * should; and the strength gradient holds (n = 2, over seat-swapped pairs): greedy beats
 * conceder, boulware beats conceder, nash beats random.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, gameOf, makeSpec, type Rng } from '../../game/index.ts';
import { treatyNash } from '../../game/treaty/nash.ts';
import { treatyUtilities } from '../../game/treaty/utility.ts';
import type { Agent, AgentReply, Observation, PublicFact } from '../agent.ts';
import { AgentError, runNegotiation, validateVotes } from '../../protocol/negotiation.ts';
import { scriptedFactory, scriptedNames } from '../index.ts';
import { ScriptedAgent, XSS_PAYLOADS } from './strategies.ts';
import { frontierOffer, nashAgreement, stanceUtility, type Stance } from './treaty-planner.ts';
import { headToHead } from './testing/gradient.ts';

const NAMES = scriptedNames().map((s) => s.slice('scripted:'.length));

function legal(x: unknown, k: number): boolean {
  return Array.isArray(x) && x.length === k && x.every((v) => Number.isInteger(v) && v >= 0 && v <= 100);
}

/** Non-negative integer weights summing to 100, often with zeros or one dominant issue. */
function randomWeights(rng: Rng, k: number): number[] {
  const raw: number[] = Array.from({ length: k }, () => (rng.next() < 0.25 ? 0 : rng.next() ** (1 + rng.int(4))));
  if (!raw.some((x) => x > 0)) raw[rng.int(k)] = 1;
  const total = raw.reduce((a, b) => a + b, 0);
  const w = raw.map((x) => Math.floor((100 * x) / total));
  w[raw.indexOf(Math.max(...raw))] += 100 - w.reduce((a, b) => a + b, 0);
  return w;
}

const randomVector = (rng: Rng, k: number) => Array.from({ length: k }, () => [0, 100, rng.int(101)][rng.int(3)]);

/** Own utility of the others' proposals so far, rounded (what the notes must report). */
function bestOffered(obs: Observation): number {
  let best = 0;
  for (const f of obs.public) {
    if (f.kind !== 'proposal' || f.from === obs.self) continue;
    best = Math.max(best, treatyUtilities([obs.positions!], [obs.values], f.agreement!)[0]);
  }
  return Math.round(best);
}

/** Checks each reply against the observation it answers, as the protocol sees it. */
function checked(agent: Agent, problems: string[]): Agent {
  return {
    model: agent.model,
    async act(obs: Observation): Promise<AgentReply> {
      const r = await agent.act(obs);
      const bad = (msg: string) =>
        problems.push(`${agent.model} as ${obs.self}, round ${obs.round} ${obs.phase}: ${msg}`);
      if (typeof r.text !== 'string' || r.text.length === 0) bad('no text');
      if (obs.phase === 'proposal') {
        if (!legal(r.value, obs.spec.m)) bad(`illegal agreement ${JSON.stringify(r.value)}`);
        if (JSON.stringify(JSON.parse(r.text).agreement) !== JSON.stringify(r.value)) bad(`text ${r.text} differs`);
      } else if (obs.phase === 'voting') {
        if (!validateVotes(r.value, obs.proposals!.length).ok) bad(`illegal votes ${JSON.stringify(r.value)}`);
        if (JSON.stringify(JSON.parse(r.text).votes) !== JSON.stringify(r.value)) bad(`text ${r.text} differs`);
      } else if (r.value !== undefined) bad('a structured value outside proposal/voting');
      if (obs.phase === 'discussion' && obs.spec.items.every((name) => !r.text.includes(name))) {
        bad(`"${r.text}" names no issue`);
      }
      const m = /best (?:offered so far|anyone offered me was) (\d+)/.exec(r.text);
      if ((obs.phase === 'thinking' || obs.phase === 'reflection') && (!m || Number(m[1]) !== bestOffered(obs))) {
        bad(`note "${r.text}" misreports the best offer (${bestOffered(obs)})`);
      }
      return r;
    },
  };
}

test('treaty: every strategy plays legally on random games (n = 2..4, K = 1..12, θ and ρ levels), never needing repair', async () => {
  const problems: string[] = [];
  let games = 0;
  for (let seed = 0; seed < 36; seed++) {
    const rng = createRng(seed * 7919 + 1);
    const n = 2 + (seed % 3);
    // K >= n + 1 keeps every θ feasible (as in item allocation); fewer issues play at θ = 1
    const k = [1, 2, 3, 5, 8, 12][seed % 6];
    const level = k < n + 1 ? 1 : [0, 0.3, 0.5, 0.8, 0.95, 1][(seed >> 1) % 6];
    const rho = [0, 0.5, 1, -0.3][seed % 4];
    const spec = makeSpec({ game: 'treaty', n, m: k, rho, maxRounds: 2 + (seed % 9) });
    const draw = gameOf(spec).draw(spec, level, rng.fork('prefs'));
    for (let j = 0; j < NAMES.length; j++) {
      const models = Array.from(
        { length: n },
        (_, s) => `scripted:${NAMES[(j + s * (1 + (seed % 3))) % NAMES.length]}`,
      );
      const agents = models.map((model, s) =>
        checked(scriptedFactory(model, { seat: s, seed: seed * 100 + s, runIndex: 0 }), problems),
      );
      const out = await runNegotiation({ spec, agents, draw, rng: rng.fork('tie'), runIndex: 0 });
      games++;
      assert.deepEqual(out.repairs, new Array(n).fill(0), `${models} seed ${seed}: repairs`);
      assert.deepEqual(out.voided, new Array(n).fill(0), `${models} seed ${seed}: voids`);
    }
  }
  assert.ok(games > 200);
  assert.deepEqual(problems.slice(0, 10), []);
});

/** A random treaty observation mid-game, with a random (often hostile) history of others' proposals. */
function randomObservation(rng: Rng, phase: 'proposal' | 'voting'): Observation {
  const n = 2 + rng.int(3),
    k = 1 + rng.int(12),
    seat = rng.int(n);
  const spec = makeSpec({ game: 'treaty', n, m: k, maxRounds: 1 + rng.int(10) });
  const round = 1 + rng.int(spec.maxRounds);
  const pub: PublicFact[] = [];
  const style = Array.from({ length: n }, () => rng.int(3)); // 0 random, 1 fixed, 2 drifting
  const open = Array.from({ length: n }, () => randomVector(rng, k));
  for (let r = 1; r <= (phase === 'voting' ? round : round - 1); r++) {
    let p = 0;
    for (let s = 0; s < n; s++) {
      if (rng.next() < 0.15) continue; // a void
      const agreement =
        style[s] === 0
          ? randomVector(rng, k)
          : style[s] === 1
            ? open[s]
            : open[s].map((x) => Math.max(0, Math.min(100, x + (r - 1) * (rng.int(21) - 10))));
      pub.push({ kind: 'proposal', round: r, proposal: ++p, from: `Agent_${s + 1}`, agreement });
    }
  }
  return {
    phase,
    round,
    turn: 0,
    self: `Agent_${seat + 1}`,
    seat,
    spec,
    values: randomWeights(rng, k),
    positions: randomVector(rng, k),
    public: pub,
    private: [],
    ...(phase === 'voting'
      ? {
          proposals: pub
            .filter((f) => f.kind === 'proposal' && f.round === round)
            .map((f) => f as { proposal: number; from: string; agreement: number[] }),
        }
      : {}),
  };
}

test('treaty: every strategy proposes K whole percentages 0..100 and votes once per proposal, over 3000 random histories', async () => {
  const rng = createRng(4242);
  for (let i = 0; i < 3000; i++) {
    const name = NAMES[i % NAMES.length];
    const agent = new ScriptedAgent(name, { seat: 0, seed: i, runIndex: 0 });
    const obs = randomObservation(rng, i % 3 === 0 ? 'voting' : 'proposal');
    const r = await agent.act(obs);
    if (obs.phase === 'proposal')
      assert.ok(legal(r.value, obs.spec.m), `${name}: ${JSON.stringify(r.value)} (K = ${obs.spec.m})`);
    else assert.ok(validateVotes(r.value, obs.proposals!.length).ok, `${name}: votes ${JSON.stringify(r.value)}`);
  }
});

test('treaty: scripted agents are deterministic per seed (random included) and random varies with it', async () => {
  const obsList = Array.from({ length: 12 }, (_, i) =>
    randomObservation(createRng(900 + i), i % 2 ? 'voting' : 'proposal'),
  );
  for (const name of NAMES) {
    const a = new ScriptedAgent(name, { seat: 0, seed: 77, runIndex: 0 });
    const b = new ScriptedAgent(name, { seat: 0, seed: 77, runIndex: 0 });
    for (const obs of obsList) assert.deepEqual(await a.act(obs), await b.act(obs), name);
  }
  const seqs = new Set<string>();
  for (let seed = 0; seed < 8; seed++) {
    const r = new ScriptedAgent('random', { seat: 0, seed, runIndex: 0 });
    seqs.add(JSON.stringify((await r.act(obsList[0])).value));
  }
  assert.ok(seqs.size > 1);
});

test('frontier offer: meets the own target and leaves the other at least as much as any agreement that does', () => {
  const rng = createRng(31);
  for (let i = 0; i < 200; i++) {
    const k = 1 + rng.int(8);
    const me: Stance = { positions: randomVector(rng, k), weights: randomWeights(rng, k) };
    const other: Stance = { positions: randomVector(rng, k), weights: randomWeights(rng, k) };
    const target = rng.int(101);
    const a = frontierOffer(me, [other], target);
    assert.ok(legal(a, k));
    assert.ok(stanceUtility(me, a) >= target - 1e-9, `own ${stanceUtility(me, a)} < ${target}`);
    const theirs = stanceUtility(other, a);
    // no sampled agreement meeting the target leaves the other more (up to one percentage point of one issue)
    for (let t = 0; t < 300; t++) {
      const b = Array.from({ length: k }, (_, j) => {
        const lo = Math.min(me.positions[j], other.positions[j]),
          hi = Math.max(me.positions[j], other.positions[j]);
        return lo + rng.int(hi - lo + 1);
      });
      if (stanceUtility(me, b) >= target) assert.ok(stanceUtility(other, b) <= theirs + 1, `${b} beats ${a}`);
    }
  }
});

test("estimated Nash agreement: with the true stances its product is the game's exact Nash maximum", () => {
  const rng = createRng(57);
  for (let i = 0; i < 60; i++) {
    const n = 2 + (i % 2),
      k = 1 + rng.int(5);
    const st: Stance[] = Array.from({ length: n }, () => ({
      positions: randomVector(rng, k),
      weights: randomWeights(rng, k),
    }));
    const exact = treatyNash(
      st.map((s) => [...s.positions]),
      st.map((s) => [...s.weights]),
    );
    if (exact.utilities === null) continue;
    const prod = (a: number[]) => st.reduce((p, s) => p * stanceUtility(s, a), 1);
    const ours = nashAgreement(st);
    assert.ok(legal(ours, k));
    assert.ok(prod(ours) >= prod(exact.agreement) * (1 - 1e-9), `${ours} vs exact ${exact.agreement}`);
  }
});

test('treaty diagnostics: invalid is voided, crash fails, slow and xss play linear', async () => {
  const spec = makeSpec({ game: 'treaty', n: 2, m: 4, maxRounds: 2, discussionTurns: 0, privateThinking: false });
  const draw = gameOf(spec).draw(spec, 0.5, createRng(3));
  const play = (a: string, b: string) =>
    runNegotiation({
      spec,
      agents: [a, b].map((m, s) => scriptedFactory(`scripted:${m}`, { seat: s, seed: 11 + s, runIndex: 0 })),
      draw,
      rng: createRng(5),
      runIndex: 0,
    });
  const inv = await play('invalid', 'linear');
  assert.equal(inv.voided[0], 4); // a void proposal and a void vote in each of the two rounds
  assert.equal(inv.voided[1], 0);
  await assert.rejects(play('crash', 'linear'), AgentError);
  const proposals = (o: Awaited<ReturnType<typeof play>>) =>
    o.events.filter((e) => e.type === 'proposal').map((e) => JSON.stringify(e));
  const lin = await play('linear', 'boulware');
  assert.deepEqual(proposals(await play('slow', 'boulware')), proposals(lin));
  const xss = await play('xss', 'boulware');
  assert.deepEqual(proposals(xss), proposals(lin));
  const said = xss.events
    .filter((e) => e.type === 'turn' && e.agent === 'Agent_1')
    .map((e) => (e as { text: string }).text);
  assert.ok(said.every((t) => XSS_PAYLOADS.some((p) => t.includes(p))));
});

test('treaty strength gradient: at θ = 0.2, 0.5, 0.8, 1.0 over 150 seeds, greedy and boulware beat conceder, nash beats random', async () => {
  const spec = makeSpec({ game: 'treaty', n: 2, m: 5, maxRounds: 10, gamma: 0.9, rho: 0 });
  const table: string[] = [];
  for (const level of [0.2, 0.5, 0.8, 1]) {
    const gc = await headToHead(spec, 'conceder', 'greedy', level, 150);
    const bc = await headToHead(spec, 'conceder', 'boulware', level, 150);
    const rn = await headToHead(spec, 'random', 'nash', level, 150);
    table.push(
      `θ ${level}: conceder ${gc.meanA.toFixed(2)} greedy ${gc.meanB.toFixed(2)} | conceder ${bc.meanA.toFixed(2)} boulware ${bc.meanB.toFixed(2)} | random ${rn.meanA.toFixed(2)} nash ${rn.meanB.toFixed(2)}`,
    );
    assert.ok(gc.meanB > gc.meanA, `θ ${level}: greedy ${gc.meanB} <= conceder ${gc.meanA}`);
    assert.ok(bc.meanB > bc.meanA, `θ ${level}: boulware ${bc.meanB} <= conceder ${bc.meanA}`);
    assert.ok(rn.meanB > rn.meanA, `θ ${level}: nash ${rn.meanB} <= random ${rn.meanA}`);
  }
  // shown with --test-reporter=spec; the full table is bench/gradient.ts --game treaty
  console.log(table.join('\n'));
});
