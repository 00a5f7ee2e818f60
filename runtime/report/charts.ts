/**
 * The report's charts: ECharts options built from {@link ReportData},
 * rendered on the server to static SVG (ECharts' SSR mode: no DOM, no
 * browser, no script in the page). A chart with nothing to draw is an empty
 * state that says why, instead of empty axes.
 */
import { BarChart, BoxplotChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ReportData } from './queries.js';

echarts.use([
  BarChart,
  BoxplotChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  AriaComponent,
  SVGRenderer,
]);

export interface Chart {
  /** Stable id (the figure's id in the page). */
  id: string;
  title: string;
  /** One line under the title: what is counted, and how. */
  caption: string;
  /** The chart as SVG, or undefined when there is nothing to draw. */
  svg?: string;
  /** Why the chart is empty, and what fills it. */
  empty?: string;
  /** A remark under the chart (for example: values estimated). */
  note?: string;
}

export const WIDTH = 960;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const fmt = (n: number) => n.toLocaleString('en-US');

/** Colours of the funnel stages and response kinds, the same in every chart. */
const STAGE_COLOURS = ['#94a3b8', '#60a5fa', '#2563eb', '#16a34a'];
const RESPONSE_COLOURS: Record<string, string> = {
  acknowledged: '#60a5fa',
  interview: '#16a34a',
  offer: '#a855f7',
  rejected: '#dc2626',
};

function renderSvg(option: echarts.EChartsCoreOption, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: FONT },
      ...option,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Bar labels with thousands separators. */
const barLabel = (position: 'top' | 'right', fontSize = 12) => ({
  show: true,
  position,
  fontSize,
  formatter: (p: { value: unknown }) =>
    typeof p.value === 'number' && p.value > 0 ? fmt(p.value) : '',
});
/** A legend along the top; ECharts estimates text widths without a browser, so items get room. */
const legend = { top: 0, itemGap: 28 };

const axisName = (name: string) => ({
  name,
  nameTextStyle: { fontSize: 12, color: '#334155' },
});

