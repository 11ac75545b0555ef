/**
 * The scripted negotiators: every strategy answers every phase legally on random games
 * (no repairs, no voids), what it says matches what it does (the structured answer is
 * the one in its text, its notes report true numbers), it is deterministic per seed, and
 * the strength gradient holds where interests collide (levels 0.5..1.0, 200 seeds each
 * a seat-swapped pair): boulware beats conceder head to head, and nash beats random.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, generatePreferences, makeSpec, validateAllocation } from '../../game/index.ts';
import type { Agent, AgentReply, Observation } from '../agent.ts';
import { runNegotiation, validateVotes } from '../../protocol/negotiation.ts';
import { scriptedFactory, scriptedNames } from '../index.ts';
import { ScriptedAgent, STRATEGIES } from './strategies.ts';
import { headToHead } from './testing/gradient.ts';

const NAMES = scriptedNames(); // the science strategies, without the diagnostic ones

test('the seven required strategies exist', () => {
  for (const s of ['random', 'conceder', 'linear', 'boulware', 'tit-for-tat', 'greedy', 'nash']) {
    assert.ok(NAMES.includes(`scripted:${s}`), s);
  }
  assert.ok(STRATEGIES.filter((s) => s.diagnostic).every((s) => !NAMES.includes(`scripted:${s.name}`)));
});

/** Own utility of the proposals made by others so far (what "best offered" must report). */
function bestOffered(obs: Observation): number {
  let best = 0;
  for (const f of obs.public) {
    if (f.kind !== 'proposal' || f.from === obs.self) continue;
    best = Math.max(
      best,
      (f.allocation![obs.self] ?? []).reduce((t, j) => t + obs.values[j], 0),
    );
  }
  return best;
}

/** Checks each reply against the observation it answers, as the protocol sees it. */
function checked(agent: Agent, log: { phase: string; problems: string[] }): Agent {
  return {
    model: agent.model,
    async act(obs: Observation): Promise<AgentReply> {
      const r = await agent.act(obs);
      const where = `${agent.model} as ${obs.self}, round ${obs.round} ${obs.phase}`;
      const bad = (msg: string) => log.problems.push(`${where}: ${msg}`);
      if (typeof r.text !== 'string' || r.text.length === 0) bad('no text');
      if (r.parseError !== undefined) bad(`parse error ${r.parseError}`);
      if (obs.phase === 'proposal') {
        const v = validateAllocation(r.value, obs.spec.n, obs.spec.m);
        if (!v.ok) bad(`illegal proposal: ${v.error}`);
        // the structured answer is exactly the allocation its text states
        try {
          assert.deepEqual(JSON.parse(r.text).allocation, r.value);
        } catch {
          bad(`text ${r.text} does not state ${JSON.stringify(r.value)}`);
        }
      } else if (obs.phase === 'voting') {
        const v = validateVotes(r.value, obs.proposals!.length);
        if (!v.ok) bad(`illegal votes: ${v.error}`);
        try {
          assert.deepEqual(JSON.parse(r.text).votes, r.value);
        } catch {
          bad(`text ${r.text} does not state ${JSON.stringify(r.value)}`);
        }
      } else if (r.value !== undefined) {
        bad('a structured value outside proposal/voting');
      }
      // notes that quote a number quote the true one
      const m = /best (?:offered so far|anyone offered me was) (\d+)/.exec(r.text);
      if ((obs.phase === 'thinking' || obs.phase === 'reflection') && (!m || Number(m[1]) !== bestOffered(obs))) {
        bad(`note "${r.text}" misreports the best offer (${bestOffered(obs)})`);
      }
      return r;
    },
  };
}

