/**
 * Shared by the mock's own tests (server, cache, limits): a server serving the seed's
 * models as on the day the seed was written, a JSON POST, an injectable clock and text of
 * a known token count. Test code only.
 */
import { SEED_DATE, startMockServer, type MockServer, type MockServerOptions } from '../server.ts';

/** A mock serving the seed's models as on the day the seed was written (tests name them), unless told otherwise. */
export async function withServer(opts: MockServerOptions, f: (s: MockServer) => Promise<void>): Promise<void> {
  const s = await startMockServer({ date: SEED_DATE, ...opts });
  try {
    await f(s);
  } finally {
    await s.close();
  }
}

export async function post(url: string, body: unknown, headers: Record<string, string>) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
}

export const T0 = Date.parse('2025-08-25T12:00:00Z');
/** a clock the test moves by hand: `c.t += ms` */
export const clock = () => {
  const c = { t: T0, now: () => c.t };
  return c;
};

/** `n` tokens of text as the mock counts them (4 characters a token) */
export const text = (n: number, c = 'a') => c.repeat(n * 4);
