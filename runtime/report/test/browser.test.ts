/**
 * The report as a person sees it: the HTML file opened from disk in headless
 * Debian Chromium, with every network request refused and recorded. Every
 * chart must be there with marks drawn, nothing fetched, no console error.
 * Screenshots go to test-artifacts/report/ (gitignored) for a look.
 *
 * A test tier (core/testing/tiers.ts): skipped with the reason when Chromium
 * is not installed, except in CI (CI=true), where a missing browser fails.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tierAvailable } from '../../../core/testing/tiers.js';
import { exportAnalytics } from '../export.js';
import { renderReport } from '../render.js';
import { sgt } from './known-data.js';
import { memoryRows } from './rows.js';
import { SyntheticData } from './synthetic.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = tierAvailable(
  'report (headless Chromium)',
  existsSync(CHROMIUM),
  `there is no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`,
);

/** Where the screenshots and the pages they show are kept after the run. */
const ARTEFACTS = resolve(import.meta.dirname, '../../../test-artifacts/report');

let browser: Browser;
let profile: string;
let dir: string;

beforeAll(async () => {
  if (!available) return;
  mkdirSync(ARTEFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-report-browser-'));
  profile = mkdtempSync(join(tmpdir(), 'mcfpipe-report-chromium-'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      `--user-data-dir=${profile}`,
    ],
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  for (const d of [dir, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

interface Seen {
  errors: string[];
  requests: string[];
  figures: Array<{
    id: string;
    title: string;
    marks: number;
    width: number;
    height: number;
    empty: string | null;
  }>;
  newJobLinks: number;
  asOf: string | null;
}

/** Runs in the page (plain JavaScript: the browser's DOM, not Node's types). */
const INSPECT = `(() => ({
  figures: [...document.querySelectorAll('figure')].map((f) => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    return {
      id: f.id,
      title: f.querySelector('h2')?.textContent ?? '',
      // ECharts marks every drawn data element (bar, box) with this attribute.
      marks: f.querySelectorAll('svg [ecmeta_ssr_type="chart"]').length,
      width: box.width,
      height: box.height,
      empty: f.querySelector('.empty')?.textContent ?? null,
    };
  }),
  newJobLinks: document.querySelectorAll('#new-jobs tbody a[href^="https://"]').length,
  asOf: document.querySelector('header time')?.textContent ?? null,
}))()`;

/** Writes the page, opens it from disk, and reports what the browser saw; screenshot as `name`.png. */
async function open(html: string, name: string): Promise<Seen> {
  const file = join(ARTEFACTS, `${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  try {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn')
        errors.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${String(e)}`));
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      if (req.url() === url) return void req.continue();
      requests.push(req.url());
      void req.abort();
    });
    await page.setViewport({ width: 1100, height: 900 });
    const res = await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
    expect(res?.ok() ?? true).toBe(true);
    const seen = (await page.evaluate(INSPECT)) as Omit<Seen, 'errors' | 'requests'>;
    await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
    return { ...seen, errors, requests };
  } finally {
    await page.close();
  }
}

describe.skipIf(!available)('the report in headless Chromium', () => {
  it('shows every chart with marks drawn, loads nothing, logs no error', async () => {
    const data = new SyntheticData({ jobs: 1500, crm: 500, perDay: 250 });
    const file = join(dir, 'analytics.sqlite');
    await exportAnalytics({
      rows: memoryRows(data.tables()),
      file,
      now: () => sgt('2026-03-01 09:00'),
    });
    const { html } = renderReport(file, { now: () => sgt('2026-03-01 09:05') });
    const seen = await open(html, 'report');

    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([]);
    expect(seen.asOf).toMatch(/^2026-\d\d-\d\d \d\d:\d\d$/);
    expect(seen.figures.map((f) => f.id)).toEqual([
      'jobs-by-stage',
      'funnel-by-track',
      'jobs-found-daily',
      'salary-by-track',
      'top-skills-1',
      'top-skills-2',
      'top-skills-3',
      'time-to-response',
    ]);
    for (const f of seen.figures) {
      expect(f.empty, f.id).toBeNull();
      expect(f.marks, `${f.id}: marks drawn`).toBeGreaterThan(0);
      expect(f.width, `${f.id}: width`).toBeGreaterThan(300);
      expect(f.height, `${f.id}: height`).toBeGreaterThan(100);
    }
    // A bar per CRM stage with jobs; a box per track.
    expect(seen.figures.find((f) => f.id === 'salary-by-track')!.marks).toBe(3);
    expect(seen.figures.find((f) => f.id === 'top-skills-1')!.marks).toBe(10);
    expect(seen.newJobLinks).toBe(20);
  }, 60_000);

  it('shows the empty states, with why, when there is no data', async () => {
    const file = join(dir, 'empty.sqlite');
    await exportAnalytics({ rows: memoryRows({}), file });
    const seen = await open(renderReport(file).html, 'report-empty');
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([]);
    expect(seen.figures.length).toBeGreaterThanOrEqual(6);
    for (const f of seen.figures) {
      expect(f.marks, f.id).toBe(0);
      expect(f.empty, f.id).toMatch(/^No jobs in the analytics file yet/);
    }
  }, 30_000);
});