test('every strategy makes legal proposals and votes on random games (n = 2..4, several m and levels), never needing repair', async () => {
  const log = { phase: '', problems: [] as string[] };
  let games = 0;
  for (let seed = 0; seed < 36; seed++) {
    const rng = createRng(seed * 7919);
    const n = 2 + (seed % 3);
    // m >= n + 1 keeps every level feasible (few vectors in few dimensions cannot all be far apart);
    // m = 7, 8 with n >= 3 exceed the planners' enumeration limit and exercise their sampled candidates
    const m = Math.max(n + 1, [2, 3, 5, 7, 8][seed % 5]);
    const level = [0, 0.3, 0.5, 0.8, 0.95, 1][seed % 6];
    const { values, cosine } = generatePreferences(n, m, level, rng.fork('prefs'));
    // every strategy in every seat, against a mix of the others
    for (let k = 0; k < NAMES.length; k++) {
      const models = Array.from({ length: n }, (_, s) => NAMES[(k + s * (1 + (seed % 3))) % NAMES.length]);
      const agents = models.map((model, s) =>
        checked(scriptedFactory(model, { seat: s, seed: seed * 100 + s, runIndex: 0 }), log),
      );
      const out = await runNegotiation({
        spec: makeSpec({ n, m, maxRounds: 2 + (seed % 9) }),
        agents,
        values,
        cosine: cosine[0][1],
        rng: rng.fork('tie'),
        runIndex: 0,
      });
      games++;
      assert.deepEqual(out.repairs, new Array(n).fill(0), `${models} seed ${seed}: repairs`);
      assert.deepEqual(out.voided, new Array(n).fill(0), `${models} seed ${seed}: voids`);
      // every proposal the protocol recorded is one the agent answered, unchanged (nothing substituted)
      const turns = out.events.filter((e) => e.type === 'turn' && e.phase === 'proposal');
      const proposals = out.events.filter((e) => e.type === 'proposal');
      assert.equal(proposals.length, turns.length);
      for (const p of proposals) {
        const t = turns.find(
          (e) => e.round === p.round && e.type === 'turn' && p.type === 'proposal' && e.agent === p.agent,
        );
        assert.ok(t?.type === 'turn' && p.type === 'proposal');
        assert.deepEqual(validateAllocation(p.allocation, n, m), validateAllocation(t.value, n, m));
      }
    }
  }
  assert.ok(games > 200);
  assert.deepEqual(log.problems.slice(0, 10), []);
});

test('scripted agents are deterministic per seed (random included) and vary with it', async () => {
  const obsFor = (seat: number): Observation => ({
    phase: 'voting',
    round: 3,
    turn: 0,
    self: `Agent_${seat + 1}`,
    seat,
    spec: makeSpec({ n: 2, m: 5 }),
    values: [10, 20, 30, 40, 0],
    public: [],
    private: [],
    proposals: Array.from({ length: 2 }, (_, k) => ({
      proposal: k + 1,
      from: `Agent_${2 - seat}`,
      allocation: { Agent_1: [k], Agent_2: [] },
    })),
  });
  for (const name of NAMES) {
    const a = new ScriptedAgent(name.slice(9), { seat: 0, seed: 77, runIndex: 0 });
    const b = new ScriptedAgent(name.slice(9), { seat: 0, seed: 77, runIndex: 0 });
    for (let i = 0; i < 5; i++) assert.deepEqual(await a.act(obsFor(0)), await b.act(obsFor(0)), name);
  }
  // random's votes depend on its seed
  const seqs = new Set<string>();
  for (let seed = 0; seed < 8; seed++) {
    const r = new ScriptedAgent('random', { seat: 0, seed, runIndex: 0 });
    let s = '';
    for (let i = 0; i < 4; i++) s += JSON.stringify((await r.act(obsFor(0))).value);
    seqs.add(s);
  }
  assert.ok(seqs.size > 1);
});

test('strength gradient: at every level 0.5..1.0 over 200 seeds, boulware beats conceder and nash beats random', async () => {
  const spec = makeSpec({ n: 2, m: 5, maxRounds: 10, gamma: 0.9 });
  const table: string[] = [];
  for (let i = 5; i <= 10; i++) {
    const level = i / 10;
    const bc = await headToHead(spec, 'conceder', 'boulware', level, 200);
    const rn = await headToHead(spec, 'random', 'nash', level, 200);
    table.push(
      `level ${level}: conceder ${bc.meanA.toFixed(2)} boulware ${bc.meanB.toFixed(2)} | random ${rn.meanA.toFixed(2)} nash ${rn.meanB.toFixed(2)}`,
    );
    assert.ok(bc.meanB > bc.meanA, `level ${level}: boulware ${bc.meanB} <= conceder ${bc.meanA}`);
    assert.ok(rn.meanB > rn.meanA, `level ${level}: nash ${rn.meanB} <= random ${rn.meanA}`);
  }
  // shown with --test-reporter=spec; the full table is bench/gradient.ts
  console.log(table.join('\n'));
});
