/**
 * Last line of defence against key leaks: every message that leaves the provider layer
 * (errors, warnings, route descriptions) goes through scrub(). Known key values are
 * registered when the environment is loaded; common key shapes (sk-…, AIza…, Bearer …)
 * are masked even when unknown, because providers echo partial keys in error bodies.
 * No imports outside node: this module must stay usable from anywhere.
 */
const secrets = new Set<string>();

/** Remember a secret value so that scrub() removes it wherever it appears. */
export function registerSecret(value: string | undefined): void {
  // very short values would mask ordinary words; no real API key is that short
  if (value && value.length >= 6) secrets.add(value);
}

const KEY_SHAPES: RegExp[] = [
  /\bsk-[A-Za-z0-9_*.-]{6,}/g, // OpenAI, Anthropic (sk-ant-), OpenRouter (sk-or-v1-)
  /\bAIza[0-9A-Za-z_-]{10,}/g, // Google API keys
  /(Bearer\s+)[^\s"',;]+/gi, // an Authorization header echoed back
  /((?:x-api-key|x-goog-api-key)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, // an auth header echoed back
  /([?&](?:api[_-]?)?key=)[^\s"'&]+/gi, // a key in a query string
];

/**
 * Only the registered values removed: for model text (an answer that echoes a key), where the
 * key shapes below would also mask ordinary words ("the bearer of", "key=value").
 */
export function scrubSecrets(text: string): string {
  let out = text;
  // longest first, so a key that contains another registered key is removed whole
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('[redacted]');
  return out;
}

export function scrub(text: string): string {
  let out = scrubSecrets(text);
  for (const re of KEY_SHAPES) {
    out = out.replace(re, (m: string, prefix?: string) =>
      typeof prefix === 'string' && m.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return out;
}

/**
 * Registers the userinfo of a URL (user:password@host) as secrets, raw and percent-decoded,
 * so that no message or record can carry it; true when the URL has any.
 */
export function registerUrlCredentials(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (!u.username && !u.password) return false;
  const dec = (x: string) => {
    try {
      return decodeURIComponent(x);
    } catch {
      return x;
    }
  };
  for (const v of [u.password, dec(u.password), `${u.username}:${u.password}`, `${dec(u.username)}:${dec(u.password)}`])
    registerSecret(v);
  // a user name alone may be the secret (https://TOKEN@host)
  if (!u.password) {
    registerSecret(u.username);
    registerSecret(dec(u.username));
  }
  return true;
}

/** A URL for display: credentials and query strings removed (both can carry keys). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return scrub(url);
  }
}
