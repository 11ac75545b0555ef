/**
 * The treaty's issues: policy rates from 0% to 100%, each named with what its ends mean,
 * so that a position reads as policy, not as an abstract number. Pure data.
 */
export interface TreatyIssue {
  name: string;
  /** what 0% means */
  zero: string;
  /** what 100% means */
  full: string;
}

export const TREATY_ISSUES: readonly TreatyIssue[] = [
  { name: 'Carbon cost on imports', zero: 'no border carbon charge', full: 'the full domestic carbon price' },
  { name: 'Tariff reduction', zero: 'tariffs stay as they are', full: 'all tariffs abolished' },
  { name: 'Fishing quota cut', zero: 'quotas unchanged', full: 'fishing stopped entirely' },
  { name: 'Visa-free travel', zero: 'visas for everyone', full: 'visa-free travel for all citizens' },
  { name: 'Climate fund contribution', zero: 'nothing paid in', full: 'the full requested share paid in' },
  { name: 'Data localisation', zero: 'data may be stored anywhere', full: 'all data stored at home' },
  { name: 'Troop reduction at the border', zero: 'no reduction', full: 'all troops withdrawn' },
  { name: 'Patent waiver for medicines', zero: 'no waiver', full: 'all patents waived' },
  { name: 'Shared grid electricity', zero: 'no power traded', full: 'all power traded on a shared grid' },
  { name: 'River water to the downstream side', zero: 'none guaranteed', full: 'the whole flow guaranteed' },
  { name: 'Agricultural subsidy phase-out', zero: 'subsidies kept', full: 'subsidies abolished' },
  { name: 'Joint inspection of facilities', zero: 'no inspections', full: 'unannounced inspections anywhere' },
];

/** The issues of a K-issue treaty: the first K of the list; throws RangeError outside 1..12 (callers validate user input first). */
export function treatyIssues(k: number): TreatyIssue[] {
  if (!Number.isInteger(k) || k < 1 || k > TREATY_ISSUES.length)
    throw new RangeError(`issue count must be an integer 1..${TREATY_ISSUES.length} (got ${k})`);
  return TREATY_ISSUES.slice(0, k);
}

/** The treaty's parameters: bounds and defaults (the config schema and CLI flags derive theirs from here). */
export const TREATY_PARAMS = {
  issues: { min: 1, max: TREATY_ISSUES.length, default: 5, name: 'num_issues' },
  /** ρ: rank correlation of the positions; 0 = unrelated positions, the default */
  rho: { min: -1, max: 1, default: 0, name: 'rho' },
  /** θ: cosine similarity of the weights, the treaty's competition level */
  theta: { min: 0, max: 1, name: 'theta' },
} as const;

/** An issue as errors name it: its 0-based index and name. */
export function issueLabel(j: number): string {
  const issue = TREATY_ISSUES[j];
  return issue ? `issue ${j} (${issue.name})` : `issue ${j}`;
}

/** The names of a K-issue treaty's issues. */
export function issueNames(k: number): string[] {
  return treatyIssues(k).map((i) => i.name);
}
