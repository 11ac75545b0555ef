/**
 * The game conformance suite: every registered game, played by agents that make random
 * legal proposals and random votes through the one protocol, must
 * - produce legal play (every proposal the random player makes is accepted by the game),
 * - be deterministic per seed (two series with one seed are byte-identical, even after
 *   the global Math.random is disturbed between them),
 * - replay: the transcript's events alone reproduce the outcome (the votes re-tallied give
 *   the recorded tally, the winning proposal's terms are the agreement, and the agreement
 *   scored against the recorded preferences gives the recorded utilities),
 * - keep utilities within bounds (raw in [0, 100], discounted = raw · γ^(r−1)).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  agreementWireOf,
  createRng,
  deriveSeed,
  discount,
  GAME_NAMES,
  GAMES,
  makeSpec,
  privateView,
  tabulate,
  type Draw,
  type GameName,
  type GameSpec,
} from '../game/index.ts';
import type { Agent, AgentContext, AgentReply, Observation } from '../agents/agent.ts';
import type { TranscriptEvent } from './events.ts';
import { runSeries, type RunDocument } from './series.ts';

/** Random legal proposals (the game's own sampler) and fair-coin votes, from the agent's seed only. */
class RandomPlayer implements Agent {
  readonly model = 'test:random-legal';
  private readonly rng;
  constructor(ctx: AgentContext) {
    this.rng = createRng(ctx.seed);
  }
  async act(obs: Observation): Promise<AgentReply> {
    const game = GAMES[obs.spec.game];
    if (obs.phase === 'proposal') {
      const own = { values: obs.values, positions: obs.positions, budget: obs.budget, costs: obs.costs };
      const value = game.randomWire(obs.spec, this.rng, own);
      return { text: JSON.stringify({ [game.termsKey]: value }), value };
    }
    if (obs.phase === 'voting') {
      // accept more often than not so that deals happen and the replay has outcomes to check
      const value = obs.proposals!.map(() => this.rng.next() < 0.7);
      return { text: JSON.stringify({ votes: value }), value };
    }
    return { text: `${obs.self}: a ${obs.phase} line` };
  }
}

/** The draw as the run_start event records it (what a replay has to go on). */
function drawOf(start: Extract<TranscriptEvent, { type: 'run_start' }>): Draw {
  return {
    values: start.preferences,
    cosine: [],
    ...(start.positions ? { positions: start.positions } : {}),
    ...(start.budgets ? { budgets: start.budgets } : {}),
    ...(start.costs ? { costs: start.costs } : {}),
  };
}

const specs = (game: GameName): GameSpec[] => [
  makeSpec({ game, n: 2, m: 4, maxRounds: 4, gamma: 0.9 }),
  makeSpec({ game, n: 3, m: 5, maxRounds: 3, gamma: 0.8 }),
];

async function series(spec: GameSpec, seed: number, level: number) {
  const out: { doc: RunDocument; events: TranscriptEvent[] }[] = [];
  const n = spec.n;
  await runSeries({
    spec,
    level,
    seed,
    numRuns: n === 2 ? 4 : n,
    players: Array.from({ length: n }, (_, s) => ({ model: `test:random-legal`, role: s === 0 ? 'weak' : 'strong' })),
    factory: (_model, ctx) => new RandomPlayer(ctx),
    onRun: (doc, events) => {
      out.push({ doc, events });
    },
  });
  return out;
}

