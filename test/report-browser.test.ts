/**
 * The report in a real browser: the offline demo grid through the real CLI (generate, run,
 * collect, report), then Debian's Chromium (headless, through playwright-core) opens the
 * pages with every request routed: no console error, no request beyond the file:// pages,
 * every plot visible, experiment links open, toggles reveal private notes; injected
 * transcript text never runs; a grid with a failure, a missing experiment and a single level
 * renders too. Skips, saying why, when /usr/bin/chromium is absent (.ci/run installs it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startBargain, tempDir } from './helpers/grid.ts';
import { INDEX_DATA_FILE } from '../src/report/index-page.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium; .ci/run does) to run the report browser tests`;

let browser: Browser | undefined;
const grids = {} as Record<'demo' | 'xss' | 'broken' | 'treaty' | 'cofunding' | 'levels', Promise<string>>;
const dirs: { dir: string; cleanup: () => void }[] = [];

before(async () => {
  if (skip) return;
  grids.demo = pipeline(['--grid', 'demo']);
  grids.xss = pipeline([
    '--grid',
    'demo',
    '--weak',
    'scripted:xss',
    '--strong',
    'scripted:boulware,scripted:nash',
    '--levels',
    '0.5',
    '--runs',
    '2',
  ]);
  grids.broken = pipeline(
    [
      '--grid',
      'demo',
      '--weak',
      'scripted:crash,scripted:linear,scripted:conceder',
      '--strong',
      'scripted:nash',
      '--levels',
      '0.5',
    ],
    ['--jobs', '0,1'],
    1,
  );
  grids.treaty = pipeline([
    '--grid',
    'demo',
    '--game',
    'treaty',
    '--weak',
    'scripted:conceder,scripted:random',
    '--strong',
    'scripted:greedy,scripted:nash',
    '--rho',
    '0,0.5',
    '--theta',
    '0.2,0.6,1',
    '--runs',
    '2',
  ]);
  grids.cofunding = pipeline([
    '--grid',
    'demo',
    '--game',
    'cofunding',
    '--weak',
    'scripted:conceder,scripted:random',
    '--strong',
    'scripted:greedy,scripted:nash',
    '--sigma',
    '0.5,1',
    '--alpha',
    '0.3,0.9',
    '--runs',
    '2',
  ]);
  // 101 competition levels (a fine level sweep): the plots take their compact forms, the tables page
  grids.levels = pipeline([
    '--grid',
    'demo',
    '--weak',
    'scripted:conceder,scripted:random',
    '--strong',
    'scripted:boulware,scripted:nash',
    '--levels',
    Array.from({ length: 101 }, (_, i) => String(i / 100)).join(','),
    '--runs',
    '2',
  ]);
  // a rejected pipeline is reported by the test that awaits it
  for (const g of Object.values(grids)) g.catch(() => {});
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
  for (const d of dirs) d.cleanup();
});

async function ok(args: string[], expectStatus = 0) {
  const r = await startBargain(args).done;
  assert.equal(r.status, expectStatus, `bargain ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * A results directory run through the real pipeline (generate, run, collect, report);
 * resolves to the report's index path. Started before the tests so the three grids run
 * while the browser works (each CLI start costs a second or more on a busy machine).
 */
async function pipeline(generateArgs: string[], runArgs: string[] = [], expectRunStatus = 0): Promise<string> {
  const d = tempDir('bargain-report-browser-');
  dirs.push(d);
  const dir = join(d.dir, 'results');
  await ok(['generate', ...generateArgs, '--results-dir', dir]);
  await ok(['run', '--results-dir', dir, '--parallel', '4', ...runArgs], expectRunStatus);
  await ok(['collect', '--results-dir', dir]);
  const rep = await ok(['report', '--results-dir', dir]);
  assert.match(rep.stdout, /Report: .*report\/index\.html/);
  return join(dir, 'report', 'index.html');
}

interface Watched {
  page: Page;
  problems: string[];
  requests: string[];
}

/** A page whose console errors, page errors and every request are recorded; only the report's own files may load. */
async function watchedPage(reportDir: string): Promise<Watched> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems: string[] = [];
  const requests: string[] = [];
  const allowed = pathToFileURL(resolve(reportDir)).href + '/';
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(allowed) && (url.endsWith('.html') || url === allowed + INDEX_DATA_FILE))
      return route.continue();
    problems.push(`blocked request: ${url}`);
    return route.abort();
  });
  return { page, problems, requests };
}

