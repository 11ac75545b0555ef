/**
 * The scripted negotiators in co-funding: every strategy's pledges are legal (M amounts ≥ 0 of
 * whole cents, within its own budget) on random, hostile observations and in whole games, never
 * needing repair; what it says matches what it does and its discussion names its top projects;
 * it is deterministic per seed, and the pledge it votes on is the one it made (recomputed, as the
 * observation does not record it); the own-utility arithmetic is exact; the diagnostics misbehave
 * as they should; and the gradient holds (n = 2, over seat-swapped pairs): with ample budgets
 * (σ = 1) the free rider (greedy) gains against the proportional contributor (nash) at every α,
 * and nash beats random.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, gameOf, makeSpec, type Rng } from '../../game/index.ts';
import { toCents, validateContributions } from '../../game/cofunding/contributions.ts';
import type { Agent, AgentReply, Observation, PublicFact } from '../agent.ts';
import { AgentError, runNegotiation, validateVotes } from '../../protocol/negotiation.ts';
import { scriptedFactory, scriptedNames } from '../index.ts';
import { ScriptedAgent, XSS_PAYLOADS } from './strategies.ts';
import { planFor } from './cofunding-strategies.ts';
import { fitBudget, ownUtility, toWire } from './cofunding-planner.ts';
import { headToHead } from './testing/gradient.ts';

const NAMES = scriptedNames().map((s) => s.slice('scripted:'.length));
/** the science strategies whose moves are a function of the observation alone */
const PLANNED = NAMES.filter((s) => s !== 'random');

/** Legal as the game's validator sees it, and within the budget in exact cents. */
function legalPledge(x: unknown, m: number, budget: number): string | null {
  const v = validateContributions(x, m, budget);
  if (!v.ok) return v.error;
  const total = (x as number[]).reduce((s, a) => s + toCents(a), 0);
  return total <= toCents(budget) ? null : `sum ${total} cents above ${budget}`;
}

/** Non-negative integers summing to 100, often with zeros or one dominant entry. */
function randomValues(rng: Rng, m: number): number[] {
  const raw = Array.from({ length: m }, () => (rng.next() < 0.3 ? 0 : rng.next() ** (1 + rng.int(4))));
  if (!raw.some((x) => x > 0)) raw[rng.int(m)] = 1;
  const total = raw.reduce((a, b) => a + b, 0);
  const v = raw.map((x) => Math.floor((100 * x) / total));
  v[raw.indexOf(Math.max(...raw))] += 100 - v.reduce((a, b) => a + b, 0);
  return v;
}

/** A random co-funding observation mid-game with a random, often hostile history of joint proposals. */
function randomObservation(rng: Rng, phase: 'proposal' | 'voting' | 'thinking' | 'reflection'): Observation {
  const n = 2 + rng.int(3),
    m = 1 + rng.int(12),
    seat = rng.int(n);
  const spec = makeSpec({ game: 'cofunding', n, m, maxRounds: 1 + rng.int(12), sigma: [0.1, 0.5, 1][rng.int(3)] });
  const round = 1 + rng.int(spec.maxRounds);
  const costs = Array.from({ length: m }, () => 1 + rng.int(rng.next() < 0.2 ? 400 : 80));
  // budgets: none, a few cents, whole units, or more than everything costs
  const budget = [0, 0.07, 1 + rng.int(60), 1 + rng.int(400), 37.29][rng.int(5)];
  const pub: PublicFact[] = [];
  const style = rng.int(4); // 0 random, 1 nothing, 2 everything funded, 3 just short
  for (let r = 1; r <= (phase === 'proposal' || phase === 'thinking' ? round - 1 : round); r++) {
    if (rng.next() < 0.15 && r < round) continue; // a void: no joint proposal that round
    const pledged = costs.map((c) => {
      const x = [rng.int(2 * c * 100) / 100, 0, c + rng.int(50), Math.max(0, c - 0.01)][style];
      return Math.round(x * 100) / 100;
    });
    pub.push({
      kind: 'proposal',
      round: r,
      proposal: 1,
      from: 'all',
      joint: { pledged, funded: pledged.map((p, j) => toCents(p) >= toCents(costs[j])) },
    });
  }
  const current = pub.find((f) => f.kind === 'proposal' && f.round === round);
  return {
    phase,
    round,
    turn: 0,
    self: `Agent_${seat + 1}`,
    seat,
    spec,
    values: randomValues(rng, m),
    budget,
    costs,
    public: pub,
    private: [],
    ...(phase === 'voting' && current && current.kind === 'proposal'
      ? { proposals: [{ proposal: 1, from: 'all', joint: current.joint }] }
      : {}),
  };
}

