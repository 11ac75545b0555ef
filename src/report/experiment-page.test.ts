import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TranscriptEvent } from '../protocol/events.ts';
import type { RunDocument } from '../protocol/series.ts';
import { createHash } from 'node:crypto';
import { EXPERIMENT_SCRIPT, experimentPage, transcriptLines } from './experiment-page.ts';
import { loadTimeline } from './timeline-script.ts';
import { dataBlocks, drawTimelines, runLines, shown } from './testing/timelines.ts';
import * as html_ from './html.ts';
import type { ResultFile } from '../results/index.ts';
import { XSS_PAYLOADS } from '../agents/scripted/strategies.ts';

const T = loadTimeline();
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');

const prefs = [
  [10, 20, 30, 40],
  [40, 30, 20, 10],
];
const items = ['Apple', 'Jewel', 'Stone', 'Quill'];

function ev(e: Record<string, unknown>, seq: number, run = 0): TranscriptEvent {
  return { v: 1, seq, run, to: 'all', ...e } as TranscriptEvent;
}

const events: TranscriptEvent[] = [
  ev(
    {
      type: 'run_start',
      round: 0,
      to: 'host',
      seats: [
        { seat: 0, agent: 'Agent_1', model: 'gpt-4o', role: 'weak' },
        { seat: 1, agent: 'Agent_2', model: 'o3', role: 'strong' },
      ],
      preferences: prefs,
      cosine_similarity: 0.67,
      items,
      params: { n: 2, m: 4, max_rounds: 3, gamma: 0.9, discussion_turns: 1 },
    },
    0,
  ),
  ev({ type: 'round_start', round: 1 }, 1),
  ev({ type: 'message', round: 1, agent: 'Agent_1', text: 'I want <Quill> & "Stone"' }, 2),
  ev(
    { type: 'note', round: 1, to: 'Agent_2', agent: 'Agent_2', phase: 'thinking', text: 'secret plan: concede Apple' },
    3,
  ),
  ev(
    {
      type: 'turn',
      round: 1,
      to: 'Agent_2',
      phase: 'proposal',
      agent: 'Agent_2',
      attempt: 1,
      sees: [],
      repair_error: 'item 9 is not an item',
      text: '{"allocation": ...}',
      valid: true,
      ms: 12,
      calls: [
        {
          model: 'o3',
          route: 'openai',
          input_tokens: 1500,
          output_tokens: 200,
          reasoning_tokens: 800,
          cache_read_tokens: 1024,
          cache_write_tokens: 300,
          cost_usd: 0.0123,
          latency_ms: 2100,
          cached: true,
          finish_reason: 'stop',
          messages_base: 3,
          messages: [{ role: 'user', content: 'Now propose. <b>bold</b>' }],
          key_label: 'OPENAI_API_KEY',
        },
      ],
    },
    4,
  ),
  ev(
    { type: 'proposal', round: 1, agent: 'Agent_1', proposal: 1, allocation: { Agent_1: [2, 3], Agent_2: [0, 1] } },
    5,
  ),
  ev(
    {
      type: 'proposal_void',
      round: 1,
      agent: 'Agent_2',
      reason: 'Agent_2 made no valid proposal this round (item 9 is not an item)',
    },
    6,
  ),
  ev({ type: 'vote', round: 1, to: 'Agent_1', agent: 'Agent_1', votes: [true], voided: false }, 7),
  ev({ type: 'vote', round: 1, to: 'Agent_2', agent: 'Agent_2', votes: null, voided: true }, 8),
  ev(
    {
      type: 'tally',
      round: 1,
      results: [{ proposal: 1, from: 'Agent_1', accepts: 1, rejects: 1, passed: false }],
      winner: null,
      tie_between: null,
    },
    9,
  ),
  ev({ type: 'future_event', round: 1, payload: '<script>x</script>' }, 10),
  ev({ type: 'round_start', round: 2 }, 11),
  ev({ type: 'message_void', round: 2, agent: 'Agent_1', reason: 'the answer is <empty>' }, 12),
  ev(
    { type: 'proposal', round: 2, agent: 'Agent_2', proposal: 1, allocation: { Agent_1: [3], Agent_2: [0, 1, 2] } },
    13,
  ),
  ev(
    {
      type: 'tally',
      round: 2,
      results: [{ proposal: 1, from: 'Agent_2', accepts: 2, rejects: 0, passed: true }],
      winner: 1,
      tie_between: null,
    },
    14,
  ),
  ev(
    {
      type: 'run_end',
      round: 2,
      to: 'host',
      consensus: true,
      agreement_round: 2,
      allocation: { Agent_1: [3], Agent_2: [0, 1, 2] },
      raw_utilities: [40, 90],
      utilities: [36, 81],
    },
    15,
  ),
  // run 1 started but never finished
  ev({ type: 'round_start', round: 1 }, 0, 1),
];

