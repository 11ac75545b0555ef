/**
 * A tokens-per-minute gate in front of the mock server, for the scheduler bench's TPM-bound
 * scenario while the mock itself enforces requests per minute only. Per key, a token bucket
 * holding `burstS` seconds of the TPM (full at the start, like the mock's RPM bucket): a
 * request is let through while the bucket is positive and answered with its API's 429 and
 * Retry-After otherwise; its input tokens (counted as the mock counts them) are taken on
 * arrival, its output tokens when the answer comes back, as OpenAI estimates a request's
 * tokens up front (https://platform.openai.com/docs/guides/rate-limits, read 2026-12-02) and
 * Anthropic counts output tokens as they are produced. A refused or failed request costs nothing.
 * It also counts, per wire format, what the answered requests took from the limits the mock
 * announces (src/mock/limits.ts), for the floor of the learned-limits scenario: OpenAI's TPM
 * charges the prompt (cached part included) plus max_tokens (the real output when none was
 * sent); Anthropic's ITPM the input without cache reads (with them on the † models), its
 * OTPM the real output (the max_tokens estimate is settled to it).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { keyHash } from '../src/mock/server.ts';
import { estimateMessageTokens } from '../src/providers/tokens.ts';
import { rateLimitMessage } from '../src/mock/error-texts.ts';
import { route } from '../src/mock/wire.ts';
import { cacheReadsCountTowardItpm } from '../src/mock/limits.ts';

export interface TpmGate {
  url: string;
  /** 429s sent by the gate */
  limited(): number;
  /** per wire format (one key each in the bench): answered requests and their tokens */
  answered(): Record<string, Answered>;
  close(): Promise<void>;
}

export interface Answered {
  requests: number;
  /** input + output */
  tokens: number;
  /** what the mock's announced token limit took: OpenAI TPM (prompt + max_tokens), Anthropic ITPM */
  charged: number;
  /** output tokens (Anthropic's OTPM) */
  output: number;
}

export async function startTpmGate(
  target: string,
  tpmByFormat: Partial<Record<string, number>>,
  burstS: number,
): Promise<TpmGate> {
  const up = new URL(target);
  const buckets = new Map<string, { tokens: number; at: number; perMs: number; size: number }>();
  let limited = 0;
  const answered: Record<string, Answered> = {};
  const bucket = (key: string, tpm: number, t: number) => {
    let b = buckets.get(key);
    if (!b)
      buckets.set(key, (b = { size: (tpm * burstS) / 60, tokens: (tpm * burstS) / 60, at: t, perMs: tpm / 60_000 }));
    b.tokens = Math.min(b.size, b.tokens + Math.max(0, t - b.at) * b.perMs);
    b.at = Math.max(b.at, t);
    return b;
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    raw: Buffer,
    done: (status: number, body: Buffer) => void,
  ) => {
    const p = request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const body = Buffer.concat(chunks);
          done(r.statusCode ?? 0, body);
          if (!res.destroyed) {
            res.writeHead(r.statusCode ?? 502, r.headers);
            res.end(body);
          }
        });
        r.on('error', () => res.destroy());
      },
    );
    p.on('error', () => res.destroy()); // the mock reset the connection: so do we
    p.end(raw);
  };

  const server = createServer((req, res) => {
    const arrival = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const r = route(req.method ?? '', url.pathname);
      if (!r || r.list) return forward(req, res, raw, () => {});
      const tpm = tpmByFormat[r.format.name] ?? Infinity;
      let parsed;
      try {
        parsed = r.format.parse(JSON.parse(raw.toString('utf8')), r.pathModel, req.headers);
      } catch {
        parsed = null;
      }
      if (!parsed || typeof parsed === 'string' || 'message' in parsed) return forward(req, res, raw, () => {});
      const b = bucket(`${r.format.name}/${keyHash(r.format.key(req.headers, url))}`, tpm, arrival);
      if (b.tokens <= 0 && Number.isFinite(tpm)) {
        limited++;
        const waitS = Math.max(1, Math.ceil(-b.tokens / b.perMs / 1000));
        const e = r.format.error('rate_limit', rateLimitMessage(r.format.name, parsed.model, undefined, waitS), {
          retryAfterS: waitS,
          model: parsed.model,
        });
        const data = JSON.stringify(e.body);
        res.writeHead(e.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          ...e.headers,
        });
        res.end(data);
        return;
      }
      const input = estimateMessageTokens(parsed.messages);
      const { model, maxTokens } = parsed;
      b.tokens -= input;
      forward(req, res, raw, (status, body) => {
        if (status !== 200) {
          b.tokens += input;
          return;
        }
        try {
          const u = JSON.parse(body.toString('utf8')).usage ?? {};
          const output = Number(u.completion_tokens ?? u.output_tokens ?? 0);
          b.tokens -= output;
          const a = (answered[r.format.name] ??= { requests: 0, tokens: 0, charged: 0, output: 0 });
          a.requests++;
          a.tokens += input + output;
          a.output += output;
          a.charged +=
            r.format.name === 'openai'
              ? input + (maxTokens ?? output)
              : input - (cacheReadsCountTowardItpm(model) ? 0 : Number(u.cache_read_input_tokens ?? 0));
        } catch {
          /* not JSON: nothing more to count */
        }
      });
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    limited: () => limited,
    answered: () => structuredClone(answered),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
