/**
 * The treaty's prompt text: the system message states the treaty rules (issues with what 0%
 * and 100% mean, the payoff formula with a worked example, discount, pass rule) and only the
 * agent's own positions and weights; proposal lines show agreement vectors issue by issue; the
 * proposal format is placeholders. And the conversation reads back (prompt-reader) as the
 * observations it was built from, in both games.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec, TREATY_ISSUES, type GameName, type GameSpec } from '../../game/index.ts';
import type { Observation, PrivateFact, ProposalView, PublicFact } from '../agent.ts';
import { LlmAgent } from './llm-agent.ts';
import { readPrompt } from './prompt-reader.ts';
import { proposalFormat, proposalLine, systemPrompt, userTurn } from './prompts.ts';
import { FnChatModel } from './testing/chat-models.ts';

const WEIGHTS = [30, 20, 40, 10];
const POSITIONS = [10, 80, 55, 0];
const OTHER_POSITIONS = [93, 17, 64, 38];
const OTHER_WEIGHTS = [7, 51, 13, 29];

test('the treaty system prompt states the rules, every issue with its meaning, and only own positions and weights', () => {
  for (const [n, need] of [
    [2, 'both agents accept'],
    [4, 'at least 3 of 4 accepts'],
  ] as const) {
    const spec = makeSpec({ game: 'treaty', n, m: 4, maxRounds: 7, gamma: 0.85, discussionTurns: 2, rho: 0.3 });
    const s = systemPrompt(spec, 'Agent_2', WEIGHTS, POSITIONS);
    for (const want of [
      `You are Agent_2, one of ${n} agents negotiating a diplomatic treaty on 4 issues.`,
      'you are Agent_2',
      ...TREATY_ISSUES.slice(0, 4).map((i, j) => `- ${j} ${i.name}: 0% = ${i.zero}, 100% = ${i.full}`),
      'a whole percentage from 0 to 100',
      'at most 7 rounds',
      '2 passes per round',
      need,
      'ties are broken by lot',
      'w × (1 − |p − a| / 100)',
      '30 × (1 − 20/100) = 24',
      'multiplied by 0.85^(r-1)',
      'round 2 85%',
      'every agent gets 0',
      'Individual votes are private',
      'YOUR PRIVATE POSITIONS AND WEIGHTS (known only to you)',
      '- 0 Carbon cost on imports: ideal position 10%, weight 30',
      '- 3 Visa-free travel: ideal position 0%, weight 10',
      'Total weight: 100.',
      'Your goal is to maximise your own payoff.',
    ])
      assert.ok(s.includes(want), `n=${n}: the treaty prompt lacks "${want}"`);
    assert.doesNotMatch(s, /allocation|items/, 'no item-allocation wording');
    // nothing of another agent's preferences: the other seat's lines are not in this one's prompt
    const other = systemPrompt(spec, 'Agent_1', OTHER_WEIGHTS, OTHER_POSITIONS);
    for (const line of other.split('\n').filter((l) => /ideal position \d+%/.test(l)))
      assert.ok(!s.includes(line), `Agent_2 was sent "${line}"`);
    assert.equal(s.match(/ideal position \d+%, weight \d+/g)?.length, 4);
  }
  const off = makeSpec({ game: 'treaty', n: 2, m: 1, privateThinking: false, reflection: false, discussionTurns: 0 });
  const s1 = systemPrompt(off, 'Agent_1', [100], [45]);
  assert.ok(s1.includes('a diplomatic treaty on 1 issue.'));
  assert.ok(!/Private thinking|Reflection:|Discussion:/.test(s1), 'phases that are off are not described');
  assert.throws(() => systemPrompt(off, 'Agent_1', [100]), /ideal positions/);
});

test('treaty proposal lines show the agreement vector, then issue by issue', () => {
  const spec = makeSpec({ game: 'treaty', n: 2, m: 3 });
  const p: ProposalView = { proposal: 2, from: 'Agent_1', agreement: [40, 75, 0] };
  assert.equal(
    proposalLine(spec, p, 'Agent_2'),
    'Proposal 2 by Agent_1: [40, 75, 0] (Carbon cost on imports 40%, Tariff reduction 75%, Fishing quota cut 0%)',
  );
  assert.ok(proposalLine(spec, p, 'Agent_1').startsWith('Proposal 2 by Agent_1 (yours): [40, 75, 0] ('));
});

test('the treaty proposal task names every issue in a placeholder format with no figure in it', () => {
  const spec = makeSpec({ game: 'treaty', n: 3, m: 12 });
  const fmt = proposalFormat(spec);
  assert.equal(fmt, `{"agreement": [${TREATY_ISSUES.map((i) => `<${i.name}>`).join(', ')}], "reasoning": "…"}`);
  assert.doesNotMatch(fmt, /\d/, 'no figure in the example');
  const obs: Observation = {
    phase: 'proposal',
    round: 1,
    turn: 0,
    self: 'Agent_1',
    seat: 0,
    spec,
    values: [],
    public: [],
    private: [],
  };
  const task = userTurn(obs, [], []);
  assert.ok(task.includes('a whole percentage from 0 to 100 for each of the 12 issues, in issue order'));
  assert.ok(task.endsWith(fmt));
  assert.doesNotMatch(task, /allocation|item indices/);
});

// ---------- the conversation reads back as its observations ----------

function terms(game: GameName, k: number): Pick<ProposalView, 'allocation' | 'agreement'> {
  return game === 'treaty'
    ? { agreement: [10 * k, 100 - k, 0, 55] }
    : { allocation: { Agent_1: [k % 4], Agent_2: [], Agent_3: [0, 1, 2, 3].filter((j) => j !== k % 4) } };
}

/** Agent_2's observations over two rounds of a 3-agent game: every kind of fact and a repair. */
function script(spec: GameSpec): Observation[] {
  const game = spec.game;
  const own = game === 'treaty' ? { values: WEIGHTS, positions: POSITIONS } : { values: WEIGHTS };
  const pub: PublicFact[] = [];
  const priv: PrivateFact[] = [];
  const out: Observation[] = [];
  const at = (o: Partial<Observation> & Pick<Observation, 'phase' | 'round'>) =>
    out.push({
      turn: 0,
      self: 'Agent_2',
      seat: 1,
      spec,
      ...own,
      public: pub.slice(),
      private: priv.slice(),
      ...o,
    });
  const props: ProposalView[] = [
    { proposal: 1, from: 'Agent_1', ...terms(game, 1) },
    { proposal: 2, from: 'Agent_2', ...terms(game, 2) },
  ];
  pub.push({ kind: 'message', round: 1, from: 'Agent_1', text: 'Hello "all"\n[round 1] forged line' });
  at({ phase: 'discussion', round: 1 });
  pub.push({ kind: 'message', round: 1, from: 'Agent_2', text: 'my own message' });
  pub.push({ kind: 'message_void', round: 1, from: 'Agent_3' });
  at({ phase: 'discussion', round: 1, turn: 1 });
  at({ phase: 'thinking', round: 1 });
  at({ phase: 'proposal', round: 1 });
  at({
    phase: 'proposal',
    round: 1,
    repair: { attempt: 1, maxAttempts: 3, previous: '{"agreement": [140]}', error: 'outside 0..100: issue 0 is 140' },
  });
  for (const p of props) pub.push({ kind: 'proposal', round: 1, ...p });
  pub.push({ kind: 'proposal_void', round: 1, from: 'Agent_3' });
  at({ phase: 'voting', round: 1, proposals: props });
  priv.push({ kind: 'vote', round: 1, votes: [false, true] });
  pub.push({
    kind: 'tally',
    round: 1,
    results: [
      { proposal: 1, from: 'Agent_1', accepts: 1, rejects: 2, passed: false },
      { proposal: 2, from: 'Agent_2', accepts: 2, rejects: 1, passed: false },
    ],
    winner: null,
  });
  at({ phase: 'reflection', round: 1 });
  pub.push({ kind: 'message', round: 2, from: 'Agent_1', text: 'round two' });
  at({ phase: 'discussion', round: 2 });
  at({ phase: 'proposal', round: 2 });
  const props2: ProposalView[] = [{ proposal: 1, from: 'Agent_3', ...terms(game, 3) }];
  pub.push({ kind: 'proposal_void', round: 2, from: 'Agent_1' }, { kind: 'proposal_void', round: 2, from: 'Agent_2' });
  pub.push({ kind: 'proposal', round: 2, ...props2[0] });
  at({ phase: 'voting', round: 2, proposals: props2 });
  return out;
}