const doc: RunDocument = {
  run_index: 0,
  pair_index: 0,
  seats_swapped: false,
  preferences: prefs,
  cosine_similarity: 0.67,
  consensus: true,
  round: 2,
  allocation: { Agent_1: [3], Agent_2: [0, 1, 2] },
  welfare: 130,
  pareto_optimal: true,
  tie_break: null,
  agents: [
    {
      seat: 0,
      agent: 'Agent_1',
      model: 'gpt-4o',
      role: 'weak',
      utility: 36,
      raw_utility: 40,
      share: 0.3077,
      exploitation_index: -0.2,
      nash_utility: 50,
      repairs: 0,
      voided: 0,
      calls: 5,
      input_tokens: 900,
      output_tokens: 100,
      reasoning_tokens: 0,
      cost_usd: 0.002,
    },
    {
      seat: 1,
      agent: 'Agent_2',
      model: 'o3',
      role: 'strong',
      utility: 81,
      raw_utility: 90,
      share: 0.6923,
      exploitation_index: 0.3,
      nash_utility: 70,
      repairs: 1,
      voided: 2,
      calls: 6,
      input_tokens: 1500,
      output_tokens: 200,
      reasoning_tokens: 800,
      cache_read_tokens: 1024,
      cache_write_tokens: 300,
      cost_usd: 0.0123,
    },
  ],
};

const result: ResultFile = {
  experiment_id: 4,
  weak_model: 'gpt-4o',
  strong_model: 'o3',
  competition_level: 0.7,
  random_seed: 46,
  status: 'TIMEOUT',
  num_runs: 2,
  runs: [doc],
  error: 'a negotiation run exceeded the 600 s timeout (run 1)',
  calls: 11,
  input_tokens: 2400,
  output_tokens: 300,
  reasoning_tokens: 800,
  cost_usd: 0.0143,
  transcript_file: 'x/transcript_4.jsonl',
};

const transcript = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const page = experimentPage({
  id: 4,
  result,
  config: { experiment_id: 4, num_items: 4, max_rounds: 3, gamma_discount: 0.9 },
  transcript,
  prev: 3,
  next: null,
  gridTitle: 'grid',
});
const html = await drawTimelines(page);
const between = (a: string, b: string) => html.slice(html.indexOf(a), html.indexOf(b, html.indexOf(a)));

