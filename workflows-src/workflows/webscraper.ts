/**
 * webscraper.yml: the daily scrape. Every morning in Singapore (and on
 * demand) it deploys the webscraper layer (a new image only when its sources
 * changed) and runs N Fargate tasks, shard 0 to N-1 of the searches, then
 * puts each shard's scrape summary in the job summary. A dry run plans the
 * stack change and starts nothing.
 */
import { expr, stepOutput, type Workflow } from '../model.js';
import {
  awsCredentials,
  booleanInput,
  checkout,
  imageSteps,
  layerJob,
  layerTriggers,
  Names,
  publishStackOutputs,
  readConfig,
  VARS,
} from '../parts.js';

/**
 * Reads the `{"mcfpipe_scrape_summary": ...}` line each shard prints last and
 * writes one table row per shard to the job summary. Values come from the
 * scraper's log: they are escaped for Markdown and HTML, and nothing of them
 * is printed to the step's log, where the runner would read workflow commands.
 */
const SCRAPE_SUMMARY = `python3 - <<'PY'
import json, os, subprocess

COLUMNS = ["pages", "listed", "new", "updated", "unchanged", "stored", "failed", "quarantined"]

streams = [s for s in os.environ["LOG_STREAMS"].splitlines() if s.strip()]

def cell(value):
    text = str(value).replace("\\n", " ")
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "&#124;"), ("\`", "&#96;")):
        text = text.replace(a, b)
    return text

def summaries():
    """The last mcfpipe_scrape_summary line of each stream, read in one call for all shards."""
    found = subprocess.run(
        ["aws", "logs", "filter-log-events", "--log-group-name", os.environ["LOG_GROUP"],
         "--log-stream-names", *streams, "--filter-pattern", '"mcfpipe_scrape_summary"', "--output", "json"],
        capture_output=True, text=True)
    if found.returncode != 0:
        return {}, "log not readable: " + (found.stderr.strip().splitlines() or ["?"])[-1]
    by_stream = {}
    for event in json.loads(found.stdout or "{}").get("events", []):
        try:
            by_stream[event["logStreamName"]] = json.loads(event["message"])["mcfpipe_scrape_summary"]
        except (ValueError, KeyError, TypeError):
            continue
    return by_stream, "no summary line: the task stopped before the end of its run"

rows = ["| shard | status | " + " | ".join(COLUMNS) + " | pending | failed searches | minutes |",
        "| --- | --- | " + " | ".join("---:" for _ in COLUMNS) + " | ---: | --- | ---: |"]
totals = dict.fromkeys(COLUMNS, 0)
found, problem = summaries()
for index, stream in enumerate(streams):
    summary = found.get(stream)
    if not summary:
        rows.append(f"| {index} | {cell(problem)} |" + " |" * (len(COLUMNS) + 3))
        continue
    counters = summary.get("counters", {})
    for c in COLUMNS:
        totals[c] += int(counters.get(c, 0) or 0)
    status = summary.get("status", "?") + (f" ({summary['reason']})" if summary.get("reason") else "")
    failed = ", ".join(f"{s.get('term')}: {s.get('error')}" for s in summary.get("searches", {}).get("failed", []))
    rows.append("| " + " | ".join([str(index), cell(status), *(cell(counters.get(c, 0)) for c in COLUMNS),
                                     cell(summary.get("pending", 0)), cell(failed or "none"),
                                     cell(round(float(summary.get("durationS", 0)) / 60, 1))]) + " |")
rows.append("| all | | " + " | ".join(str(totals[c]) for c in COLUMNS) + " | | | |")
with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
    out.write(f"## Scrape: {len(streams)} shard(s)\\n\\n" + "\\n".join(rows) + "\\n")
PY
`;

/** Scheduled runs have no inputs: they scrape the environment the repository variable names. */
const names = new Names(`inputs.environment || vars.${VARS.scrapeEnvironment}`);
const DRY_RUN = 'inputs.dry-run';

/** Inputs of a run by hand or from deploy.yml (a scheduled run has none: the defaults apply). */
const SCRAPE_INPUTS = {
  shards: {
    type: 'string' as const,
    description: `Number of tasks (shards), 1 to 50 (empty: ${VARS.scrapeShards}, else 1)`,
    required: false,
    default: '',
  },
  force: booleanInput("Scrape again even when today's run is complete (SCRAPER_FORCE)", false),
  'dry-run': booleanInput('Plan the stack change and start nothing', false),
  scrape: booleanInput('Run the shards after deploying (false: deploy only)', true),
};

