/**
 * The browser path's renderer: Debian's Chromium driven by puppeteer-core,
 * headless, with a fresh profile per run (deleted at the end). Images, fonts,
 * media and style sheets are not loaded: the scraper needs the DOM only, and
 * the site is spared the bytes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import type { RawAnswer } from '../http/polite.js';
import { NOT_FOUND_TESTID, PAGE_READY_SELECTOR } from '../page/testids.js';

export interface PageRenderer {
  /** Loads and renders a job page; status 404 when the site says the job is gone. */
  render(url: string, signal: AbortSignal): Promise<RawAnswer>;
  close(): Promise<void>;
}

export interface ChromiumOptions {
  /** Default: CHROMIUM_PATH, else /usr/bin/chromium (Debian's package). */
  executablePath?: string;
  /** Longest wait for the app to render a page, ms (default 20000). */
  renderTimeoutMs?: number;
  /** Extra command-line switches. */
  args?: string[];
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const BLOCKED = new Set(['image', 'font', 'media', 'stylesheet']);

export async function launchChromium(opts: ChromiumOptions = {}): Promise<PageRenderer> {
  const { default: puppeteer } = await import('puppeteer-core');
  const executablePath = opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const userDataDir = await mkdtemp(join(tmpdir(), 'mcfpipe-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      userDataDir,
      args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(
      `Cannot start Chromium at ${executablePath}: ${(err as Error).message.split('\n')[0]}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`,
      { cause: err },
    );
  }
  const timeout = opts.renderTimeoutMs ?? 20_000;
  return {
    async render(url, signal) {
      const page = await browser.newPage();
      const onAbort = () => void page.close().catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await page.setRequestInterception(true);
        page.on('request', (req) => {
          if (BLOCKED.has(req.resourceType())) void req.abort().catch(() => undefined);
          else void req.continue().catch(() => undefined);
        });
        const res = await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
        const status = res?.status() ?? 0;
        if (status >= 400 || status === 0)
          return { status, text: '', retryAfter: res?.headers()['retry-after'] ?? null };
        await page.waitForSelector(PAGE_READY_SELECTOR, { timeout });
        if (await page.$(`[data-testid="${NOT_FOUND_TESTID}"]`)) return { status: 404, text: '' };
        return { status, text: await page.content() };
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if ((err as Error).name === 'TimeoutError') {
          const e = new Error(`rendering ${url} timed out`) as Error & { code: string };
          e.code = 'ETIMEDOUT';
          throw e;
        }
        throw err;
      } finally {
        signal.removeEventListener('abort', onAbort);
        await page.close().catch(() => undefined);
      }
    },
    async close() {
      await browser.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
