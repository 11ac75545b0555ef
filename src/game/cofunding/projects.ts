/**
 * The co-funding game's public projects: each named with what it delivers, so that a
 * contribution reads as paying for something concrete, not an abstract index. Pure data.
 */
export interface CofundingProject {
  name: string;
  /** what funding it buys */
  what: string;
}

export const COFUNDING_PROJECTS: readonly CofundingProject[] = [
  { name: 'Community solar array', what: 'solar panels on public roofs that cut the neighbourhood’s power bills' },
  { name: 'Public library extension', what: 'a new reading room and longer opening hours' },
  { name: 'Protected bike lanes', what: 'cycle lanes separated from traffic along the main roads' },
  { name: 'Park renovation', what: 'new paths, benches, trees and a playground in the central park' },
  { name: 'Youth sports hall', what: 'an indoor hall for clubs, school teams and evening leagues' },
  { name: 'Flood defence wall', what: 'a barrier that protects the low-lying streets from the river' },
  { name: 'Free public Wi-Fi', what: 'wireless internet in the squares, stations and libraries' },
  { name: 'Walk-in health clinic', what: 'a neighbourhood clinic with a nurse and a doctor on weekdays' },
  { name: 'LED street lighting', what: 'brighter, cheaper-to-run lights on the dark streets' },
  { name: 'Covered market hall', what: 'a roofed hall for a weekly farmers’ and makers’ market' },
  { name: 'Electric shuttle bus', what: 'a shuttle linking the outer estates to the town centre' },
  { name: 'Community garden', what: 'allotments, a shared greenhouse and a tool library' },
];

/** The projects of an M-project game: the first M of the list. */
export function cofundingProjects(m: number): CofundingProject[] {
  return COFUNDING_PROJECTS.slice(0, m);
}

/** A project as errors and prompts name it: its 0-based index and name. */
export function projectLabel(j: number): string {
  const p = COFUNDING_PROJECTS[j];
  return p ? `project ${j} (${p.name})` : `project ${j}`;
}

/** The co-funding game's parameters: bounds and defaults (the config schema and CLI flags derive theirs from here). */
export const COFUNDING_PARAMS = {
  projects: { min: 1, max: COFUNDING_PROJECTS.length, default: 5, name: 'num_projects' },
  /** α: cosine similarity of the valuation vectors, the game's competition level */
  alpha: { min: 0, max: 1, name: 'alpha' },
  /** σ: total budget ÷ total cost (budget scarcity); `min` is exclusive: σ ∈ (0, 1] */
  sigma: { min: 0, max: 1, default: 0.5, name: 'sigma' },
} as const;
