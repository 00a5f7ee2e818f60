/**
 * The report page: one static, self-contained HTML file (inline CSS and SVG,
 * no script, no font or image fetched; a Content-Security-Policy forbids
 * loading anything), readable offline and in a browser that blocks the network.
 * Every value from the data (job titles, company names, skills, search terms)
 * is escaped; links are only http(s).
 */
import { escapeUTF8 as esc } from 'entities';
import { VERSION } from '../../core/version.js';
import type { Chart } from './charts.js';
import type { NewJob, ReportData } from './queries.js';

export interface PageOptions {
  /** When the page was made, already formatted (`YYYY-MM-DD HH:MM`). */
  generatedAt: string;
  /** Where the data came from, for the footer (e.g. the analytics file's name). */
  sourceNote?: string;
}

const fmt = (n: number) => n.toLocaleString('en-US');

const CSS = `
:root { color-scheme: light; --ink: #0f172a; --muted: #475569; --line: #e2e8f0; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f8fafc; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 24px; padding: 0; list-style: none; }
.kpis li { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 130px; }
.kpis b { display: block; font-size: 22px; }
section, figure { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; margin: 0 0 20px; }
figure svg { display: block; max-width: 100%; height: auto; }
.caption { color: var(--muted); margin: 0 0 8px; font-size: 14px; }
.note { color: #92400e; background: #fffbeb; border-radius: 6px; padding: 6px 10px; margin: 8px 0 0; font-size: 14px; }
.empty { display: flex; align-items: center; justify-content: center; min-height: 120px; text-align: center; color: var(--muted); background: #f1f5f9; border-radius: 8px; padding: 16px 24px; margin: 8px 0 0; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
a { color: var(--accent); }
footer { color: var(--muted); font-size: 13px; }
@media print { body { background: #fff; } section, figure { break-inside: avoid; } }
`;

/** `href` only for http(s) URLs; anything else is shown as text. */
function safeUrl(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function salary(j: NewJob): string {
  if (j.salaryMin === null && j.salaryMax === null) return '';
  if (j.salaryMin !== null && j.salaryMax !== null && j.salaryMin !== j.salaryMax)
    return `${fmt(j.salaryMin)}–${fmt(j.salaryMax)}`;
  return fmt((j.salaryMin ?? j.salaryMax)!);
}

function newJobsSection(d: ReportData): string {
  const head = `<h2>Top-scored new jobs</h2>
<p class="caption">Jobs still "new" in the CRM (or not in it yet), highest score first; salaries in SGD per month.</p>`;
  if (d.newJobs.length === 0) {
    const why =
      d.totals.jobs === 0
        ? 'No jobs found yet: run the scraper (mcfpipe scrape).'
        : `No new jobs waiting: all ${fmt(d.totals.jobs)} jobs found are past the "new" stage in the CRM.`;
    return `<section id="new-jobs">${head}<p class="empty">${esc(why)}</p></section>`;
  }
  const unscored =
    d.totals.scored === 0
      ? '<p class="note">No job is scored yet (mcfpipe score), so they are listed newest first.</p>'
      : '';
  const rows = d.newJobs.map((j) => {
    const href = safeUrl(j.url);
    const title = href
      ? `<a href="${esc(href)}" rel="noopener noreferrer">${esc(j.title)}</a>`
      : esc(j.title);
    return `<tr><td class="num">${j.score === null ? '–' : esc(j.score.toFixed(1))}</td><td>${title}</td><td>${esc(j.company ?? '')}</td><td>${esc(j.track)}</td><td class="num">${esc(salary(j))}</td><td class="num">${esc(j.found ?? '')}</td></tr>`;
  });
  return `<section id="new-jobs">${head}${unscored}
<table>
<thead><tr><th class="num">score</th><th>job</th><th>company</th><th>track</th><th class="num">SGD per month</th><th class="num">found</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`;
}

function figure(c: Chart): string {
  const body = c.svg
    ? `<div class="chart" role="img" aria-label="${esc(c.title)}">${c.svg}</div>`
    : `<p class="empty">${esc(c.empty ?? 'Nothing to show.')}</p>`;
  return `<figure id="${esc(c.id)}" class="${c.svg ? 'has-chart' : 'is-empty'}">
<h2>${esc(c.title)}</h2>
<p class="caption">${esc(c.caption)}</p>
${body}${c.note ? `\n<p class="note">${esc(c.note)}</p>` : ''}
</figure>`;
}

export function reportHtml(d: ReportData, charts: Chart[], opts: PageOptions): string {
  const who = d.user === undefined ? 'no user yet' : `user ${d.user}`;
  const asOf = d.dataAsOf ?? 'no data yet';
  const t = d.totals;
  const kpis = [
    ['jobs found', t.jobs],
    ['in the CRM', t.inCrm],
    ['applied', t.applied],
    ['answers', t.responded],
  ]
    .map(([label, n]) => `<li><b>${fmt(n as number)}</b>${esc(label as string)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="mcfpipe ${esc(VERSION)}">
<title>Job search report, ${esc(who)}: data as of ${esc(asOf)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>Job search report</h1>
<p class="meta">${esc(who[0]!.toUpperCase() + who.slice(1))} · data as of <time>${esc(asOf)}</time> (${esc(d.timezone)}, the newest change in the tables) · report made ${esc(opts.generatedAt)}</p>
<ul class="kpis">${kpis}</ul>
<p class="meta">Charts below, then the <a href="#new-jobs">top-scored new jobs</a>.</p>
</header>
${charts.map(figure).join('\n')}
${newJobsSection(d)}
<footer>
<p>Made by mcfpipe ${esc(VERSION)}${opts.sourceNote ? ` from ${esc(opts.sourceNote)}` : ''}. The numbers come from the views of the analytics SQLite file (jobs_by_stage, funnel_by_track, jobs_found_daily, salary_stats_by_track, top_skills_by_track, time_to_response); open it with any SQLite tool for the rows behind a chart.</p>
</footer>
</main>
</body>
</html>
`;
}
