/**
 * Draws the report's chart specs in Node (DESIGN §5): vega-lite → vega → a headless View
 * (renderer 'none') → SVG, and SVG → PNG through resvg. No browser, no network.
 */
import type * as vl from 'vega-lite';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ChartDef } from './charts.ts';

// The chart libraries load on first use, so commands that draw nothing start light.
const requireCjs = createRequire(import.meta.url);

export interface RenderedChart extends ChartDef {
  svg?: string;
  png?: Uint8Array;
  width?: number;
  height?: number;
}

/**
 * Cuts numbers inside tags to 2 decimals, and path data and transforms to 1 (a tenth of a pixel,
 * a fifth at the PNG's 2×; paths are most of a dense plot's bytes). Text content is left alone.
 */
function trimNumbers(svg: string): string {
  return svg.replace(/<[^>]+>/g, (tag) =>
    tag
      .replace(/\s(d|transform)="([^"]*)"/g, (_m, k, v) => ` ${k}="${v.replace(/(\d+\.\d)\d+/g, '$1')}"`)
      .replace(/(\d+\.\d\d)\d+/g, '$1'),
  );
}

/**
 * Makes ids inside one SVG unique on a page that inlines several (clip paths, gradients),
 * and the same on every render: vega numbers them with counters that run for the whole
 * process (clip1, clip16 …), so ids are renumbered in order of appearance.
 */
function scopeIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  const idOf = (id: string) => {
    let v = ids.get(id);
    if (!v) ids.set(id, (v = `${prefix}-${ids.size}`));
    return v;
  };
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) idOf(m[1]);
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id) => `id="${idOf(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id) => `url(#${idOf(id)})`)
    .replace(/href="#([^"]+)"/g, (_m, id) => `href="#${idOf(id)}"`);
}

export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const [vega, vlc] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vlc.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The PNG's long side at most (px): drawn at 2× for sharpness, less when the plot is large. */
export const MAX_PNG_SIDE = 4000;

/** The zoom for an SVG of `width` × `height`: 2×, or less so the long side stays within MAX_PNG_SIDE. */
export function pngScale(width: number, height: number, max = MAX_PNG_SIDE): number {
  const long = Math.max(width, height);
  // three decimals, rounded down: resvg rounds the zoomed size up
  return long * 2 <= max ? 2 : Math.floor((max / long) * 1000) / 1000;
}

const resvgOptions = (scale: number) => ({
  fitTo: { mode: 'zoom' as const, value: scale },
  background: 'white',
  font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
});

// resvg's pixmaps live outside V8's heap, which does not count them: in this process each
// PNG's (15 MB for a 1778 × 2166 px plot) stayed until a collection that nothing triggered.
// A short-lived worker per PNG frees everything when it exits. Plain CommonJS, no loader hooks.
const PNG_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Resvg } = require(workerData.resvg);
parentPort.postMessage(new Resvg(workerData.svg, workerData.options).render().asPng());
`;

/** The PNG of `svg` at `scale`, drawn by resvg in a worker thread (see PNG_WORKER). */
export function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  return new Promise((resolvePng, reject) => {
    const w = new Worker(PNG_WORKER, {
      eval: true,
      execArgv: [],
      workerData: { svg, resvg: requireCjs.resolve('@resvg/resvg-js'), options: resvgOptions(scale) },
    });
    let png: Uint8Array | undefined;
    w.once('message', (m: Uint8Array) => (png = new Uint8Array(m.buffer, m.byteOffset, m.byteLength)));
    w.once('error', reject);
    w.once('exit', (code) =>
      png ? resolvePng(png) : reject(new Error(`the PNG renderer stopped (exit code ${code}) without a PNG`)),
    );
  });
}

/** The PNG of `svg` at 2×, or smaller so its long side is at most MAX_PNG_SIDE. */
function svgToPngBounded(svg: string, width?: number, height?: number): Promise<Uint8Array> {
  if (width !== undefined && height !== undefined) return svgToPng(svg, pngScale(width, height));
  const { Resvg } = requireCjs('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const r = new Resvg(svg);
  return svgToPng(svg, pngScale(r.width, r.height));
}

/** Renders every non-empty chart to SVG (ids scoped per chart) and PNG. */
export async function renderCharts(defs: ChartDef[], opts: { png?: boolean } = {}): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const d of defs) {
    if (!d.spec) {
      out.push(d);
      continue;
    }
    const svg = scopeIds(trimNumbers(await renderSvg(d.spec)), `c-${d.id}`);
    const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
    const width = m ? Number(m[1]) : undefined,
      height = m ? Number(m[2]) : undefined;
    // without readable dimensions, let resvg report the size it drew and zoom to fit afterwards
    const png = opts.png === false ? undefined : await svgToPngBounded(svg, width, height);
    out.push({ ...d, svg, png, width, height });
  }
  return out;
}
