/** The cross-game page (compare.html): the games side by side, their figures, where the runs came from. */
import type { RenderedChart } from './render.ts';
import type { GameSummary } from './cross-game.ts';
import { esc, int, num, page, table } from './html.ts';

function figure(c: RenderedChart): string {
  if (!c.svg) {
    return `<figure id="plot-${esc(c.id)}"><h3>${esc(c.title)}</h3><div class="notice">No plot: ${esc(c.empty ?? 'nothing to show')}.</div><figcaption>${esc(c.caption)}</figcaption></figure>`;
  }
  return `<figure id="plot-${esc(c.id)}" class="plot">${c.svg}<figcaption>${esc(c.caption)} <a href="plots/${esc(c.id)}.png">PNG</a> · <a href="plots/${esc(c.id)}.svg">SVG</a></figcaption></figure>`;
}

const ci = (s: { mean: number | null; lo: number | null; hi: number | null }, d = 3) =>
  s.mean === null ? '–' : `${num(s.mean, d)} [${num(s.lo, d)}, ${num(s.hi, d)}]`;

export function crossGamePage(p: { games: GameSummary[]; charts: RenderedChart[]; generatedAt: string }): string {
  const rows = table(p.games, [
    { head: 'Game', cell: (g) => esc(g.title) },
    { head: 'Experiments', num: true, cell: (g) => int(g.experiments) },
    { head: 'Runs', num: true, cell: (g) => int(g.runs) },
    { head: 'Stronger model: exploitation index', num: true, cell: (g) => ci(g.strong_exploitation) },
    { head: 'Weaker model: exploitation index', num: true, cell: (g) => ci(g.weak_exploitation) },
    { head: 'Advantage (points)', num: true, cell: (g) => ci(g.advantage, 2) },
    {
      head: 'Slope per 100 score points',
      num: true,
      cell: (g) => (g.pooled_fit?.fit ? num(g.pooled_fit.fit.slope * 100, 2) : esc(g.pooled_fit?.reason ?? '–')),
    },
    { head: 'Results directories', cell: (g) => g.dirs.map((d) => `<code>${esc(d)}</code>`).join('<br>') },
  ]);
  const body = `<h1>Across games: does the stronger model extract more than each game's fairness baseline?</h1>
<p class="muted">Generated ${esc(p.generatedAt)} · ${esc(p.games.length)} game(s). Means with 95% bootstrap intervals over runs (exploitation: runs with a deal). Each game's baseline is its own: the Nash bargaining solution (item allocation, treaty) or Lindahl shares (co-funding).</p>
${rows}
${p.charts.map(figure).join('\n')}`;
  return page('Cross-game comparison', body);
}
