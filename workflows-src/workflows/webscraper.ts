/**
 * webscraper.yml: the daily pipeline. Every morning in Singapore (and on
 * demand) it deploys the webscraper layer (a new image only when its sources
 * changed) and runs N Fargate tasks, shard 0 to N-1 of the searches, then
 * puts each shard's scrape summary in the job summary. After the shards, one
 * after the other: scoring (a Fargate task on the same image), the CRM sync
 * to Google Sheets (on the runner, with the Google key and a role that may
 * only call the DB API routes of the sync) and the report (a Fargate task
 * writing to the config bucket, linked from the job summary). A dry run
 * plans the stack change and starts nothing. docs/deploy.md says why each
 * stage runs where it does.
 */
import { expr, type RunStep, type Step, stepOutput, type Workflow } from '../model.js';
import {
  awsCredentials,
  booleanInput,
  checkout,
  imageSteps,
  installDependencies,
  layerJob,
  layerTriggers,
  Names,
  publishStackOutputs,
  readConfig,
  SECRETS,
  setupNode,
  VARS,
} from '../parts.js';
import { REPORT_SUMMARY, SCORE_SUMMARY, SCRAPE_SUMMARY } from './task-summaries.js';

/** Scheduled runs have no inputs: they scrape the environment the repository variable names. */
const names = new Names(`inputs.environment || vars.${VARS.scrapeEnvironment}`);
const DRY_RUN = 'inputs.dry-run';

/**
 * Scoring runs once the shards have finished, also when one failed: a failed or stopped
 * shard stored fewer jobs, never a half-written one (rows are written whole and keyed), so
 * the scores of what is stored are right; the searches it missed are scraped on the next run (it resumes
 * from its checkpoint) and their jobs scored then, as scoring takes only what is new or
 * changed. The run stays red, since the scrape job failed. Not after a cancelled or skipped
 * scrape (a dry run, deploy only).
 */
const AFTER_THE_SHARDS = `!cancelled() && (needs.scrape.result == 'success' || needs.scrape.result == 'failure')`;

/**
 * A stage as a Fargate task: the stages task definition (same image as the shards, its own
 * role) with the command's name as the container command; the task's exit code is the verdict.
 */
function stageTask(command: 'score' | 'report', name: string, minutes: number): Step {
  return {
    kind: 'local',
    name,
    id: command,
    action: 'run-fargate-task',
    with: {
      cluster: expr('needs.deploy.outputs.cluster'),
      'task-definition': expr('needs.deploy.outputs.stages-task-definition'),
      container: expr('needs.deploy.outputs.stages-container'),
      'network-config': names.configUrl('network'),
      command: `["${command}"]`,
      'timeout-minutes': String(minutes),
    },
  };
}

/** The stage's summary line from its log, in the job summary (also when the task failed). */
function taskSummary(id: string, script: string): RunStep {
  return {
    kind: 'run',
    name: 'Summary',
    if: `always() && steps.${id}.outputs.log-stream != ''`,
    env: {
      LOG_GROUP: stepOutput(id, 'log-group'),
      LOG_STREAMS: stepOutput(id, 'log-stream'),
    },
    run: script,
  };
}

/**
 * Decides whether the sync runs: without the Google key it is skipped with a notice (a fork,
 * or a user without a spreadsheet); with the key but without the sync role it fails, naming
 * what to set. Nothing of the key is printed: only whether it is set reaches the script.
 */