test('co-funding: every strategy pledges M legal amounts within its budget and votes once, over 4000 random observations', async () => {
  const rng = createRng(2718);
  const phases = ['proposal', 'voting', 'thinking', 'reflection'] as const;
  for (let i = 0; i < 4000; i++) {
    const name = NAMES[i % NAMES.length];
    const agent = new ScriptedAgent(name, { seat: 0, seed: i, runIndex: 0 });
    const obs = randomObservation(rng, phases[(i >> 3) % 4]);
    const r = await agent.act(obs);
    assert.ok(typeof r.text === 'string' && r.text.length > 0, `${name}: no text`);
    if (obs.phase === 'proposal') {
      const bad = legalPledge(r.value, obs.spec.m, obs.budget!);
      assert.equal(bad, null, `${name}: ${JSON.stringify(r.value)} (budget ${obs.budget}): ${bad}`);
      assert.deepEqual(JSON.parse(r.text).contributions, r.value);
    } else if (obs.phase === 'voting') {
      assert.ok(validateVotes(r.value, obs.proposals?.length ?? 0).ok, `${name}: votes ${JSON.stringify(r.value)}`);
      assert.deepEqual(JSON.parse(r.text).votes, r.value);
    } else assert.equal(r.value, undefined);
  }
});

test('legal vectors: fitBudget keeps whole cents within the budget, toWire trims any excess', () => {
  const rng = createRng(5);
  for (let i = 0; i < 2000; i++) {
    const m = 1 + rng.int(8);
    const budget = rng.int(5000);
    const plan = Array.from({ length: m }, () => (rng.next() < 0.3 ? 0 : rng.next() * 80 + 1e-9));
    const cents = fitBudget(
      plan,
      plan.map(() => rng.next()),
      budget,
    );
    assert.ok(cents.every((c, j) => Number.isInteger(c) && (c === 0 || c >= plan[j] * 100 - 1e-6)));
    assert.ok(cents.reduce((a, b) => a + b, 0) <= budget);
    const wire = toWire(
      cents.map((c) => c + rng.int(3000)),
      budget,
    );
    assert.equal(legalPledge(wire, m, budget / 100), null);
  }
});

test('own utility: Σ over funded projects of value minus own pledge, exact in cents', () => {
  assert.equal(ownUtility([40, 30, 30], [10.1, 0.2, 50], [true, false, true]), 9.9); // 40 − 10.1 + 30 − 50
  assert.equal(ownUtility([40, 30, 30], [10.1, 0.2, 50], [false, false, false]), 0);
  assert.equal(ownUtility([0.3, 0], [0.1, 0], [true, true]), 0.2); // not 0.19999999999999998
});

/** Checks each reply against the observation it answers, and that every vote is cast on the pledge made. */
function checked(agent: Agent, strategy: string, problems: string[]): Agent {
  const made = new Map<number, number[]>();
  return {
    model: agent.model,
    async act(obs: Observation): Promise<AgentReply> {
      const r = await agent.act(obs);
      const bad = (msg: string) =>
        problems.push(`${agent.model} as ${obs.self}, round ${obs.round} ${obs.phase}: ${msg}`);
      if (typeof r.text !== 'string' || r.text.length === 0) bad('no text');
      if (obs.phase === 'proposal') {
        const err = legalPledge(r.value, obs.spec.m, obs.budget!);
        if (err) bad(`illegal pledge ${JSON.stringify(r.value)}: ${err}`);
        if (JSON.stringify(JSON.parse(r.text).contributions) !== JSON.stringify(r.value)) bad(`text ${r.text} differs`);
        made.set(obs.round, r.value as number[]);
      } else if (obs.phase === 'voting') {
        if (!validateVotes(r.value, obs.proposals!.length).ok) bad(`illegal votes ${JSON.stringify(r.value)}`);
        if (PLANNED.includes(strategy)) {
          const again = planFor(strategy, obs).cents.map((c) => c / 100);
          if (JSON.stringify(again) !== JSON.stringify(made.get(obs.round))) {
            bad(`votes on ${JSON.stringify(again)} but pledged ${JSON.stringify(made.get(obs.round))}`);
          }
        }
      } else if (r.value !== undefined) bad('a structured value outside proposal/voting');
      if (obs.phase === 'discussion') {
        const top = obs.spec.items[obs.values.indexOf(Math.max(...obs.values))];
        if (!r.text.includes(top)) bad(`"${r.text}" does not name its top project ${top}`);
      }
      return r;
    },
  };
}