/** An experiment page with every run's timeline drawn (they are drawn by the page's script when opened). */
async function openAllTimelines(page: Page) {
  await page.getByRole('button', { name: 'Show all timelines' }).click();
  await page.waitForFunction(() => document.querySelectorAll('details.timeline:not([data-drawn])').length === 0);
  assert.ok((await page.locator('details.timeline[data-drawn] section.round').count()) > 0);
}

function assertOnlyPages(w: Watched, reportDir: string) {
  const allowed = pathToFileURL(resolve(reportDir)).href + '/';
  for (const u of w.requests)
    assert.ok(
      u.startsWith(allowed) && (/\.html(#.*)?$/.test(u) || u === allowed + INDEX_DATA_FILE),
      `unexpected request ${u}`,
    );
  assert.deepEqual(w.problems, []);
}

/** The pager line of an index data table ("rows a–b of n"). */
const pagerStatus = (page: Page, id: string) => page.locator(`[data-table="${id}"] [data-role="status"]`).innerText();

async function filterTable(page: Page, id: string, q: string) {
  await page.fill(`[data-table="${id}"] input[data-role="filter"]`, q);
}

/** The first column's cells of every page of a data table (from the first page on), as shown. */
async function allPages(page: Page, id: string, cells: string): Promise<string[]> {
  const box = page.locator(`[data-table="${id}"]`);
  await box.locator('button[data-go="first"]').click({ force: true });
  const out: string[] = [];
  for (;;) {
    out.push(...(await box.locator(`tbody tr ${cells}`).evaluateAll((es) => es.map((e) => e.textContent ?? ''))));
    const next = box.locator('button[data-go="next"]');
    if (await next.isDisabled()) return out;
    await next.click();
  }
}

/** Every experiment link of a data table, over all its pages. */
async function tableLinks(page: Page, id: string): Promise<string[]> {
  const box = page.locator(`[data-table="${id}"]`);
  await box.locator('button[data-go="first"]').click({ force: true });
  const out: string[] = [];
  for (;;) {
    out.push(...(await box.locator('tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!))));
    const next = box.locator('button[data-go="next"]');
    if (await next.isDisabled()) return out;
    await next.click();
  }
}

test('the demo grid report: no console errors, no network, visible plots, working links and toggles', {
  skip,
  timeout: 300_000,
}, async (t) => {
  const index = await grids.demo;
  const reportDir = join(index, '..');
  const w = await watchedPage(reportDir);
  await w.page.goto(pathToFileURL(index).href);
  assert.match(await w.page.title(), /Scaling experiment report/);

  // every plot is there and visible
  const plots = w.page.locator('figure.plot > svg');
  assert.equal(await plots.count(), 6);
  for (let i = 0; i < 6; i++) {
    const box = await plots.nth(i).boundingBox();
    assert.ok(box && box.width > 200 && box.height > 150, `plot ${i} box ${JSON.stringify(box)}`);
    assert.ok(await plots.nth(i).isVisible());
  }
  assert.equal(await w.page.locator('figure .notice').count(), 0, 'no "No plot" notices on the demo grid');
  // headline numbers
  const cards = await w.page.locator('.cards').innerText();
  assert.match(cards, /Experiments\s+120/);
  assert.match(cards, /Runs completed\s+480/);
  assert.match(cards, /Success rate\s+100\.0%/);

  // a screenshot for a human
  const outDir = process.env.BARGAIN_TEST_OUTPUT ?? join(tmpdir(), 'bargain-test-output');
  mkdirSync(outDir, { recursive: true });
  const shot = join(outDir, 'report-index.png');
  await w.page.screenshot({ path: shot, fullPage: false });
  t.diagnostic(`screenshot of the demo report: ${shot}`);
  const full = join(outDir, 'report-index-full.png');
  await w.page.screenshot({ path: full, fullPage: true });
  t.diagnostic(`full-page screenshot: ${full}`);

  // the experiments table fills from index-data.js under the CSP: pages of 50, a filter over all 120 rows
  const rows = w.page.locator('#experiments-table tbody tr');
  assert.equal(await rows.count(), 50);
  assert.equal(await pagerStatus(w.page, 'experiments-table'), 'rows 1–50 of 120');
  await filterTable(w.page, 'experiments-table', 'scripted:random');
  assert.equal(await rows.count(), 40);
  assert.equal(await pagerStatus(w.page, 'experiments-table'), 'rows 1–40 of 40 matching (120 in all)');
  await filterTable(w.page, 'experiments-table', '');

  // every experiment link, page by page, points at a page that exists
  const hrefs = await tableLinks(w.page, 'experiments-table');
  assert.equal(hrefs.length, 120);
  assert.equal(new Set(hrefs).size, 120);
  for (const h of hrefs) assert.ok(existsSync(join(reportDir, h)), h);
  await w.page.locator('[data-table="experiments-table"] button[data-go="first"]').click();
  await w.page.locator('#experiments-table a[href="experiments/7.html"]').click();
  await w.page.waitForURL(/experiments\/7\.html$/);
  assert.match(
    await w.page.locator('h1').innerText(),
    /^Experiment 7: scripted:conceder \(weak\) vs scripted:boulware \(strong\), level 0\.8/,
  );
  assert.equal(await w.page.locator('section.run').count(), 4);

  // timelines are drawn when opened, each from its run's data: none before
  assert.equal(await w.page.locator('section.round').count(), 0);
  const timelines = w.page.locator('details.timeline');
  assert.equal(await timelines.count(), 4);
  await timelines.nth(0).locator('summary').click();
  const first = timelines.nth(0);
  await first.locator('section.round').first().waitFor();
  assert.equal(await w.page.locator('details.timeline[data-drawn]').count(), 1);
  // its rounds: talk, proposals with their allocation tables, vote tallies, the outcome
  assert.match(await first.locator('.msg').first().innerText(), /^Agent_\d \(scripted:[a-z-]+, (weak|strong)\) says\n/);
  assert.match(await first.locator('.proposal').first().innerText(), /^Proposal 1 by Agent_\d[\s\S]*Goes to/);
  assert.ok((await first.locator('.proposal table.alloc').count()) > 0);
  assert.ok((await first.locator('h4', { hasText: 'Vote tally' }).count()) > 0);
  assert.match(
    await first.locator('.outcome').last().innerText(),
    /Deal in round \d+|No agreement after the last round/,
  );

  // private notes are hidden until toggled: one by its summary, then all by the button
  const note = first.locator('details.private.note').first();
  const noteText = note.locator('p.text');
  assert.equal(await noteText.isVisible(), false);
  await note.locator('summary').click();
  assert.equal(await noteText.isVisible(), true);
  assert.match(await noteText.innerText(), /I aim for at least \d+ of my 100 points/);
  await w.page.getByRole('button', { name: 'Show private notes and votes' }).click();
  const drawnPrivate = await w.page.locator('details.private').count();
  assert.ok(drawnPrivate > 10);
  assert.equal(await w.page.locator('details.private[open]').count(), drawnPrivate);
  assert.equal(await first.locator('details.private.vote p').last().isVisible(), true);
  // the buttons hold for timelines drawn after they were pressed
  await timelines.nth(1).locator('summary').click();
  await timelines.nth(1).locator('section.round').first().waitFor();
  const total = await w.page.locator('details.private').count();
  assert.ok(total > drawnPrivate);
  assert.equal(await w.page.locator('details.private[open]').count(), total);
  await w.page.getByRole('button', { name: 'Show raw outputs, prompts and calls' }).click();
  const raw = first.locator('details.calls').first();
  assert.match(await raw.locator('summary').innerText(), /^Raw outputs and model calls: \d+ turns?/);
  assert.equal(await raw.locator('div.turn pre').first().isVisible(), true);
  // every timeline at once
  await w.page.getByRole('button', { name: 'Show all timelines' }).click();
  await w.page.waitForFunction(() => document.querySelectorAll('details.timeline:not([data-drawn])').length === 0);
  assert.equal(
    await w.page.locator('details.timeline[open] section.round').count(),
    await w.page.locator('section.round').count(),
  );
  assert.equal(await w.page.locator('details.private[open]').count(), await w.page.locator('details.private').count());
  await w.page.getByRole('button', { name: 'Hide private notes and votes' }).click();
  assert.equal(await w.page.locator('details.private[open]').count(), 0);
  await w.page.getByRole('button', { name: 'Hide all timelines' }).click();
  assert.equal(await w.page.locator('details.timeline[open]').count(), 0);

  // neighbour and back links
  await w.page.locator('nav.top a', { hasText: 'Experiment 8 →' }).click();
  await w.page.waitForURL(/experiments\/8\.html$/);
  await w.page.locator('nav.top a', { hasText: '← Report' }).click();
  await w.page.waitForURL(/report\/index\.html$/);
  assertOnlyPages(w, reportDir);
  await w.page.close();
});

test('injected transcript text never runs and is shown literally, on every page', {
  skip,
  timeout: 300_000,
}, async () => {
  const index = await grids.xss;
  const reportDir = join(index, '..');
  const w = await watchedPage(reportDir);
  const { XSS_PAYLOADS } = await import('../src/agents/scripted/strategies.ts');
  for (const url of [index, join(reportDir, 'experiments', '0.html'), join(reportDir, 'experiments', '1.html')]) {
    await w.page.goto(pathToFileURL(url).href);
    await w.page.waitForLoadState('load');
    if (url !== index) {
      // open everything: every timeline, notes, votes, raw outputs and prompts
      await openAllTimelines(w.page);
      for (const name of ['Show private notes and votes', 'Show raw outputs, prompts and calls'])
        await w.page.getByRole('button', { name }).click();
      const body = await w.page.locator('body').innerText();
      for (const p of XSS_PAYLOADS) assert.ok(body.includes(p), `shown literally: ${p.slice(0, 50)}`);
      assert.equal(
        await w.page.locator('section.run img, section.run iframe, section.run svg, section.run script').count(),
        0,
      );
    }
    await w.page.waitForTimeout(100);
    assert.equal(await w.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined, url);
  }
  assertOnlyPages(w, reportDir);
  await w.page.close();
});

test('a single-level grid with a failed and an unstarted experiment: a correct report, nothing blank', {
  skip,
  timeout: 300_000,
}, async () => {
  const index = await grids.broken;
  const reportDir = join(index, '..');
  const w = await watchedPage(reportDir);
  await w.page.goto(pathToFileURL(index).href);
  const failures = await w.page.locator('h2#failures + div table').innerText();
  assert.match(
    failures,
    /scripted:crash vs scripted:nash\s+0\.5\s+FAILED\s+0 \/ 4\s+.*scripted:crash failed on purpose/,
  );
  assert.match(
    await w.page.locator('h2#missing ~ div table').first().innerText(),
    /2\s+scripted:conceder vs scripted:nash\s+0\.5\s+NOT_STARTED/,
  );
  assert.match(await w.page.locator('#headline').innerText(), /1 of 3 experiments have no result yet/);
  const plots = w.page.locator('figure.plot > svg');
  assert.ok((await plots.count()) >= 4);
  for (let i = 0; i < (await plots.count()); i++) {
    const box = await plots.nth(i).boundingBox();
    assert.ok(box && box.width > 150 && box.height > 100, `plot ${i}`);
  }
  // each empty chart says why instead of drawing nothing
  for (const n of await w.page.locator('figure .notice').allInnerTexts()) assert.match(n, /^No plot: .+/);
  // the failed experiment's page tells the reason
  await w.page.locator('h2#failures + div a[href="experiments/0.html"]').click();
  await w.page.waitForURL(/experiments\/0\.html$/);
  assert.match(await w.page.locator('.notice.bad').innerText(), /FAILED: .*scripted:crash failed on purpose/);
  assertOnlyPages(w, reportDir);
  await w.page.close();
  assert.ok(readFileSync(index, 'utf8').length < 2_000_000);
});

test('the index page at scale: tables fill from index-data.js, paged and filtered over all rows; hostile model names stay text; a missing data file is said', {
  skip,
  timeout: 300_000,
}, async () => {
  const { buildFixtureGrid } = await import('../src/report/testing/fixture-grid.ts');
  const { writeReport } = await import('../src/report/write.ts');
  const d = tempDir('bargain-report-browser-');
  dirs.push(d);
  const dir = join(d.dir, 'results');
  // 2 weak × 1 strong × 30 levels = 60 experiments (two pages); id 3 failed, id 5 never started
  const H = '<img src=x onerror="window.__pwned=1">&amp;"\'';
  await buildFixtureGrid(dir, {
    weak: [H, 'scripted:linear'],
    strong: ['scripted:nash'],
    levels: Array.from({ length: 30 }, (_, i) => Math.round((i / 29) * 1e6) / 1e6),
    numRuns: 2,
    synthetic: true,
    play: (m) => (m === H ? 'scripted:conceder' : m),
    fate: (id) => (id === 3 ? 'FAILED' : id === 5 ? 'NOT_STARTED' : 'SUCCESS'),
  });
  const out = await writeReport(dir, { resamples: 50, png: false });
  const reportDir = out.reportDir;
  const w = await watchedPage(reportDir);
  await w.page.goto(pathToFileURL(out.indexPath).href);

  // the first page of 50, then the last of 10; the pager says where it is
  const exp = w.page.locator('#experiments-table tbody tr');
  assert.equal(await exp.count(), 50);
  assert.equal(await pagerStatus(w.page, 'experiments-table'), 'rows 1–50 of 60');
  const box = w.page.locator('[data-table="experiments-table"]');
  assert.equal(await box.locator('button[data-go="prev"]').isDisabled(), true);
  await box.locator('button[data-go="next"]').click();
  assert.equal(await exp.count(), 10);
  assert.equal(await pagerStatus(w.page, 'experiments-table'), 'rows 51–60 of 60');
  assert.equal(await box.locator('button[data-go="next"]').isDisabled(), true);
  const ids = await allPages(w.page, 'experiments-table', 'td:first-child');
  assert.deepEqual(
    ids,
    Array.from({ length: 60 }, (_, i) => String(i)),
  );

  // the hostile name is text in every table it is in; no element came of it; nothing ran
  const weakCells = await allPages(w.page, 'experiments-table', 'td:nth-child(2)');
  assert.equal(weakCells.filter((c) => c === H).length, 30);
  assert.equal(await w.page.locator('table img, table [onerror]').count(), 0);
  assert.ok((await w.page.locator('#tables').evaluate(() => document.body.innerText)).includes(H));
  assert.equal(await w.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);

  // the filter runs over all rows, not the page shown: 30 of 60, from both pages
  await filterTable(w.page, 'experiments-table', 'scripted:linear');
  assert.equal(await pagerStatus(w.page, 'experiments-table'), 'rows 1–30 of 30 matching (60 in all)');
  const linear = await w.page.locator('#experiments-table tbody tr td:first-child').allInnerTexts();
  assert.equal(linear.length, 30);
  assert.ok(linear.some((id) => Number(id) >= 50) && linear.some((id) => Number(id) < 50), linear.join(','));
  await filterTable(w.page, 'experiments-table', 'onerror="window');
  assert.equal(await pagerStatus(w.page, 'experiments-table'), 'rows 1–30 of 30 matching (60 in all)');
  await filterTable(w.page, 'experiments-table', 'no such thing');
  assert.equal(await exp.count(), 0);
  assert.equal(await pagerStatus(w.page, 'experiments-table'), 'no rows match (60 in all)');
  await filterTable(w.page, 'experiments-table', 'failed');
  assert.equal(await exp.count(), 1);
  assert.equal(await w.page.locator('#experiments-table tbody tr.fail a[href="experiments/3.html"]').count(), 1);
  await filterTable(w.page, 'experiments-table', '');
  assert.equal(await exp.count(), 50);

  // links only to experiments that have a page: every one but the unstarted 5
  const hrefs = await tableLinks(w.page, 'experiments-table');
  assert.equal(hrefs.length, 59);
  assert.ok(!hrefs.includes('experiments/5.html'));
  for (const h of hrefs) assert.ok(existsSync(join(reportDir, h)), h);

  // the other paged tables: cells (in a closed <details>), strong × level, failures, missing
  await w.page.locator('details:has(#cells-table) > summary').click();
  assert.equal(await pagerStatus(w.page, 'cells-table'), 'rows 1–50 of 59');
  assert.equal(await w.page.locator('#cells-table tbody tr').first().locator('td .ci').count(), 10);
  assert.equal(await pagerStatus(w.page, 'strong-level-table'), 'rows 1–30 of 30');
  assert.match(
    await w.page.locator('#failures-table tbody').innerText(),
    /^3\s+.* vs scripted:nash\s+0\.103448\s+FAILED\s+1 \/ 2\s+.*provider returned 500 <b>Internal<\/b> "error"/,
  );
  assert.match(await w.page.locator('#missing-table tbody').innerText(), /^5\s+.*NOT_STARTED/);
  assert.equal(await w.page.locator('#missing-table a').count(), 0);
  assertOnlyPages(w, reportDir);
  assert.ok(w.requests.includes(pathToFileURL(join(reportDir, INDEX_DATA_FILE)).href), 'the data file was loaded');
  await w.page.close();

  // without the data file (or with one of another build) each paged table says so in one line
  const dataPath = join(reportDir, INDEX_DATA_FILE);
  const data = readFileSync(dataPath, 'utf8');
  rmSync(dataPath);
  const gone = await watchedPage(reportDir);
  await gone.page.goto(pathToFileURL(out.indexPath).href);
  for (const id of ['experiments-table', 'cells-table', 'strong-level-table', 'failures-table', 'missing-table']) {
    const body = gone.page.locator(`#${id} tbody tr`);
    assert.equal(await body.count(), 1, id);
    assert.match(
      (await body.textContent()) ?? '',
      /^The rows did not load: index-data\.js is missing or unreadable/,
      id,
    );
  }
  // the one complaint is the missing file itself
  assert.ok(
    gone.problems.length > 0 && gone.problems.every((p) => /ERR_FILE_NOT_FOUND/.test(p)),
    gone.problems.join('\n'),
  );
  await gone.page.close();
  writeFileSync(dataPath, data.replace(/"build":"[^"]*"/, '"build":"an older build"'));
  const stale = await watchedPage(reportDir);
  await stale.page.goto(pathToFileURL(out.indexPath).href);
  assert.match(
    (await stale.page.locator('#experiments-table tbody').textContent()) ?? '',
    /^The rows are not shown: index-data\.js is from another build of the report \(an older build\)/,
  );
  assertOnlyPages(stale, reportDir);
  await stale.page.close();
});

test('a treaty ρ × θ grid report: the per-ρ plot and agreement tables issue by issue render, no errors', {
  skip,
  timeout: 300_000,
}, async () => {
  const index = await grids.treaty;
  const reportDir = join(index, '..');
  const w = await watchedPage(reportDir);
  await w.page.goto(pathToFileURL(index).href);
  assert.match(await w.page.locator('.game-note').innerText(), /Diplomatic treaty: 24 experiment\(s\)/);
  const byRho = w.page.locator('#plot-advantage_vs_theta_by_rho > svg');
  assert.equal(await byRho.count(), 1);
  const box = await byRho.boundingBox();
  assert.ok(box && box.width > 200 && box.height > 150, `per-ρ plot box ${JSON.stringify(box)}`);
  assert.match(await byRho.innerHTML(), /ρ = 0\.5/);
  // an experiment page with agreements: proposals and the outcome as issue tables
  await w.page.goto(pathToFileURL(join(reportDir, 'experiments', '0.html')).href);
  assert.match(await w.page.locator('h1').innerText(), /treaty, θ 0\.2, ρ 0/);
  await openAllTimelines(w.page);
  const tables = w.page.locator('.proposal table.alloc');
  assert.ok((await tables.count()) > 0);
  assert.match(await tables.first().innerText(), /ideal \/ weight[\s\S]*Carbon cost on imports/);
  assertOnlyPages(w, reportDir);
  await w.page.close();
});

test('the cross-game view over the demo, treaty and co-funding grids renders in Chromium: both figures, one row per game', {
  skip,
  timeout: 300_000,
}, async () => {
  const dirs = [grids.demo, grids.treaty, grids.cofunding].map(async (g) => join(await g, '..', '..'));
  const [demo, treaty, cofunding] = await Promise.all(dirs);
  const out = join(demo, '..', 'compare');
  await ok(['compare', demo, treaty, cofunding, '--out', out]);
  const w = await watchedPage(out);
  await w.page.goto(pathToFileURL(join(out, 'compare.html')).href);
  const rows = w.page.locator('table tbody tr');
  assert.equal(await rows.count(), 3);
  assert.match(await rows.nth(0).innerText(), /^item allocation\s+120\s+480\s+-?\d\.\d{3} \[/);
  assert.match(await rows.nth(1).innerText(), /^diplomatic treaty\s+24\s+48\s+-?\d\.\d{3} \[/);
  assert.match(await rows.nth(2).innerText(), /^co-funding\s+16\s+32\s+-?\d\.\d{3} \[/);
  for (const id of ['cross_game_exploitation', 'cross_game_scaling']) {
    const svg = w.page.locator(`#plot-${id} > svg`);
    assert.equal(await svg.count(), 1, id);
    const box = await svg.boundingBox();
    assert.ok(box && box.width > 250 && box.height > 150, `${id} box ${JSON.stringify(box)}`);
  }
  assert.match(await w.page.locator('#plot-cross_game_scaling > svg').innerHTML(), /diplomatic treaty/);
  assert.match(await w.page.locator('#plot-cross_game_exploitation > svg').innerHTML(), /co-funding/);
  assertOnlyPages(w, out);
  await w.page.close();
});

test('a co-funding σ × α grid report: the per-σ plot, joint proposals and project tables render, no errors', {
  skip,
  timeout: 300_000,
}, async () => {
  const index = await grids.cofunding;
  const reportDir = join(index, '..');
  const w = await watchedPage(reportDir);
  await w.page.goto(pathToFileURL(index).href);
  assert.match(await w.page.locator('.game-note').innerText(), /Co-funding: 16 experiment\(s\)/);
  const bySigma = w.page.locator('#plot-advantage_vs_alpha_by_sigma > svg');
  assert.equal(await bySigma.count(), 1);
  assert.match(await bySigma.innerHTML(), /σ = 1/);
  await w.page.goto(pathToFileURL(join(reportDir, 'experiments', '0.html')).href);
  assert.match(await w.page.locator('h1').innerText(), /co-funding, α 0\.3, σ 0\.5/);
  await openAllTimelines(w.page);
  const body = await w.page.locator('body').innerText();
  assert.match(body, /Joint proposal 1/);
  assert.match(body, /Community solar array/);
  assertOnlyPages(w, reportDir);
  await w.page.close();
});

test('a 101-level grid: every plot bounded and visible, the scaling plot in one panel, long tables paged', {
  skip,
  timeout: 300_000,
}, async () => {
  const index = await grids.levels;
  const reportDir = join(index, '..');
  const w = await watchedPage(reportDir);
  await w.page.goto(pathToFileURL(index).href);
  assert.match(await w.page.locator('.cards').innerText(), /Experiments\s+404/);

  const plots = w.page.locator('figure.plot > svg');
  const n = await plots.count();
  assert.ok(n >= 6, `${n} plots`);
  for (let i = 0; i < n; i++) {
    const svg = plots.nth(i);
    const [width, height] = [Number(await svg.getAttribute('width')), Number(await svg.getAttribute('height'))];
    assert.ok(width > 200 && width <= 2000 && height > 150 && height <= 2000, `plot ${i}: ${width}×${height}`);
    assert.ok(await svg.isVisible());
  }
  // one panel of slopes per level instead of 101 panels
  assert.match(
    await w.page.locator('#plot-scaling figcaption').innerText(),
    /101 levels .* too many for a panel per level/,
  );
  const { pngInfo } = await import('../src/report/testing/png.ts');
  const pngs = readdirSync(join(reportDir, 'plots')).filter((f) => f.endsWith('.png'));
  assert.equal(pngs.length, n);
  for (const f of pngs) {
    const { width, height } = pngInfo(readFileSync(join(reportDir, 'plots', f)));
    assert.ok(Math.max(width, height) <= 4000, `${f}: ${width}×${height} px`);
  }

  // the per-level table is inline (101 rows); per strong model and level and per experiment are paged
  assert.match(await pagerStatus(w.page, 'experiments-table'), /^rows 1–50 of 404$/);
  await filterTable(w.page, 'experiments-table', '0.37');
  assert.equal(
    await w.page.locator('#experiments-table tbody tr').count(),
    4,
    'level 0.37: 2 weak × 2 strong experiments',
  );
  assertOnlyPages(w, reportDir);
  await w.page.close();
});
