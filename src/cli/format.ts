/** Plain-text rendering of run documents for the terminal. */
import type { RunDocument } from '../protocol/series.ts';

export function formatRun(r: RunDocument, items: readonly string[]): string[] {
  const seats =
    r.seat_rotation !== undefined
      ? `draw ${r.pair_index}, seats rotated by ${r.seat_rotation}`
      : `pair ${r.pair_index}${r.seats_swapped ? ', seats swapped' : ''}`;
  const out = [`Run ${r.run_index} (${seats}): cosine similarity ${r.cosine_similarity.toFixed(3)}`];
  for (const a of r.agents) {
    out.push(
      `  ${a.agent}  ${a.model}${a.role ? ` (${a.role})` : ''}  ` +
        (r.positions
          ? `positions [${r.positions[a.seat].join(', ')}] weights [${r.preferences[a.seat].join(', ')}]`
          : r.budgets
            ? `valuations [${r.preferences[a.seat].join(', ')}] budget ${r.budgets[a.seat]}`
            : `values [${r.preferences[a.seat].join(', ')}]`),
    );
  }
  if (r.costs) out.push(`  Costs [${r.costs.join(', ')}]`);
  if (r.consensus && r.contributions) {
    const costs = r.costs ?? [];
    const parts = items.map((name, j) => {
      const total = r.contributions!.reduce((t, x) => t + x[j], 0);
      return `${name} ${r.contributions!.map((x) => x[j]).join('+')}${total >= (costs[j] ?? Infinity) ? ' funded' : ''}`;
    });
    out.push(`  Agreement in round ${r.round}: ${parts.join(' | ')}`);
  } else if (r.consensus && r.agreement) {
    const parts = r.agreement.map((x, k) => `${items[k]} ${x}%`);
    out.push(`  Agreement in round ${r.round}: ${parts.join(' | ')}`);
  } else if (r.consensus && r.allocation) {
    const parts = Object.entries(r.allocation).map(
      ([ag, its]) => `${ag} <- ${its.length ? its.map((j) => items[j]).join(', ') : 'nothing'}`,
    );
    out.push(`  Agreement in round ${r.round}: ${parts.join(' | ')}`);
  } else {
    out.push('  No agreement: everyone gets 0');
  }
  out.push(
    '  Utilities: ' +
      r.agents.map((a) => `${a.agent} ${a.utility.toFixed(2)} (raw ${a.raw_utility})`).join(' | ') +
      (r.pareto_optimal === null ? '' : ` | Pareto optimal: ${r.pareto_optimal ? 'yes' : 'no'}`),
  );
  const bad = r.agents.filter((a) => a.repairs || a.voided);
  if (bad.length) out.push('  Repairs/voided: ' + bad.map((a) => `${a.agent} ${a.repairs}/${a.voided}`).join(' | '));
  return out;
}