test('co-funding: every strategy plays whole games legally (n = 2..4, M = 1..12, α and σ levels), never needing repair', async () => {
  const problems: string[] = [];
  let games = 0,
    deals = 0;
  for (let seed = 0; seed < 30; seed++) {
    const rng = createRng(seed * 104729 + 3);
    const n = 2 + (seed % 3);
    const m = [1, 2, 3, 5, 8, 12][seed % 6];
    // M >= n + 1 keeps every α feasible (as in item allocation); fewer projects play at α = 1
    const alpha = m < n + 1 ? 1 : [0, 0.3, 0.5, 0.8, 1][(seed >> 1) % 5];
    const sigma = [0.2, 0.5, 1][seed % 3];
    const spec = makeSpec({ game: 'cofunding', n, m, sigma, maxRounds: 2 + (seed % 9) });
    const draw = gameOf(spec).draw(spec, alpha, rng.fork('prefs'));
    for (let j = 0; j < NAMES.length; j++) {
      const names = Array.from({ length: n }, (_, s) => NAMES[(j + s * (1 + (seed % 3))) % NAMES.length]);
      const agents = names.map((name, s) =>
        checked(scriptedFactory(`scripted:${name}`, { seat: s, seed: seed * 100 + s, runIndex: 0 }), name, problems),
      );
      const out = await runNegotiation({ spec, agents, draw, rng: rng.fork('tie'), runIndex: 0 });
      games++;
      if (out.consensus) deals++;
      assert.deepEqual(out.repairs, new Array(n).fill(0), `${names} seed ${seed}: repairs`);
      assert.deepEqual(out.voided, new Array(n).fill(0), `${names} seed ${seed}: voids`);
    }
  }
  assert.ok(games >= 200);
  assert.ok(deals > games / 4, `only ${deals} of ${games} games reached a deal`);
  assert.deepEqual(problems.slice(0, 10), []);
});

test('co-funding: scripted agents are deterministic per seed (random included) and random varies with it', async () => {
  const obsList = Array.from({ length: 16 }, (_, i) =>
    randomObservation(createRng(300 + i), (['proposal', 'voting'] as const)[i % 2]),
  );
  for (const name of NAMES) {
    const a = new ScriptedAgent(name, { seat: 0, seed: 77, runIndex: 0 });
    const b = new ScriptedAgent(name, { seat: 0, seed: 77, runIndex: 0 });
    for (const obs of obsList) assert.deepEqual(await a.act(obs), await b.act(obs), name);
  }
  const budgeted = obsList.find((o) => o.phase === 'proposal' && o.budget! >= 1)!;
  const seqs = new Set<string>();
  for (let seed = 0; seed < 8; seed++) {
    seqs.add(JSON.stringify((await new ScriptedAgent('random', { seat: 0, seed, runIndex: 0 }).act(budgeted)).value));
  }
  assert.ok(seqs.size > 1);
});

test('co-funding diagnostics: invalid pledges over its budget and is voided, crash fails, slow and xss play linear', async () => {
  const spec = makeSpec({ game: 'cofunding', n: 2, m: 4, maxRounds: 2, discussionTurns: 0, privateThinking: false });
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
  assert.ok(inv.voided[0] >= 2, `voided ${inv.voided}`); // its pledge each round (no joint proposal to vote on)
  assert.equal(inv.voided[1], 0);
  assert.equal(inv.consensus, false);
  const over = await new ScriptedAgent('invalid', { seat: 0, seed: 1, runIndex: 0 }).act({
    ...randomObservation(createRng(1), 'proposal'),
    budget: 40,
  });
  assert.match(legalPledge(over.value, (over.value as number[]).length, 40) ?? '', /above your budget/);
  await assert.rejects(play('crash', 'linear'), AgentError);
  const pledges = (o: Awaited<ReturnType<typeof play>>) =>
    o.events.filter((e) => e.type === 'proposal').map((e) => JSON.stringify(e));
  const lin = await play('linear', 'boulware');
  assert.deepEqual(pledges(await play('slow', 'boulware')), pledges(lin));
  const xss = await play('xss', 'boulware');
  assert.deepEqual(pledges(xss), pledges(lin));
  const said = xss.events
    .filter((e) => e.type === 'turn' && e.agent === 'Agent_1')
    .map((e) => (e as { text: string }).text);
  assert.ok(said.every((t) => XSS_PAYLOADS.some((p) => t.includes(p))));
});

test('co-funding gradient: with ample budgets (σ = 1) the free rider beats the proportional contributor at α = 0 … 1, and nash beats random', async () => {
  const spec = makeSpec({ game: 'cofunding', n: 2, m: 5, maxRounds: 10, gamma: 0.9, sigma: 1 });
  const table: string[] = [];
  for (const level of [0, 0.25, 0.5, 0.75, 1]) {
    const gn = await headToHead(spec, 'greedy', 'nash', level, 150);
    const rn = await headToHead(spec, 'random', 'nash', level, 150);
    table.push(
      `α ${level}: greedy ${gn.meanA.toFixed(2)} nash ${gn.meanB.toFixed(2)} | random ${rn.meanA.toFixed(2)} nash ${rn.meanB.toFixed(2)}`,
    );
    assert.ok(gn.meanA > gn.meanB, `α ${level}: greedy ${gn.meanA} <= nash ${gn.meanB}`);
    assert.ok(rn.meanB > rn.meanA, `α ${level}: nash ${rn.meanB} <= random ${rn.meanA}`);
  }
  // shown with --test-reporter=spec; the full table (σ = 0.5 and 1) is bench/gradient.ts --game cofunding
  console.log(table.join('\n'));
});
