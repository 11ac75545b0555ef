/**
 * The diplomatic treaty's issues: each is a policy rate from 0% to 100%, and the two
 * ends say what the rate means, so a model can reason about a position in words.
 * Which issues a game uses is fixed (the first K), so seeds and configs name the same
 * treaty. Pure data.
 */
export interface TreatyIssue {
  name: string;
  /** what an agreement of 0% on this issue means */
  zero: string;
  /** what an agreement of 100% on this issue means */
  full: string;
}

export const TREATY_ISSUES: readonly TreatyIssue[] = [
  {
    name: 'Carbon cost on imports',
    zero: 'imports pay no carbon charge at the border',
    full: 'imports pay the full domestic carbon price at the border',
  },
  {
    name: 'Tariff elimination',
    zero: 'all current tariffs between the parties stay',
    full: 'all tariffs between the parties are removed',
  },
  {
    name: 'Emissions cut by 2040',
    zero: 'no binding cut in emissions',
    full: 'emissions cut to net zero by 2040',
  },
  {
    name: 'Fishing access',
    zero: "each party's waters stay closed to the other's fleets",
    full: 'all fishing grounds are shared in full',
  },
  {
    name: 'Arms inspection access',
    zero: 'no inspections of military sites',
    full: 'unannounced inspections of any military site',
  },
  {
    name: 'Medicine patent waiver',
    zero: 'patents on essential medicines are fully enforced',
    full: 'patents on essential medicines are waived entirely',
  },
  {
    name: 'Climate fund contribution',
    zero: 'no contribution to the joint climate fund',
    full: 'the full pledged contribution is paid every year',
  },
  {
    name: 'Visa-free travel',
    zero: 'every visitor needs a visa',
    full: 'all citizens of the parties travel without a visa',
  },
  {
    name: 'Farm subsidy phase-out',
    zero: 'farm subsidies are kept in full',
    full: 'farm subsidies are abolished',
  },
  {
    name: 'Binding dispute court',
    zero: "the treaty court's rulings are advisory only",
    full: "the treaty court's rulings are binding and enforced",
  },
  {
    name: 'Data localisation',
    zero: 'personal data flows freely across borders',
    full: "all citizens' personal data must be stored at home",
  },
  {
    name: 'Shared refugee intake',
    zero: 'each party handles only the arrivals on its own soil',
    full: 'all arrivals are shared between the parties by quota',
  },
];

/** Parameter bounds of the treaty game. ρ defaults to 0: positions independent across agents. */
export const TREATY_PARAMS = {
  issues: {
    min: 1,
    max: TREATY_ISSUES.length,
    default: 5,
    integer: true,
    description: 'number of issues K; the treaty uses the first K issues of the list',
  },
  rho: {
    min: -1,
    max: 1,
    default: 0,
    description:
      "rank (Spearman) correlation of the agents' ideal positions; for n > 2 agents it must be at least " +
      'rhoLowerBound(n)',
  },
  theta: {
    min: 0,
    max: 1,
    description: "cosine similarity of the agents' importance weights (the competition level)",
  },
} as const;

/** The first k issues; throws RangeError outside 1..12 (callers validate user input first). */
export function treatyIssues(k: number): TreatyIssue[] {
  const { min, max } = TREATY_PARAMS.issues;
  if (!Number.isInteger(k) || k < min || k > max)
    throw new RangeError(`issue count must be an integer ${min}..${max} (got ${k})`);
  return TREATY_ISSUES.slice(0, k);
}

export function issueNames(k: number): string[] {
  return treatyIssues(k).map((i) => i.name);
}
