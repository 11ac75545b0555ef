/** Shared by every layer: Node's abortable timer, rejecting with the signal's own reason (a timeout stays a timeout, a cancel a cancel) rather than a generic AbortError. */
import { setTimeout as delay } from 'node:timers/promises';

export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (e) {
    throw signal?.aborted ? signal.reason : e;
  }
}
