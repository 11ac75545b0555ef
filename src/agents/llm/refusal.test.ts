import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declinesToTakePart, opensWithDecline } from './refusal.ts';
import { REFUSAL_TEXT } from '../../mock/faults.ts';

test('a refusal to take part is one in both kinds of phase', () => {
  for (const t of [
    REFUSAL_TEXT,
    "I'm sorry, but I can't participate in this negotiation.",
    '  As an AI, I cannot take part in voting.',
    'I won’t engage with this game.',
  ]) {
    assert.ok(opensWithDecline(t), `JSON phase: ${t}`);
    assert.ok(declinesToTakePart(t), `free text: ${t}`);
  }
});

test('in free text, a "no" in the game is negotiation; where JSON was asked, the same opener without JSON is a refusal', () => {
  for (const t of [
    "I can't accept that split.",
    "Sorry, I won't go below two items.",
    'I cannot give you the Jewel.',
  ]) {
    assert.ok(!declinesToTakePart(t), `free text: ${t}`);
    assert.ok(opensWithDecline(t), `JSON phase: ${t}`);
  }
});

test('ordinary answers are neither', () => {
  for (const t of [
    'I propose that I take the Apple.',
    'Happy to help: here is my offer.',
    'Sorry to hear that; how about the Stone?',
    '',
  ]) {
    assert.ok(!opensWithDecline(t), t);
    assert.ok(!declinesToTakePart(t), t);
  }
});
