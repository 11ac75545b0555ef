/**
 * Where each model stands with its provider on a given day (DESIGN §3, "Models come and go"),
 * from the registry's lifecycle rows (data: models.json, a --models FILE). A model is
 *   retired     on and after its `retires` date (or when its page said retired and gave no date)
 *   unreleased  before its `released` date
 *   deprecated  on and after its `deprecated` date, or when its page said so
 *   active      otherwise; a user's model without a lifecycle row is taken as active
 * Commands refuse a grid holding a retired model before any request (assertUsable), one
 * line per model with its date, successor and how to go on; a model retiring before the
 * grid is expected to end is a warning. Pure apart from the clock default.
 */
import { UserError } from '../errors.ts';
import type { Lifecycle, ModelEntry, Registry } from './registry.ts';

export type LifeStatus = 'active' | 'deprecated' | 'retired' | 'unreleased';

export interface ModelStanding {
  name: string;
  status: LifeStatus;
  /** shutdown date, if announced */
  retires?: string;
  /** days from `on` to `retires` (negative once retired) */
  daysLeft?: number;
  successor?: string;
  reroutedTo?: string;
  source?: string;
  read?: string;
}

const DAY_MS = 86_400_000;

/** Today as YYYY-MM-DD (UTC). */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The status of a lifecycle row on day `on` (YYYY-MM-DD). */
export function statusOn(l: Lifecycle | undefined, on: string): LifeStatus {
  if (!l) return 'active';
  if (l.retires !== undefined) {
    if (on >= l.retires) return 'retired';
  } else if (l.status === 'retired') {
    return 'retired';
  }
  if (l.released !== undefined && on < l.released) return 'unreleased';
  if ((l.deprecated !== undefined && on >= l.deprecated) || l.status !== 'active') return 'deprecated';
  return 'active';
}

export function standing(entry: ModelEntry, on: string): ModelStanding {
  const l = entry.lifecycle;
  return {
    name: entry.name,
    status: statusOn(l, on),
    ...(l?.retires !== undefined ? { retires: l.retires, daysLeft: daysBetween(on, l.retires) } : {}),
    ...(l?.successor !== undefined ? { successor: l.successor } : {}),
    ...(l?.rerouted_to !== undefined ? { reroutedTo: l.rerouted_to } : {}),
    ...(l ? { source: l.source, read: l.read } : {}),
  };
}

/** "claude-3-opus: retired on 2026-01-05; successor claude-opus-4-8 (source …, read …)" */
export function standingLine(s: ModelStanding, withSource = false): string {
  const when =
    s.status === 'retired'
      ? s.retires
        ? `retired on ${s.retires}`
        : 'retired'
      : s.status === 'unreleased'
        ? 'not released yet'
        : s.retires
          ? `retires on ${s.retires} (in ${s.daysLeft} day${s.daysLeft === 1 ? '' : 's'})`
          : s.status;
  const next = s.successor ? `; successor ${s.successor}` : '';
  const rerouted = s.reroutedTo ? `; reported to be answered by ${s.reroutedTo}` : '';
  const src = withSource && s.source ? ` (${s.source}, read ${s.read})` : '';
  return `${s.name}: ${when}${next}${rerouted}${src}`;
}

/** A grid refused for its retired models: several lines, never prefixed with one config's path. */
export class RetiredModelsError extends UserError {
  constructor(
    readonly models: ModelStanding[],
    on: string,
  ) {
    super(
      [
        `${models.length} model${models.length === 1 ? '' : 's'} of this grid ${models.length === 1 ? 'is' : 'are'} not served on ${on}; nothing was sent:`,
        ...models.map((s) => `  ${standingLine(s)}`),
        "fix: choose a grid of live models (--grid current or --grid ladder; bargain models shows each model's status), " +
          'replace these in a --models FILE, or pass --allow-retired if your key is still served them by arrangement',
      ].join('\n'),
    );
    this.name = 'RetiredModelsError';
  }
}

export interface UsableOptions {
  /** the run date, YYYY-MM-DD (default today) */
  on?: string;
  /** --allow-retired: warn instead of refusing */
  allowRetired?: boolean;
  /** the day the grid is expected to end (models retiring by then are warned about) */
  until?: string;
}

/**
 * Refuses (RetiredModelsError) when any API model is retired or not yet released on the run
 * date; returns warning lines for deprecated models retiring by `until`, and, with
 * --allow-retired, for the retired ones let through.
 */
export function assertUsable(registry: Registry, models: readonly string[], o: UsableOptions = {}): string[] {
  const on = o.on ?? today();
  const until = o.until ?? on;
  const refused: ModelStanding[] = [];
  const warnings: string[] = [];
  for (const name of new Set(models)) {
    const e = registry.find(name);
    if (!e) continue;
    const s = standing(e, on);
    if (s.status === 'retired' || s.status === 'unreleased') {
      if (o.allowRetired) warnings.push(`warning: --allow-retired: ${standingLine(s)}`);
      else refused.push(s);
    } else if (s.retires !== undefined && s.retires <= until) {
      warnings.push(
        `warning: ${s.name} retires on ${s.retires}, before this grid is expected to end (${until}); finish it before then or choose another model${s.successor ? ` (successor ${s.successor})` : ''}`,
      );
    }
  }
  if (refused.length) throw new RetiredModelsError(refused, on);
  return warnings;
}