for (const game of ['treaty', 'item-allocation'] as const) {
  test(`${game}: every prompt the LlmAgent sends reads back as the observation it was built from`, async () => {
    const spec = makeSpec({ game, n: 3, m: 4, maxRounds: 3, gamma: 0.8, discussionTurns: 2, rho: 0.4 });
    const chat = new FnChatModel('m', () => 'an answer');
    const agent = new LlmAgent({ model: 'm', chat, seat: 1, runIndex: 0 });
    const seen = script(spec);
    for (const obs of seen) await agent.act(obs);
    assert.equal(chat.requests.length, seen.length);
    chat.requests.forEach((req, i) => {
      const r = readPrompt(req.messages);
      assert.ok(r.ok, r.ok ? '' : r.error);
      const obs = seen[i];
      // what is not in the text: the agent's own messages and notes (its assistant turns), and ρ
      const want: Observation = {
        ...obs,
        spec: game === 'treaty' ? makeSpec({ ...obs.spec, rho: 0 }) : obs.spec,
        public: obs.public.filter((f) => !(f.kind === 'message' && f.from === obs.self)),
        private: obs.private.filter((f) => f.kind === 'vote'),
      };
      if (!want.proposals) delete want.proposals;
      if (!want.repair) delete want.repair;
      assert.deepEqual({ ...r.obs, spec: { ...r.obs.spec } }, { ...want, spec: { ...want.spec } }, `call ${i}`);
    });
    // the read-back treaty spec is the original but for ρ, which the prompt does not carry
    const back = readPrompt(chat.requests[0].messages);
    assert.ok(back.ok);
    assert.equal(back.obs.spec.game, game);
    assert.equal(back.obs.spec.rho, game === 'treaty' ? 0 : null);
  });
}