/** Axes of a horizontal bar chart: counts along the bottom (named), categories down the side. */
function horizontalAxes(categories: string[], countName: string, labelWidth: number) {
  return {
    xAxis: {
      type: 'value',
      minInterval: 1,
      ...axisName(countName),
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: {
      type: 'category',
      data: categories,
      axisLabel: { width: labelWidth, overflow: 'truncate', interval: 0 },
    },
  };
}

function noJobs(user: string | undefined): string {
  return user === undefined
    ? 'No jobs in the analytics file yet: the scraper has not stored any (run mcfpipe scrape, then mcfpipe report).'
    : `No jobs found for user ${user} yet: the scraper has not stored any for this user's tracks (run mcfpipe scrape).`;
}

export function stagesChart(d: ReportData): Chart {
  const c: Chart = {
    id: 'jobs-by-stage',
    title: 'Jobs by CRM stage',
    caption:
      'Every job found for you, by its status in the CRM; "not in CRM yet" are jobs the CRM sync has not added.',
  };
  if (d.totals.jobs === 0) return { ...c, empty: noJobs(d.user) };
  if (d.totals.inCrm === 0)
    c.note = `None of the ${fmt(d.totals.jobs)} jobs is in the CRM yet: run the CRM sync (mcfpipe sync) to work through them.`;
  const stages = d.stages;
  c.svg = renderSvg(
    {
      grid: { left: 70, right: 30, top: 40, bottom: 60 },
      xAxis: {
        type: 'category',
        data: stages.map((s) => s.stage),
        ...axisName('CRM stage'),
        nameLocation: 'middle',
        nameGap: 32,
        axisLabel: { interval: 0 },
      },
      yAxis: { type: 'value', minInterval: 1, ...axisName('jobs') },
      series: [
        {
          type: 'bar',
          name: 'jobs',
          data: stages.map((s) => s.jobs),
          itemStyle: { color: '#2563eb' },
          label: barLabel('top'),
        },
      ],
    },
    320,
  );
  return c;
}

export function funnelChart(d: ReportData): Chart {
  const c: Chart = {
    id: 'funnel-by-track',
    title: 'Funnel by track: found, screened, applied, response',
    caption:
      'Jobs per track that reached each stage: screened = moved past "new" in the CRM, applied = an application sent, response = the employer answered.',
  };
  if (d.totals.jobs === 0) return { ...c, empty: noJobs(d.user) };
  if (d.totals.inCrm === 0)
    c.note =
      'Only "found" has bars: no job is in the CRM yet, so none is screened or applied for (mcfpipe sync adds them).';
  const tracks = [...d.funnel].reverse();
  const stages = [
    ['found', (r: (typeof tracks)[number]) => r.found],
    ['screened', (r: (typeof tracks)[number]) => r.screened],
    ['applied', (r: (typeof tracks)[number]) => r.applied],
    ['response', (r: (typeof tracks)[number]) => r.responded],
  ] as const;
  c.svg = renderSvg(
    {
      legend,
      grid: { left: 180, right: 50, top: 36, bottom: 50 },
      ...horizontalAxes(
        tracks.map((t) => t.track),
        'jobs',
        160,
      ),
      series: stages.map(([name, value], i) => ({
        type: 'bar',
        name,
        data: tracks.map(value),
        itemStyle: { color: STAGE_COLOURS[i] },
        label: barLabel('right', 11),
      })),
    },
    Math.max(240, 70 + tracks.length * 90),
  );
  return c;
}

/** Days shown in the jobs-found chart, counted back from the newest. */
export const DAILY_WINDOW_DAYS = 60;
/** Search terms with their own colour in the jobs-found chart; the rest are "other terms". */
export const DAILY_TOP_TERMS = 8;

function dayRange(first: string, last: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end; t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export function dailyChart(d: ReportData): Chart {
  const c: Chart = {
    id: 'jobs-found-daily',
    title: 'Jobs found per day, by search',
    caption:
      'New jobs per day (the day the scraper first saw each job), stacked by the search term that found it.',
  };
  if (d.daily.length === 0)
    return {
      ...c,
      empty:
        d.totals.jobs === 0
          ? noJobs(d.user)
          : `None of the ${fmt(d.totals.jobs)} jobs has a first-seen date (job_search rows are missing: they are written by mcfpipe scrape).`,
    };
  const lastDay = d.daily[d.daily.length - 1]!.day;
  const from = new Date(Date.parse(`${lastDay}T00:00:00Z`) - (DAILY_WINDOW_DAYS - 1) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const rows = d.daily.filter((r) => r.day >= from);
  const days = dayRange(rows[0]!.day, lastDay);
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.searchTerm, (totals.get(r.searchTerm) ?? 0) + r.jobs);
  const terms = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const named = terms.slice(0, DAILY_TOP_TERMS).map(([t]) => t);
  const series = new Map<string, number[]>(
    [...named, ...(terms.length > named.length ? ['other terms'] : [])].map((t) => [
      t,
      days.map(() => 0),
    ]),
  );
  const dayIndex = new Map(days.map((day, i) => [day, i]));
  for (const r of rows) {
    const s = series.get(named.includes(r.searchTerm) ? r.searchTerm : 'other terms')!;
    s[dayIndex.get(r.day)!]! += r.jobs;
  }
  if (d.daily[0]!.day < from)
    c.note = `The last ${DAILY_WINDOW_DAYS} days of data are shown; the jobs_found_daily view in the SQLite file has every day.`;
  c.svg = renderSvg(
    {
      legend,
      // Room for the legend's rows (about four names a row) and the axis name above the plot.
      grid: { left: 70, right: 30, top: 44 + 26 * Math.ceil(series.size / 4), bottom: 70 },
      xAxis: {
        type: 'category',
        data: days,
        ...axisName('day first seen'),
        nameLocation: 'middle',
        nameGap: 48,
        axisLabel: { rotate: days.length > 14 ? 45 : 0 },
      },
      yAxis: { type: 'value', minInterval: 1, ...axisName('jobs found') },
      series: [...series.entries()].map(([name, data]) => ({
        type: 'bar',
        name,
        stack: 'found',
        data,
      })),
    },
    380,
  );
  return c;
}

export function salaryChart(d: ReportData): Chart {
  const c: Chart = {
    id: 'salary-by-track',
    title: 'Salary by track (SGD per month)',
    caption:
      "Spread of the advertised salary (the middle of each job's range) per track: the box runs from the 25th to the 75th percentile, the line inside is the median, the whiskers reach the lowest and highest.",
  };
  const other = d.totals.otherPeriods;
  const otherText = other.length
    ? ` ${other
        .map((o) =>
          o.jobs === 1
            ? `1 job states its salary as ${o.period}, not per month, and is left out`
            : `${fmt(o.jobs)} jobs state their salary as ${o.period}, not per month, and are left out`,
        )
        .join('; ')}.`
    : '';
  if (d.salary.length === 0)
    return {
      ...c,
      empty:
        d.totals.jobs === 0
          ? noJobs(d.user)
          : `None of the ${fmt(d.totals.jobs)} jobs found states a salary per month, so there is nothing to compare.${otherText}`,
    };
  const without = d.totals.jobs - d.totals.withSalary;
  if (without > 0 || other.length)
    c.note = `${fmt(d.totals.withSalary)} of ${fmt(d.totals.jobs)} jobs state a salary per month (annual salaries are divided by 12).${otherText}`;
  const tracks = d.salary;
  c.svg = renderSvg(
    {
      grid: { left: 90, right: 30, top: 30, bottom: 70 },
      xAxis: {
        type: 'category',
        data: tracks.map((t) => `${t.track}\n(${fmt(t.jobs)} jobs)`),
        ...axisName('track'),
        nameLocation: 'middle',
        nameGap: 50,
        axisLabel: {
          interval: 0,
          width: Math.max(80, WIDTH / tracks.length - 20),
          overflow: 'truncate',
        },
      },
      yAxis: {
        type: 'value',
        ...axisName('SGD per month'),
        axisLabel: { formatter: (v: number) => fmt(v) },
      },
      series: [
        {
          type: 'boxplot',
          name: 'salary, SGD per month',
          data: tracks.map((t) => [t.min, t.p25, t.median, t.p75, t.max]),
          itemStyle: { color: '#dbeafe', borderColor: '#2563eb' },
          boxWidth: [12, 60],
        },
      ],
    },
    360,
  );
  return c;
}

/** One chart per track: its ten most frequent skills. */
export function skillCharts(d: ReportData): Chart[] {
  const base = {
    title: 'Top skills',
    caption: 'The skills MyCareersFuture lists most often on the jobs found for the track.',
  };
  if (d.skills.length === 0) {
    return [
      {
        ...base,
        id: 'top-skills',
        title: 'Top skills per track',
        empty:
          d.totals.jobs === 0
            ? noJobs(d.user)
            : `None of the ${fmt(d.totals.jobs)} jobs found lists a skill (MyCareersFuture lists skills per job; the stored jobs carry none).`,
      },
    ];
  }
  const byTrack = new Map<string, Array<{ skill: string; jobs: number }>>();
  for (const r of d.skills) {
    const list = byTrack.get(r.track) ?? [];
    list.push({ skill: r.skill, jobs: r.jobs });
    byTrack.set(r.track, list);
  }
  const found = new Map(d.funnel.map((f) => [f.track, f.found]));
  return [...byTrack.entries()].map(([track, skills], i) => {
    const rows = [...skills].reverse();
    return {
      id: `top-skills-${i + 1}`,
      title: `Top skills: ${track}`,
      caption: `The ${skills.length} skills listed most often on the ${fmt(found.get(track) ?? 0)} jobs found for this track.`,
      svg: renderSvg(
        {
          grid: { left: 200, right: 50, top: 10, bottom: 50 },
          ...horizontalAxes(
            rows.map((r) => r.skill),
            'jobs listing the skill',
            180,
          ),
          series: [
            {
              type: 'bar',
              name: 'jobs',
              data: rows.map((r) => r.jobs),
              itemStyle: { color: '#0d9488' },
              label: barLabel('right', 11),
            },
          ],
        },
        60 + rows.length * 26,
      ),
    };
  });
}

/** Bins of the time-to-response chart, in days from the application. */
export const RESPONSE_BINS: Array<{ label: string; max: number }> = [
  { label: '0–3 days', max: 3 },
  { label: '4–7 days', max: 7 },
  { label: '8–14 days', max: 14 },
  { label: '15–30 days', max: 30 },
  { label: '31–60 days', max: 60 },
  { label: 'over 60 days', max: Number.POSITIVE_INFINITY },
];

export function responseChart(d: ReportData): Chart {
  const c: Chart = {
    id: 'time-to-response',
    title: 'Time to response',
    caption:
      "Days from the application (applied_date) to the employer's answer (response_date in the CRM), by kind of answer.",
  };
  if (d.responses.length === 0) {
    const why =
      d.totals.jobs === 0
        ? noJobs(d.user)
        : d.totals.applied === 0
          ? 'No application is recorded yet: set apply_status or applied_date in the CRM when you apply.'
          : d.totals.responded === 0
            ? `${fmt(d.totals.applied)} applications, and no answer recorded yet: set response (and response_date) in the CRM when an employer answers.`
            : `${fmt(d.totals.responded)} answers are recorded, but none has both an applied_date and a response date on or after it.`;
    return { ...c, empty: why };
  }
  const kinds = [...new Set(d.responses.map((r) => r.kind))].sort();
  const counts = new Map(kinds.map((k) => [k, RESPONSE_BINS.map(() => 0)]));
  for (const r of d.responses) {
    const bin = RESPONSE_BINS.findIndex((b) => r.days <= b.max);
    counts.get(r.kind)![bin]!++;
  }
  const sorted = d.responses.map((r) => r.days).sort((a, b) => a - b);
  const median = sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)]!;
  const estimated = d.responses.filter((r) => r.estimated).length;
  c.caption += ` Median: ${fmt(median)} days over ${fmt(sorted.length)} answers.`;
  if (estimated)
    c.note = `${fmt(estimated)} of ${fmt(sorted.length)} answer dates are estimated from the day the CRM row last changed (no response_date was set).`;
  c.svg = renderSvg(
    {
      legend,
      grid: { left: 70, right: 30, top: 40, bottom: 60 },
      xAxis: {
        type: 'category',
        data: RESPONSE_BINS.map((b) => b.label),
        ...axisName('time from application to answer'),
        nameLocation: 'middle',
        nameGap: 32,
      },
      yAxis: { type: 'value', minInterval: 1, ...axisName('answers') },
      series: kinds.map((k) => ({
        type: 'bar',
        name: k,
        stack: 'answers',
        data: counts.get(k),
        ...(RESPONSE_COLOURS[k] ? { itemStyle: { color: RESPONSE_COLOURS[k] } } : {}),
      })),
    },
    320,
  );
  return c;
}

/** Every chart of the report, in page order. */
export function reportCharts(d: ReportData): Chart[] {
  return [
    stagesChart(d),
    funnelChart(d),
    dailyChart(d),
    salaryChart(d),
    ...skillCharts(d),
    responseChart(d),
  ];
}
