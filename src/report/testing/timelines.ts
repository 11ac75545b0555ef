/**
 * Test helper: an experiment page as Chromium holds it once its timelines are opened, in Node.
 * timeline.js (the same source the page runs, unpacking included) is evaluated with node:vm and
 * fed the page's data blocks exactly as the browser's textContent gives them (script data is not
 * entity-decoded).
 */
import { loadTimeline } from '../timeline-script.ts';

const T = loadTimeline();
const DATA = /<script type="application\/json" id="([^"]+)">([^<]*)<\/script>/g;

/** The page's inert data blocks by id, as their text. */
export function dataBlocks(page: string): Map<string, string> {
  return new Map([...page.matchAll(DATA)].map((m) => [m[1], m[2]]));
}

export const withoutData = (page: string) => page.replace(DATA, '');

/** What the page shows before any timeline opens: no data blocks, no script source. */
export const shown = (page: string) => withoutData(page).replace(/<script>[\s\S]*?<\/script>/, '');

/** A run's transcript lines as the page carries them (unpacked by timeline.js, as in the browser). */
export function runLines(page: string, run: number | string): Promise<string> {
  const block = dataBlocks(page).get(`transcript-run-${run}`);
  return block === undefined ? Promise.resolve('') : T.unpack(block);
}

/** The page (data blocks removed) with every run's timeline drawn into its body, as the DOM glue does. */
export async function drawTimelines(page: string): Promise<string> {
  const data = dataBlocks(page);
  const ctx = JSON.parse(data.get('timeline-context') ?? '{"runs":{}}');
  const drawn = new Map<string, string>();
  for (const m of page.matchAll(/<details class="timeline" data-run="(\d+)">/g))
    drawn.set(m[1], T.renderRun(await runLines(page, m[1]), { items: ctx.items, ...ctx.runs[m[1]] }));
  return withoutData(page).replace(
    /(<details class="timeline" data-run="(\d+)">.*?<div class="timeline-body">).*?(<\/div><\/details>)/gs,
    (_m, open: string, run: string, close: string) => open + drawn.get(run) + close,
  );
}