export const webscraper: Workflow = {
  file: 'webscraper.yml',
  source: 'workflows-src/workflows/webscraper.ts',
  name: 'webscraper',
  summary: `Deploys the webscraper layer and scrapes MyCareersFuture with N Fargate tasks (shards), daily at 06:17 Singapore time in the environment named by the ${VARS.scrapeEnvironment} repository variable (no scheduled run when it is unset), or on demand. Needs db-api.`,
  on: {
    schedule: [
      { cron: '17 22 * * *', comment: '22:17 UTC = 06:17 Asia/Singapore (UTC+8 all year)' },
    ],
    ...layerTriggers(SCRAPE_INPUTS, SCRAPE_INPUTS),
  },
  permissions: {},
  jobs: {
    deploy: layerJob(names, 'webscraper', {
      name: 'Deploy the webscraper',
      if: `github.event_name != 'schedule' || vars.${VARS.scrapeEnvironment} != ''`,
      timeoutMinutes: 60,
      outputs: {
        cluster: stepOutput('stack', 'ClusterName'),
        'task-definition': stepOutput('stack', 'TaskDefinitionFamily'),
        container: stepOutput('stack', 'ContainerName'),
      },
      steps: [
        checkout(expr('inputs.ref')),
        awsCredentials('webscraper'),
        readConfig('network', names, 'network', [
          'PublicSubnet1Id',
          'PublicSubnet2Id',
          'SGPrivate',
        ]),
        readConfig('api', names, 'db-api', ['ApiUrl']),
        ...imageSteps({ component: 'webscraper', names, dryRun: DRY_RUN }),
        {
          kind: 'local',
          name: 'Deploy the webscraper stack (dry run: plan it)',
          id: 'stack',
          action: 'deploy-stack',
          with: {
            name: names.stack('webscraper'),
            template: 'cloudformation/webscraper.yaml',
            mode: expr(`${DRY_RUN} && 'plan' || 'deploy'`),
            parameters: [
              `Env=${names.environment}`,
              `Image=${stepOutput('image', 'uri')}`,
              `DbApiUrl=${stepOutput('api', 'ApiUrl')}`,
              `ConfigBucketName=${names.configBucket}`,
              `SubnetIds=${stepOutput('network', 'PublicSubnet1Id')},${stepOutput('network', 'PublicSubnet2Id')}`,
              `SecurityGroupIds=${stepOutput('network', 'SGPrivate')}`,
              '',
            ].join('\n'),
            tags: names.stackTags,
            'timeout-minutes': '20',
          },
        },
        { ...publishStackOutputs(names, 'webscraper', 'stack'), if: `!${DRY_RUN}` },
      ],
    }),
    scrape: layerJob(names, 'webscraper-scrape', {
      name: 'Scrape',
      needs: ['deploy'],
      if: `!${DRY_RUN} && (github.event_name == 'schedule' || inputs.scrape)`,
      timeoutMinutes: 150,
      steps: [
        awsCredentials('webscraper'),
        {
          kind: 'local',
          name: 'Run the shards',
          id: 'run',
          action: 'run-fargate-task',
          with: {
            cluster: expr('needs.deploy.outputs.cluster'),
            'task-definition': expr('needs.deploy.outputs.task-definition'),
            container: expr('needs.deploy.outputs.container'),
            'network-config': names.configUrl('network'),
            count: expr(`inputs.shards || vars.${VARS.scrapeShards} || '1'`),
            environment: `SCRAPER_FORCE=${expr(`inputs.force && 'true' || 'false'`)}\n`,
            'timeout-minutes': '120',
          },
        },
        {
          kind: 'run',
          name: "Each shard's scrape summary",
          if: `always() && steps.run.outputs.log-stream != ''`,
          env: {
            LOG_GROUP: stepOutput('run', 'log-group'),
            LOG_STREAMS: stepOutput('run', 'log-stream'),
          },
          run: SCRAPE_SUMMARY,
        },
      ],
    }),
  },
};
