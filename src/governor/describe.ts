/** How a key's budgets read in progress lines and `bargain check` (labels only, never a key). */
import type { BudgetSnapshot } from './governor.ts';

/** 30000000 -> "30M", 450000 -> "450k", 500 -> "500" */
export function compactCount(n: number): string {
  if (!Number.isFinite(n)) return '∞';
  const f = (x: number) => (x >= 100 || Number.isInteger(x) ? String(Math.round(x)) : x.toFixed(1).replace(/\.0$/, ''));
  if (n >= 1e9) return `${f(n / 1e9)}G`;
  if (n >= 1e6) return `${f(n / 1e6)}M`;
  if (n >= 1e4) return `${f(n / 1e3)}k`;
  return String(Math.round(n));
}

const SOURCE_WORD = { learned: 'learned', capped: 'your cap', user: 'yours', default: 'default' } as const;

/**
 * A key's budgets and where they came from, by its label (never the key), e.g.
 * "OPENAI_API_KEY: 10000 rpm / 30M tpm learned", "ANTHROPIC_API_KEY: 4000 rpm / 2M itpm /
 * 400k otpm learned", "GEMINI_API_KEY: 1000 rpm / 1M tpm default", "OPENAI_API_KEY_2: 200 rpm
 * your cap / 30M tpm learned" (an announced limit above the user's --rpm).
 */
export function formatKeyLimits(b: Pick<BudgetSnapshot, 'key' | 'limits'>): string {
  const l = b.limits;
  const label = b.key.includes('/') ? b.key.slice(b.key.indexOf('/') + 1) : b.key;
  const tokens = l.split
    ? `${compactCount(l.tpm)} itpm${Number.isFinite(l.otpm) ? ` / ${compactCount(l.otpm)} otpm` : ''}`
    : `${compactCount(l.tpm)} tpm`;
  const rpm = `${Math.round(l.rpm)} rpm`;
  return l.rpmSource === l.tpmSource
    ? `${label}: ${rpm} / ${tokens} ${SOURCE_WORD[l.rpmSource]}`
    : `${label}: ${rpm} ${SOURCE_WORD[l.rpmSource]} / ${tokens} ${SOURCE_WORD[l.tpmSource]}`;
}
