import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMessageTokens, estimateTextTokens } from './tokens.ts';

test('text: ~4 characters a token, rounded up (a non-empty text is never 0 tokens)', () => {
  assert.equal(estimateTextTokens(''), 0);
  assert.equal(estimateTextTokens('a'), 1);
  assert.equal(estimateTextTokens('abcd'), 1);
  assert.equal(estimateTextTokens('abcde'), 2);
  assert.equal(estimateTextTokens('x'.repeat(4000)), 1000);
});

test('messages: 3 priming tokens plus 4 of framing and the text of each message', () => {
  assert.equal(estimateMessageTokens([]), 3);
  assert.equal(estimateMessageTokens([{ content: 'hello there' }]), 3 + 4 + 3);
  assert.equal(
    estimateMessageTokens([{ content: 'x'.repeat(400) }, { content: '' }, { content: 'abcdefghi' }]),
    3 + (4 + 100) + (4 + 0) + (4 + 3),
  );
});