test('the page carries the timelines as data, not markup: each run opens its own, drawn by the page script', async () => {
  const visible = shown(page);
  assert.doesNotMatch(visible, /Proposal 1<\/b> by|secret plan|Vote tally/);
  assert.match(
    visible,
    /<details class="timeline" data-run="0"><summary><b>Timeline<\/b> <span class="muted small">\(16 transcript events/,
  );
  assert.match(visible, /<details class="timeline" data-run="1">/);
  assert.match(visible, /<button type="button" data-toggle="timeline" data-label="all timelines"/);
  // the lines as written, one block per run; the run summary stays server-rendered
  assert.equal(await runLines(page, 0), transcript.split('\n').slice(0, 16).join('\n'));
  assert.equal(await runLines(page, 1), transcript.split('\n')[16]);
  assert.match(visible, /<h4>Outcome<\/h4><div class="outcome"><b>Agreement in round 2\.<\/b>/);
  assert.ok(page.includes(`script-src &#39;sha256-${sha256(EXPERIMENT_SCRIPT)}&#39;`));
});

test("proposals show the allocation item by item, with each side's values and raw utility", () => {
  const p1 = between('<b>Proposal 1</b> by', '</table>');
  assert.match(p1, /<td>Apple<\/td><td>Agent_2<\/td><td class="num">10<\/td><td class="num"><b>40<\/b><\/td>/);
  assert.match(p1, /<td>Quill<\/td><td>Agent_1<\/td><td class="num"><b>40<\/b><\/td><td class="num">10<\/td>/);
  // Agent_1 gets Stone + Quill = 30 + 40 = 70; Agent_2 gets Apple + Jewel = 40 + 30 = 70
  assert.match(
    p1,
    /Raw utility \(sum of own values of items received\)<\/th><th class="num">70<\/th><th class="num">70<\/th>/,
  );
});

test('the timeline shows talk, tallies, voids and the outcome; private material only behind toggles', () => {
  assert.match(html, /<p class="text">I want &lt;Quill&gt; &amp; &quot;Stone&quot;<\/p>/);
  assert.match(
    html,
    /<details class="private note"><summary>Private thinking note of Agent_2<\/summary>.*secret plan: concede Apple/,
  );
  assert.match(
    html,
    /<details class="private vote"><summary>Private votes of Agent_1<\/summary><p>proposal 1: accept<\/p>/,
  );
  assert.match(html, /Private votes of Agent_2<\/summary><p><span class="void">vote voided after repairs/);
  assert.match(
    html,
    /No valid proposal from Agent_2: Agent_2 made no valid proposal this round \(item 9 is not an item\)/,
  );
  assert.match(html, /No usable message from Agent_1: the answer is &lt;empty&gt;<\/p>/);
  assert.match(
    html,
    /<td>Proposal 1<\/td><td>Agent_1<\/td><td class="num">1<\/td><td class="num">1<\/td><td>failed<\/td>/,
  );
  assert.match(html, /No proposal passed\./);
  assert.match(html, /Proposal 1 wins\./);
  assert.match(html, /Deal in round 2\.<\/b> Utilities: Agent_1 36\.00 \(raw 40\) · Agent_2 81\.00 \(raw 90\)/);
  // every "secret" string sits inside a private <details>
  const outside = html.replace(/<details class="private[^"]*">.*?<\/details>/gs, '');
  assert.doesNotMatch(outside, /secret plan/);
});

test('model calls show tokens, cost, cache and delta prompts, escaped; unknown events shown as escaped JSON', () => {
  assert.match(
    html,
    /Call 1: o3 via openai · in 1,500 \/ out 200 \/ reasoning 800 tokens \(input: 1,024 cache read, 300 cache write\) · \$0\.0123 · 2,100 ms · from cache · finish: stop/,
  );
  assert.match(html, /Prompt \(4 messages; the first 3 as in this agent's previous call, the new ones shown\)/);
  assert.match(html, /<pre>Now propose\. &lt;b&gt;bold&lt;\/b&gt;<\/pre>/);
  assert.match(html, /repair attempt 1/);
  assert.match(html, /shown the error: item 9 is not an item/);
  assert.match(html, /Raw outputs and model calls: 1 turn, 1 call, 1,500 in \/ 200 out tokens, \$0\.0123/);
  assert.match(html, /<summary>Event future_event<\/summary><pre>[^<]*&lt;script&gt;x&lt;\/script&gt;/);
  assert.equal((html.match(/<script>/g) ?? []).length, 1);
});

test('the header tells status, error, missing runs; an unfinished run is marked; neighbours are linked', () => {
  assert.match(
    html,
    /<div class="notice bad"><b>TIMEOUT<\/b>: a negotiation run exceeded the 600 s timeout \(run 1\)<\/div>/,
  );
  assert.match(html, /1 of 2 runs did not complete/);
  assert.match(
    html,
    /<section class="run" id="run-1"><h3>Run 1<\/h3><div class="notice">This run has transcript events but no result: it did not finish\./,
  );
  assert.match(html, /<a href="3\.html">← Experiment 3<\/a>/);
  assert.doesNotMatch(html, /Experiment 5 →/);
  assert.match(html, /<th>Tokens in \/ out \/ reasoning<\/th><td>2,400 \/ 300 \/ 800<\/td>/);
  assert.match(html, /<th>Cost<\/th><td>\$0\.0143<\/td>/);
  // cache tokens from the seats; the seat of an older result without them counts 0
  assert.match(
    html,
    /<th>Cached input<\/th><td>42\.7% \(1,024 of 2,400 input tokens read from the prompt cache; 300 written\)<\/td>/,
  );
  assert.match(html, /<td class="num">0 \/ 0<\/td>/);
  assert.match(html, /<td class="num">1,024 \/ 300<\/td>/);
});

/** Every tag in drawn HTML is one the renderer writes, with only class / colspan attributes: model text made none. */
function assertOnlyRendererTags(h: string) {
  const TAG =
    /^<\/?(div|span|p|b|details|summary|pre|table|thead|tbody|tr|td|th|h4|section)( (class|colspan)="[^"<>]*")*>/;
  for (let i = h.indexOf('<'); i >= 0; i = h.indexOf('<', i + 1))
    assert.match(h.slice(i, i + 200), TAG, `unexpected markup at …${h.slice(Math.max(0, i - 60), i + 80)}…`);
}

test('model text never becomes markup: <script>, "><img onerror>, </script> in every transcript string', async () => {
  const bad = [
    ...XSS_PAYLOADS,
    '</script><script>window.__pwned=9</script>',
    '"><img src=x onerror=alert(1)>',
    '</SCRIPT ',
    '<!--<script>',
  ];
  const x = (k: number) => bad[k % bad.length];
  const agent = x(1);
  const lines = [
    {
      type: 'run_start',
      round: 0,
      to: 'host',
      seats: [
        { seat: x(0), agent, model: x(2), role: x(3) },
        { seat: 1, agent: 'B', model: 'm', role: null },
      ],
      preferences: [
        [x(4), 1],
        [2, 3],
      ],
      items: [x(5), x(6)],
      positions: [
        [x(7), 1],
        [2, 3],
      ],
      costs: [x(8), 1],
      cosine_similarity: 0,
    },
    { type: 'message', round: 1, agent, text: x(0) },
    { type: 'message_void', round: 1, agent, reason: x(1) },
    { type: 'note', round: 1, agent, phase: x(2), text: x(3) },
    { type: 'proposal', round: 1, agent, proposal: x(4), allocation: { [agent]: [0], B: [1] } },
    { type: 'proposal', round: 1, agent, proposal: 2, agreement: [x(5), 3] },
    { type: 'proposal', round: 1, agent, proposal: 3, contributions: [x(6), 2] },
    { type: 'joint_proposal', round: 1, proposal: x(7), joint: { pledged: [x(8), 1], funded: [true, false] } },
    { type: 'proposal_void', round: 1, agent, reason: x(0) },
    { type: 'vote', round: 1, agent, votes: [true, false], voided: false },
    {
      type: 'tally',
      round: 1,
      results: [{ proposal: x(1), from: x(2), accepts: x(3), rejects: x(4), passed: true }],
      winner: x(5),
      tie_between: [x(6)],
    },
    {
      type: 'turn',
      round: 1,
      agent,
      phase: x(7),
      attempt: x(8),
      text: x(0),
      valid: false,
      error: x(1),
      repair_error: x(2),
      ms: 3,
      calls: [
        {
          model: x(3),
          route: x(4),
          finish_reason: x(5),
          served_model_mismatch: true,
          served_model_id: x(6),
          model_id: x(7),
          messages_base: 1,
          messages: [
            { role: x(8), content: x(0) },
            { role: 'user', content: [{ type: 'text', text: x(1) }] },
          ],
          [x(2)]: x(3),
        },
      ],
    },
    { type: x(4), round: 1, payload: x(5) },
    { type: 'vote', round: 2, agent, votes: x(6), voided: false }, // malformed: shown as JSON
    { type: 'run_end', round: 2, consensus: true, agreement_round: x(7), utilities: [1, 2], raw_utilities: [x(8), 2] },
  ].map((e, seq) => JSON.stringify({ v: 1, seq, run: 0, ...e }));
  const text =
    lines.join('\n') + '\n{"v":1,"seq":99,"run":0,"type":"message","text":"</script><img src=x onerror=alert(1)> cut}';
  const p = experimentPage({
    id: 1,
    result: { ...result, runs: [doc], status: 'SUCCESS', error: undefined, num_runs: 1 },
    config: null,
    transcript: text,
    gridTitle: 'g',
  });
  // the page: one executable script; the data blocks hold no "<", so nothing in them can end them early
  assert.equal((p.match(/<script>/g) ?? []).length, 1);
  assert.equal((p.match(/<\/script/gi) ?? []).length, (p.match(/<script/gi) ?? []).length);
  for (const [id, block] of dataBlocks(p)) assert.doesNotMatch(block, /</, id);
  // the server's part (items, seats, models in the header and summaries) is escaped too
  assert.doesNotMatch(shown(p), /<(img|svg|iframe|a href="javascript)/i);
  // drawn: only the renderer's markup; the payloads are there as text
  const drawn = T.renderRun(await runLines(p, 0), {});
  assertOnlyRendererTags(drawn);
  for (const b of bad) assert.ok(drawn.includes(html_.esc(b)), `shown escaped: ${b}`);
  assert.match(drawn, /^<div class="notice">1 unreadable line\(s\) of this run's transcript skipped\.<\/div>/);
  assert.match(drawn, /<summary>Event vote<\/summary><pre>/);
});

test('timeline.js formats as html.ts does (its esc, num, int, usd are the client copies)', () => {
  const xs = [0, -0, 0.5, -0.001, 1234.5678, -98765.4321, 1e6, NaN, Infinity, null, undefined];
  for (const x of xs) {
    assert.equal(T.num(x), html_.num(x as number), `num ${x}`);
    assert.equal(T.num(x, 0), html_.num(x as number, 0), `num ${x}, 0`);
    assert.equal(T.int(x), html_.int(x as number), `int ${x}`);
    assert.equal(T.usd(x), html_.usd(x as number), `usd ${x}`);
  }
  for (const b of [...XSS_PAYLOADS, `&<>"'`, 0, null]) assert.equal(T.esc(b), html_.esc(b));
});

test('transcript lines are grouped by run from their leading fields; unreadable lines are counted, not embedded', () => {
  const t = transcriptLines(
    [
      '{"v":1,"seq":0,"run":0,"type":"run_start","round":0,"items":["A","B"]}',
      '{"v":1,"seq":1,"run":1,"type":"round_start","round":1}',
      '{"type":"round_start","run":0,"round":1,"v":1,"seq":1}', // not as written: parsed to place it
      '',
      'garbage',
      '{"v":1,"seq":2,"run":0,"type":"message","text":"half', // starts well, cut short
      'null',
      '{"seq":3,"round":1}', // JSON, but no event
      '{"v":1,"seq":3,"run":1,"type":"note","round":1,"text":"x"}\r',
    ].join('\n'),
  );
  assert.deepEqual([...t.runs.keys()], [0, 1]);
  assert.equal(t.runs.get(0)!.length, 2);
  assert.equal(t.runs.get(1)!.length, 2);
  assert.equal(t.bad, 4);
  assert.deepEqual(t.start?.items, ['A', 'B']);
  const p = experimentPage({ id: 1, result, config: null, transcript: 'garbage\n', gridTitle: 'g' });
  assert.match(p, /<div class="notice">Transcript: 1 unreadable line\(s\) skipped<\/div>/);
  assert.match(
    shown(p),
    /<section class="run" id="run-0">.*<h4>Timeline<\/h4><p class="muted">No transcript events for this run\.<\/p>/s,
  );
  const unread = experimentPage({
    id: 1,
    result,
    config: null,
    transcript: null,
    transcriptNote: 'cannot read x: ENOENT',
    gridTitle: 'g',
  });
  assert.match(unread, /<div class="notice">Transcript: cannot read x: ENOENT<\/div>/);
});
