/**
 * Token estimates where no tokenizer runs (offline, and before a call is made): the LLM
 * agent's compaction threshold, the governor's up-front TPM charge, the sim chat model's
 * usage and the mock server's usage all count with this one rule, so they agree.
 *
 * ~4 characters per token: OpenAI's rule of thumb for English text ("1 token ~= 4 chars in
 * English", https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them).
 * A chat prompt adds framing per message (3 or 4 tokens in OpenAI's cookbook "How to count
 * tokens with tiktoken"; 4 here) and 3 tokens that prime the reply. Real usage replaces
 * these estimates wherever a provider reports it.
 */

export const CHARS_PER_TOKEN = 4;
/** role and delimiters around each message */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** the tokens that open the assistant's reply, counted once per prompt */
export const REPLY_PRIMING_TOKENS = 3;

/** Estimated tokens of a piece of text (an answer, one message's content). */
export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Estimated prompt tokens of a list of chat messages. */
export function estimateMessageTokens(messages: readonly { content: string }[]): number {
  let t = REPLY_PRIMING_TOKENS;
  for (const m of messages) t += MESSAGE_OVERHEAD_TOKENS + estimateTextTokens(m.content);
  return t;
}