for (const name of GAME_NAMES) {
  const game = GAMES[name];

  test(`${name}: random legal proposals are legal, and utilities stay within bounds`, async () => {
    let deals = 0,
      proposals = 0;
    for (const spec of specs(name)) {
      for (let seed = 1; seed <= 15; seed++) {
        const rng = createRng(deriveSeed(seed, 'conformance'));
        const draw = game.draw(spec, 0.5, rng);
        for (let k = 0; k < 20; k++) {
          const own = privateView(draw, k % spec.n);
          const wire = game.randomWire(spec, rng, own);
          assert.equal(game.validate(wire, spec, own).ok, true, `${JSON.stringify(wire)} is refused`);
        }
        for (const { doc, events } of await series(spec, seed, (seed % 11) / 10)) {
          for (const e of events) {
            if (e.type === 'turn' && e.phase === 'proposal') {
              proposals++;
              assert.equal(e.valid, true, `a random legal proposal was refused: ${e.error}`);
            }
          }
          if (doc.consensus) deals++;
          const start = events.find((e) => e.type === 'run_start')!;
          const draw = start.type === 'run_start' ? drawOf(start) : null;
          for (const a of doc.agents) {
            const [lo, hi] = game.utilityRange(draw!, a.seat);
            assert.ok(lo <= 0 && hi >= 0);
            assert.ok(
              a.raw_utility >= lo && a.raw_utility <= hi,
              `raw utility ${a.raw_utility} outside [${lo}, ${hi}]`,
            );
            const expected = doc.consensus ? discount(a.raw_utility, spec.gamma, doc.round!) : 0;
            assert.ok(Math.abs(a.utility - expected) < 1e-6, `utility ${a.utility} is not raw · γ^(r−1) ${expected}`);
          }
          if (doc.consensus) {
            const welfare = doc.agents.reduce((s, a) => s + a.raw_utility, 0);
            assert.ok(Math.abs(doc.welfare - welfare) < 1e-9);
          }
        }
      }
    }
    assert.ok(proposals > 100 && deals > 20, `too little play to test (${proposals} proposals, ${deals} deals)`);
  });

  test(`${name}: one seed gives byte-identical series, whatever Math.random does in between`, async () => {
    for (const spec of specs(name)) {
      const a = JSON.stringify(await series(spec, 7, 0.6));
      for (let i = 0; i < 1000; i++) Math.random();
      const b = JSON.stringify(await series(spec, 7, 0.6));
      assert.equal(a, b);
      const c = JSON.stringify(await series(spec, 8, 0.6));
      assert.notEqual(a, c, 'another seed should give another series');
    }
  });

  test(`${name}: the transcript's events alone reproduce the outcome`, async () => {
    let replayed = 0;
    for (const spec of specs(name)) {
      for (let seed = 20; seed < 30; seed++) {
        for (const { doc, events } of await series(spec, seed, 0.4)) {
          const start = events.find((e) => e.type === 'run_start')!;
          assert.equal(start.type, 'run_start');
          const draw = drawOf(start);
          const seatOf = (agent: string) => Number(agent.slice('Agent_'.length)) - 1;
          const end = events.at(-1)!;
          assert.equal(end.type, 'run_end');
          // re-tally every round from its proposals and private votes
          let agreed: unknown = null;
          for (let round = 1; round <= spec.maxRounds; round++) {
            const pledges = events.filter((e) => e.type === 'proposal' && e.round === round);
            const jointEvent = events.find((e) => e.type === 'joint_proposal' && e.round === round);
            // a joint game votes on one proposal, made only when every seat pledged validly
            const props = game.ballot === 'joint' ? (jointEvent ? [jointEvent] : []) : pledges;
            if (game.ballot === 'joint') {
              assert.ok(
                pledges.every((e) => e.to === (e.type === 'proposal' && e.agent)),
                'pledges are private',
              );
              assert.equal(jointEvent !== undefined, pledges.length === spec.n);
            }
            const votes = events.filter((e) => e.type === 'vote' && e.round === round);
            const tally = events.find((e) => e.type === 'tally' && e.round === round);
            if (!tally || tally.type !== 'tally') break;
            if (props.length === 0) continue;
            const accept = votes.map((v) => (v.type === 'vote' && v.votes ? v.votes : props.map(() => false)));
            const t = tabulate(
              props.map((p) => (p.type === 'proposal' ? seatOf(p.agent) : -1)),
              accept,
              spec.n,
              createRng(0),
            );
            assert.deepEqual(
              t.tallies.map((x) => [x.accepts, x.passed]),
              tally.results.map((x) => [x.accepts, x.passed]),
            );
            if (tally.winner !== null && game.ballot === 'joint') {
              // the agreement is every seat's pledge, in seat order
              const terms = [...pledges]
                .sort((a, b) =>
                  a.type === 'proposal' && b.type === 'proposal' ? seatOf(a.agent) - seatOf(b.agent) : 0,
                )
                .map((p, s) => {
                  const v = game.validate(p.type === 'proposal' ? p[game.termsKey] : null, spec, privateView(draw, s));
                  assert.ok(v.ok);
                  return v.value;
                });
              agreed = agreementWireOf(game, game.combine!(terms, spec), spec);
            } else if (tally.winner !== null) {
              const p = props[tally.winner - 1];
              agreed = p.type === 'proposal' ? p[game.termsKey] : null;
            }
          }
          assert.equal(end.consensus, agreed !== null);
          assert.deepEqual(end[game.termsKey], agreed);
          assert.deepEqual(doc[game.termsKey], agreed);
          if (agreed !== null && game.ballot === 'joint') {
            const terms = (agreed as unknown[]).map((w, s) => {
              const v = game.validate(w, spec, privateView(draw, s));
              assert.ok(v.ok);
              return v.value;
            });
            assert.deepEqual(game.rawUtilities(draw, game.combine!(terms, spec)), end.raw_utilities);
            replayed++;
          } else if (agreed !== null) {
            const terms = game.validate(agreed, spec);
            assert.ok(terms.ok);
            assert.deepEqual(game.rawUtilities(draw, terms.value), end.raw_utilities);
            replayed++;
          }
        }
      }
    }
    assert.ok(replayed >= 10, `only ${replayed} deals replayed`);
  });
}

test('every registered game is in the suite', () => {
  assert.deepEqual([...GAME_NAMES].sort(), Object.keys(GAMES).sort());
  assert.ok(GAME_NAMES.includes('item-allocation'));
});
