/**
 * Co-funding's prompt text: the system message states the rules (public costs, the funding
 * threshold, the private budget, that unfunded pledges cost nothing, what a loss on a project
 * means, the one joint vote, pass rule, discount, last round) and only the agent's own values
 * and budget; the joint proposal shows per project what was pledged against the cost; the
 * voting turn shows what the joint proposal gives the agent by its own remembered pledge; the
 * proposal format is placeholders. And the conversation reads back (prompt-reader) as the
 * observations it was built from, with the own pledge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec, type GameParams, type GameSpec } from '../../game/index.ts';
import type { Observation, PrivateFact, ProposalView, PublicFact } from '../agent.ts';
import { LlmAgent } from './llm-agent.ts';
import { readPrompt } from './prompt-reader.ts';
import { proposalFormat, proposalLine, systemPrompt, userTurn } from './prompts.ts';
import { OWN_PAYOFF_PREFIX, OWN_PLEDGE_PREFIX } from './cofunding-prompts.ts';
import { FnChatModel } from './testing/chat-models.ts';

const PROJECTS = ['Community solar array', 'Public library extension', 'Protected bike lanes', 'Park renovation'];
const cofunding = (p: GameParams): GameSpec => makeSpec({ ...p, game: 'cofunding' });

const VALUES = [30, 20, 40, 10];
const BUDGET = 55;
const COSTS = [60, 35, 80, 25];
const OTHER_VALUES = [7, 51, 13, 29];
const OTHER_BUDGET = 71;

const own = { values: VALUES, budget: BUDGET, costs: COSTS };

test('the co-funding system prompt states the rules, the public costs, and only own values and budget', () => {
  for (const [n, need] of [
    [2, 'the joint proposal passes only if both agents accept it (unanimity)'],
    [4, 'the joint proposal passes with at least 3 of 4 accepts'],
  ] as const) {
    const spec = cofunding({ n, m: 4, maxRounds: 7, gamma: 0.85, discussionTurns: 2 });
    const s = systemPrompt(spec, 'Agent_2', own);
    for (const want of [
      `You are Agent_2, one of ${n} agents deciding together which of 4 public projects to fund from their own budgets.`,
      'you are Agent_2',
      'The costs are public.',
      '- 0 Community solar array: cost 60 — solar panels on public roofs',
      '- 3 Park renovation: cost 25 — new paths, benches',
      'funded only if the pledges of all agents to it add up to at least its cost',
      'not funded, even by a little',
      'at most 7 rounds',
      '2 passes per round',
      'No agent sees another agent’s pledges',
      'one joint proposal',
      'If any agent makes no valid pledge, there is no joint proposal that round.',
      'every agent accepts or rejects the joint proposal',
      need,
      'a private budget for the whole game',
      'never scaled down',
      'pledges of rounds that do not pass cost nothing',
      'your value of it minus your pledge to it',
      'a project that is not funded gives you nothing and costs you nothing (your pledge to it is not paid)',
      'nothing is refunded',
      'that project gives you a negative amount (a loss)',
      'multiplied by 0.85^(r-1)',
      'round 2 85%',
      'every agent gets 0',
      'Individual votes are private',
      'Worked example:',
      'YOUR PRIVATE VALUES AND BUDGET (known only to you)',
      '- 0 Community solar array: value 30',
      '- 3 Park renovation: value 10',
      'Total value: 100.',
      'Your budget: 55.',
      'Your goal is to maximise your own payoff.',
    ])
      assert.ok(s.includes(want), `n=${n}: the co-funding prompt lacks "${want}"`);
    assert.doesNotMatch(s, /allocation|items|treaty|several pass|ties are broken/i, 'no other game’s wording');
    // the worked example is in letters: no figure to anchor on
    const example = s.split('\n').find((l) => l.startsWith('Worked example:'))!;
    assert.doesNotMatch(example, /\d/);
    // nothing of another agent's values or budget
    const other = systemPrompt(spec, 'Agent_1', { values: OTHER_VALUES, budget: OTHER_BUDGET, costs: COSTS });
    for (const line of other.split('\n').filter((l) => /: value \d+$|^Your budget/.test(l)))
      assert.ok(!s.includes(line), `Agent_2 was sent "${line}"`);
    assert.equal(s.match(/: value \d+$/gm)?.length, 4);
    // but the costs are the same public text for both
    assert.equal(s.match(/: cost \d+ — .+$/gm)?.join(), other.match(/: cost \d+ — .+$/gm)?.join());
    assert.equal(s.match(/: cost \d+ — .+$/gm)?.length, 4);
  }
  const one = cofunding({ n: 2, m: 1, privateThinking: false, reflection: false, discussionTurns: 0 });
  const s1 = systemPrompt(one, 'Agent_1', { values: [100], budget: 9, costs: [12] });
  assert.ok(s1.includes('which of 1 public project to fund'));
  assert.ok(!/Private thinking|Reflection:|Discussion:/.test(s1), 'phases that are off are not described');
  assert.throws(() => systemPrompt(one, 'Agent_1', [100]), /budget/);
});

const joint = (pledged: number[], costs = COSTS) => ({ pledged, funded: pledged.map((x, j) => x >= costs[j]) });

test('a joint proposal line shows per project what was pledged against its cost, funded or not', () => {
  const spec = cofunding({ n: 3, m: 4 });
  const p: ProposalView = { proposal: 1, from: 'all', joint: joint([60, 12.5, 0, 30]) };
  assert.equal(
    proposalLine(spec, p, 'Agent_2', COSTS),
    "Joint proposal 1 (every agent's pledges added up per project): Community solar array: 60 of 60 pledged, funded; Public library extension: 12.5 of 35 pledged, not funded; Protected bike lanes: 0 of 80 pledged, not funded; Park renovation: 30 of 25 pledged, funded.",
  );
  // the digest may lack the costs: the line then shows the pledges alone
  assert.ok(proposalLine(spec, p, 'Agent_2').includes('Public library extension: 12.5 pledged, not funded;'));
});

function votingObs(spec: GameSpec, pledged: number[], round = 2): Observation {
  return {
    phase: 'voting',
    round,
    turn: 0,
    self: 'Agent_2',
    seat: 1,
    spec,
    ...own,
    public: [],
    private: [],
    proposals: [{ proposal: 1, from: 'all', joint: joint(pledged) }],
  };
}

test('the voting turn shows the joint proposal project by project and what it gives the agent by its own pledge', () => {
  const spec = cofunding({ n: 3, m: 4, gamma: 0.9, maxRounds: 5 });
  const obs = votingObs(spec, [60, 12.5, 0, 30]);
  const text = userTurn(obs, [], [], false, { pledge: [20, 12.5, 0, 14] });
  for (const want of [
    'The joint proposal of round 2 (proposal 1: ',
    '- 0 Community solar array: 60 pledged of cost 60, funded',
    '- 1 Public library extension: 12.5 pledged of cost 35, not funded (22.5 short)',
    '- 2 Protected bike lanes: 0 pledged of cost 80, not funded (80 short)',
    '- 3 Park renovation: 30 pledged of cost 25, funded',
    `${OWN_PLEDGE_PREFIX} [20, 12.5, 0, 14] (Community solar array 20, Public library extension 12.5, Protected bike lanes 0, Park renovation 14), 46.5 in total of your budget 55.`,
    // funded: solar 30 − 20 = 10, park 10 − 14 = −4 (a loss); 6 × 0.9 = 5.4
    `${OWN_PAYOFF_PREFIX} (your value − your pledge, per funded project): Community solar array 30 − 20 = 10; Park renovation 10 − 14 = -4 (a loss); total 6, multiplied by 0.9^(2-1) = 5.4. Your pledges to the projects that are not funded are not paid.`,
    'Vote: accept or reject the joint proposal.',
    '{"votes": [{"proposal": 1, "accept": true or false}]}',
  ])
    assert.ok(text.includes(want), `the voting turn lacks "${want}"\n${text}`);
  assert.doesNotMatch(text, /Proposals on the table/);
  // nothing funded: nothing paid, 0
  const none = userTurn(votingObs(spec, [10, 0, 0, 0]), [], [], false, { pledge: [10, 0, 0, 0] });
  assert.ok(none.includes(`${OWN_PAYOFF_PREFIX}: 0 (no project is funded, so nothing is built and nothing is paid).`));
  // unknown pledge, or one that cannot be in this joint proposal: the formula, no figures of one's own
  for (const pledge of [null, [70, 0, 0, 0], [20, 12.5, 0]]) {
    const t = userTurn(obs, [], [], false, { pledge });
    assert.ok(!t.includes(OWN_PLEDGE_PREFIX), JSON.stringify(pledge));
    assert.ok(
      t.includes(
        `${OWN_PAYOFF_PREFIX}: the sum over the funded projects of (your value − your pledge), multiplied by 0.9^(2-1).`,
      ),
    );
  }
});

test('the co-funding proposal task names every project in a placeholder format with no figure in it', () => {
  const spec = cofunding({ n: 3, m: 4 });
  const fmt = proposalFormat(spec);
  assert.equal(fmt, `{"contributions": [${PROJECTS.map((p) => `<${p}>`).join(', ')}], "reasoning": "…"}`);
  assert.doesNotMatch(fmt, /\d/, 'no figure in the example');
  const obs: Observation = { ...votingObs(spec, [0, 0, 0, 0], 1), phase: 'proposal', proposals: undefined };
  const task = userTurn(obs, [], []);
  assert.ok(task.includes('an amount of 0 or more for each of the 4 projects, in project order (index 0 first)'));
  assert.ok(task.includes('together at most your budget'));
  assert.doesNotMatch(task.slice(task.indexOf('===')), /55|\b60\b/, 'the task quotes no budget or cost');
  assert.ok(task.endsWith(fmt));
  assert.doesNotMatch(task, /allocation|item indices|percentage/);
});

// ---------- the conversation reads back as its observations ----------

/** Agent_2's observations over three rounds of a 3-agent game: every kind of fact and a repair. */
function script(spec: GameSpec): Observation[] {
  const pub: PublicFact[] = [];
  const priv: PrivateFact[] = [];
  const out: Observation[] = [];
  const at = (o: Partial<Observation> & Pick<Observation, 'phase' | 'round'>) =>
    out.push({ turn: 0, self: 'Agent_2', seat: 1, spec, ...own, public: pub.slice(), private: priv.slice(), ...o });
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
    repair: { attempt: 1, maxAttempts: 3, previous: '{"contributions": [55, 55, 0, 0]}', error: 'above your budget' },
  });
  const v1 = joint([41.25, 35, 0, 3.5]);
  pub.push({ kind: 'proposal', round: 1, proposal: 1, from: 'all', joint: v1 });
  at({ phase: 'voting', round: 1, proposals: [{ proposal: 1, from: 'all', joint: v1 }] });
  at({
    phase: 'voting',
    round: 1,
    proposals: [{ proposal: 1, from: 'all', joint: v1 }],
    repair: { attempt: 1, maxAttempts: 2, previous: 'yes', error: 'no JSON object found' },
  });
  priv.push({ kind: 'vote', round: 1, votes: [false] });
  pub.push({
    kind: 'tally',
    round: 1,
    results: [{ proposal: 1, from: 'all', accepts: 1, rejects: 2, passed: false }],
    winner: null,
  });
  at({ phase: 'reflection', round: 1 });
  pub.push({ kind: 'message', round: 2, from: 'Agent_1', text: 'round two' });
  at({ phase: 'discussion', round: 2 });
  at({ phase: 'proposal', round: 2 });
  pub.push({ kind: 'proposal_void', round: 2, from: 'Agent_1' }, { kind: 'proposal_void', round: 2, from: 'Agent_2' });
  pub.push({ kind: 'tally', round: 2, results: [], winner: null });
  at({ phase: 'reflection', round: 2 });
  at({ phase: 'proposal', round: 3 });
  const v3 = joint([60, 35, 80, 25]);
  pub.push({ kind: 'proposal', round: 3, proposal: 1, from: 'all', joint: v3 });
  at({ phase: 'voting', round: 3, proposals: [{ proposal: 1, from: 'all', joint: v3 }] });
  return out;
}