const SYNC_CONFIGURED = `if [[ "$KEY_SET" != true ]]; then
  echo "::notice title=CRM sync skipped::No ${SECRETS.googleKey} secret in this repository or GitHub environment: the CRM spreadsheet is not synced (docs/deploy.md, The CRM spreadsheet)."
  echo "CRM sync skipped: no ${SECRETS.googleKey} secret." >> "$GITHUB_STEP_SUMMARY"
  echo "configured=false" >> "$GITHUB_OUTPUT"
  exit 0
fi
if [[ -z "$SYNC_ROLE" ]]; then
  echo "::error title=CRM sync::${SECRETS.googleKey} is set but the variable ${VARS.syncRole} is not: set it on this GitHub environment to the SyncRoleArn output of the environment's github-oidc stack (docs/deploy.md, The CRM spreadsheet)."
  exit 1
fi
echo "configured=true" >> "$GITHUB_OUTPUT"
`;

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
        'stages-task-definition': stepOutput('stack', 'StagesTaskDefinitionFamily'),
        'stages-container': stepOutput('stack', 'StagesContainerName'),
        'report-location': stepOutput('stack', 'ReportLocation'),
        'api-url': stepOutput('api', 'ApiUrl'),
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
        checkout(expr('inputs.ref')),
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
    score: layerJob(names, 'webscraper-score', {
      name: 'Score',
      needs: ['deploy', 'scrape'],
      if: AFTER_THE_SHARDS,
      timeoutMinutes: 60,
      steps: [
        checkout(expr('inputs.ref')),
        awsCredentials('webscraper'),
        stageTask('score', 'Score the new and changed jobs (mcfpipe score)', 45),
        taskSummary('score', SCORE_SUMMARY),
      ],
    }),
    sync: layerJob(names, 'webscraper-sync', {
      name: 'Sync the CRM spreadsheet',
      needs: ['deploy', 'score'],
      if: `!cancelled() && needs.score.result == 'success'`,
      timeoutMinutes: 20,
      steps: [
        {
          kind: 'run',
          name: `Is the Google key configured? (no ${SECRETS.googleKey}: no sync)`,
          id: 'key',
          outputs: ['configured'],
          env: {
            KEY_SET: expr(`secrets.${SECRETS.googleKey} != ''`),
            SYNC_ROLE: expr(`vars.${VARS.syncRole}`),
          },
          run: SYNC_CONFIGURED,
        },
        ...[
          checkout(expr('inputs.ref')),
          setupNode(),
          installDependencies(),
          awsCredentials('sheets-sync', { variable: VARS.syncRole, what: 'sync role' }),
          {
            kind: 'run' as const,
            name: 'Sync the CRM spreadsheet with the database (mcfpipe sheets init, mcfpipe sync)',
            id: 'sync',
            env: {
              DB_API_URL: expr('needs.deploy.outputs.api-url'),
              GOOGLE_SERVICE_ACCOUNT_KEY: expr(`secrets.${SECRETS.googleKey}`),
              SHEETS_SPREADSHEET_ID: expr(`vars.${VARS.spreadsheet}`),
            },
            // The tabs first: sheets init creates them on a new spreadsheet, repairs missing
            // headers and adds nothing twice (it moves and deletes nothing), so a first run
            // needs nothing done by hand.
            run: 'npm run --silent mcfpipe -- sheets init --backend sheets\nnpm run --silent mcfpipe -- sync --backend sheets\n',
          },
        ].map((step) => ({ ...step, if: `steps.key.outputs.configured == 'true'` })),
      ],
    }),
    report: layerJob(names, 'webscraper-report', {
      name: 'Report',
      needs: ['deploy', 'score', 'sync'],
      // After the sync, whichever way it went: a failed sync writes nothing half-way, and the
      // report of the scored jobs is worth having without it.
      if: `!cancelled() && needs.score.result == 'success' && (needs.sync.result == 'success' || needs.sync.result == 'failure')`,
      timeoutMinutes: 45,
      steps: [
        checkout(expr('inputs.ref')),
        awsCredentials('webscraper'),
        stageTask('report', 'Build the analytics file and the report (mcfpipe report)', 30),
        {
          ...taskSummary('report', REPORT_SUMMARY),
          env: {
            LOG_GROUP: stepOutput('report', 'log-group'),
            LOG_STREAMS: stepOutput('report', 'log-stream'),
            REPORT_LOCATION: expr('needs.deploy.outputs.report-location'),
          },
        },
      ],
    }),
  },
};
