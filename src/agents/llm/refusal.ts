/**
 * Refusals to play, in one place. Two patterns, because the two kinds of phase differ in
 * what a declining sentence means:
 *  - in a JSON phase (proposal, vote) an answer with no JSON that opens with an apology or
 *    a decline ("I'm sorry", "I can't", "As an AI") is a refusal, whatever follows;
 *  - in a free-text phase (discussion, thinking, reflection) "I can't accept that" is
 *    negotiation, so only declining to help, assist or take part (or "as an AI") counts.
 * Both are checked on the trimmed text's start; neither replaces an answer, they name the error.
 */

const DECLINING_OPENER =
  /^\W*(?:i(?:'|’)?m sorry|i am sorry|sorry,|i apologi[sz]e|i can(?:'|’)?t|i cannot|i can not|i won(?:'|’)?t|i will not|i(?:'|’)?m (?:not able|unable)|i am (?:not able|unable)|as an ai\b|unfortunately,? i (?:can|am|won))/i;

const DECLINE_TO_TAKE_PART =
  /^\W*(?:(?:i(?:'|’)?m sorry|i am sorry|sorry|i apologi[sz]e)[^.!?]*\b(?:can(?:'|’)?t|cannot|unable|won(?:'|’)?t)\b[^.!?]*\b(?:help|assist|comply|participate|engage|continue)\b|i (?:can(?:'|’)?t|cannot|won(?:'|’)?t|will not) (?:help|assist|comply|participate|engage) with|as an ai\b)/i;

/** A JSON-phase answer (checked only when no JSON is found) that opens by apologising or declining. */
export function opensWithDecline(text: string): boolean {
  return DECLINING_OPENER.test(text.trim());
}

/** A free-text answer that declines to take part ("I'm sorry, but I can't help with that"), not a "no" in the game. */
export function declinesToTakePart(text: string): boolean {
  return DECLINE_TO_TAKE_PART.test(text.trim());
}