/** The agent's answers to the script: an over-budget pledge repaired in round 1, a void in round 2. */
function answers(obs: Observation): string {
  if (obs.phase === 'proposal') {
    if (obs.round === 1 && !obs.repair) return '{"contributions": [55, 55, 0, 0]}';
    if (obs.round === 1)
      return 'My pledge: ```json\n{"pledges": {"Community solar array": "20", "Public library extension": 15, "Protected bike lanes": 0, "Park renovation": 3.5}}\n```';
    if (obs.round === 2) return 'I pass.';
    return '{"contributions": [30, 10, 10, 5]}';
  }
  return obs.phase === 'voting' ? '{"votes": [{"proposal": 1, "accept": false}]}' : 'an answer';
}

test('co-funding: every prompt the LlmAgent sends reads back as the observation it was built from, with its own pledge', async () => {
  const spec = cofunding({ n: 3, m: 4, maxRounds: 3, gamma: 0.8, discussionTurns: 2 });
  const seen = script(spec);
  const chat = new FnChatModel('m', (_req, k) => answers(seen[k]));
  const agent = new LlmAgent({ model: 'm', chat, seat: 1, runIndex: 0 });
  for (const obs of seen) await agent.act(obs);
  assert.equal(chat.requests.length, seen.length);
  const pledges: (number[] | undefined)[] = [];
  chat.requests.forEach((req, i) => {
    const r = readPrompt(req.messages);
    assert.ok(r.ok, r.ok ? '' : r.error);
    const obs = seen[i];
    // what is not in the text: the agent's own messages and notes (its assistant turns)
    const want: Observation = {
      ...obs,
      public: obs.public.filter((f) => !(f.kind === 'message' && f.from === obs.self)),
      private: obs.private.filter((f) => f.kind === 'vote'),
    };
    if (!want.proposals) delete want.proposals;
    if (!want.repair) delete want.repair;
    assert.deepEqual({ ...r.obs, spec: { ...r.obs.spec } }, { ...want, spec: { ...want.spec } }, `call ${i}`);
    pledges.push(r.pledge);
  });
  // the own pledge at each vote is the round's last parsed pledge (the repaired one in round 1)
  const votes = seen.map((o, i) => (o.phase === 'voting' ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(
    votes.map((i) => pledges[i]),
    [
      [20, 15, 0, 3.5],
      [20, 15, 0, 3.5],
      [30, 10, 10, 5],
    ],
  );
  assert.deepEqual(
    pledges.filter((p, i) => p !== undefined && !votes.includes(i)),
    [],
    'no pledge outside a vote',
  );
  // and the payoff line of round 3 (everything funded): 30−30 + 20−10 + 40−10 + 10−5 = 45, × 0.8^2 = 28.8
  const last = chat.requests.at(-1)!.messages.at(-1)!.content;
  assert.ok(last.includes('total 45, multiplied by 0.8^(3-1) = 28.8.'), last);
  assert.ok(!last.includes('not funded are not paid'), 'every project is funded');
  // the void and the empty tally read as co-funding's own words
  const all = chat.requests
    .at(-1)!
    .messages.map((m) => m.content)
    .join('\n');
  assert.ok(all.includes('[round 2] No valid pledge from Agent_1 this round.'));
  assert.ok(all.includes('[round 2] You made no valid pledge this round.'));
  assert.ok(
    all.includes(
      '[round 2] Votes counted: there was no joint proposal to vote on (not every agent made a valid pledge).',
    ),
  );
  assert.ok(all.includes('[round 1] Votes counted: joint proposal 1 (all) 1 accept / 2 reject, failed.'));
  // the read-back spec is co-funding's, with the projects' names
  const back = readPrompt(chat.requests[0].messages);
  assert.ok(back.ok);
  assert.equal(back.obs.spec.game, 'cofunding');
  assert.deepEqual([...back.obs.spec.items], PROJECTS);
});

test('a pledge that did not parse is forgotten: a vote after it states the formula', async () => {
  const spec = cofunding({ n: 2, m: 4, maxRounds: 3 });
  const base = { turn: 0, self: 'Agent_2', seat: 1, spec, ...own, public: [], private: [] };
  const v = joint([20, 15, 0, 3.5]);
  const obs: Observation[] = [
    { ...base, phase: 'proposal', round: 1 },
    { ...base, phase: 'proposal', round: 1, repair: { attempt: 1, maxAttempts: 3, previous: 'x', error: 'y' } },
    { ...base, phase: 'voting', round: 1, proposals: [{ proposal: 1, from: 'all', joint: v }] },
    // a new round: last round's pledge is not this round's
    { ...base, phase: 'voting', round: 2, proposals: [{ proposal: 1, from: 'all', joint: v }] },
  ];
  const replies = ['{"contributions": [20, 15, 0, 3.5]}', '{"contributions": [20, "lots", 0, 3.5]}', '{}', '{}'];
  const chat = new FnChatModel('m', (_r, k) => replies[k]);
  const agent = new LlmAgent({ model: 'm', chat, seat: 1, runIndex: 0 });
  for (const o of obs) await agent.act(o);
  for (const k of [2, 3]) {
    const text = chat.requests[k].messages.at(-1)!.content;
    assert.ok(!text.includes(OWN_PLEDGE_PREFIX), `call ${k}`);
    assert.ok(text.includes(`${OWN_PAYOFF_PREFIX}: the sum over the funded projects`), `call ${k}`);
  }
});

test('condensed rounds keep the own pledge of each joint proposal voted on in the digest', async () => {
  const spec = cofunding({ n: 2, m: 4, maxRounds: 6, discussionTurns: 1 });
  const pub: PublicFact[] = [];
  const chat = new FnChatModel('m', (req) =>
    req.messages.at(-1)!.content.includes('| proposal ===') ? '{"contributions": [12, 0, 7.25, 0]}' : 'x'.repeat(400),
  );
  const agent = new LlmAgent({ model: 'm', chat, seat: 1, runIndex: 0, contextWindow: 2500 });
  for (let round = 1; round <= 4; round++) {
    const base = { turn: 0, self: 'Agent_2', seat: 1, spec, ...own, private: [], round };
    pub.push({ kind: 'message', round, from: 'Agent_1', text: 'y'.repeat(300) });
    await agent.act({ ...base, phase: 'discussion', public: pub.slice() });
    await agent.act({ ...base, phase: 'proposal', public: pub.slice() });
    const v = joint([40, 3, 7.25, 30]);
    pub.push({ kind: 'proposal', round, proposal: 1, from: 'all', joint: v });
    await agent.act({
      ...base,
      phase: 'voting',
      public: pub.slice(),
      proposals: [{ proposal: 1, from: 'all', joint: v }],
    });
    pub.push({
      kind: 'tally',
      round,
      results: [{ proposal: 1, from: 'all', accepts: 1, rejects: 1, passed: false }],
      winner: null,
    });
  }
  const first = chat.requests.at(-1)!.messages[1].content;
  assert.match(first, /^Summary of rounds? 1/);
  assert.ok(
    first.includes(
      `[round 1] ${OWN_PLEDGE_PREFIX} [12, 0, 7.25, 0] (Community solar array 12, Public library extension 0, Protected bike lanes 7.25, Park renovation 0).`,
    ),
    first,
  );
  // the digest's joint proposal lines keep the costs
  assert.ok(
    first.includes(
      "[round 1] Joint proposal 1 (every agent's pledges added up per project): Community solar array: 40 of 60 pledged, not funded;",
    ),
  );
  // and the digest reads back: the joint proposals are still public facts
  const r = readPrompt(chat.requests.at(-1)!.messages);
  assert.ok(r.ok);
  assert.equal(r.obs.public.filter((f) => f.kind === 'proposal' && f.from === 'all').length, 4);
});
