/**
 * drift.yml: weekly, and on demand, deploy-stack's drift detection on every
 * layer stack of the environments named by MCFPIPE_DRIFT_ENVIRONMENTS (a JSON
 * list, e.g. ["dev","prod"]; no scheduled run when it is unset). Each stack's
 * drifted resources land in the job summary; the job fails listing the
 * stacks that drifted.
 */
import { expr, type Step, stepOutput, type Workflow } from '../model.js';
import { awsCredentials, checkout, environmentInput, layerJob, Names, VARS } from '../parts.js';

const LAYERS = ['network', 'db-api', 'tester', 'webscraper'];
const names = new Names('matrix.environment');

function driftStep(layer: string): Step {
  return {
    kind: 'local',
    name: `Drift of ${layer}`,
    id: layer.replace(/-/g, '_'),
    if: 'always()',
    action: 'deploy-stack',
    with: { name: names.stack(layer), mode: 'drift', 'fail-on-drift': 'false' },
  };
}

export const drift: Workflow = {
  file: 'drift.yml',
  source: 'workflows-src/workflows/drift.ts',
  name: 'drift',
  summary: `Weekly drift detection on every layer stack of the environments in the ${VARS.driftEnvironments} repository variable (a JSON list such as ["dev"]; no scheduled run when it is unset), or of one environment on demand. Fails listing the stacks whose resources were changed outside CloudFormation.`,
  on: {
    schedule: [{ cron: '23 1 * * 1', comment: 'Mondays 01:23 UTC = 09:23 Asia/Singapore' }],
    workflowDispatch: { inputs: { environment: environmentInput() } },
  },
  permissions: {},
  jobs: {
    drift: layerJob(names, 'drift', {
      name: 'Drift',
      if: `github.event_name != 'schedule' || vars.${VARS.driftEnvironments} != ''`,
      timeoutMinutes: 30,
      strategy: {
        failFast: false,
        matrix: {
          environment: expr(
            `fromJSON(github.event_name == 'schedule' && vars.${VARS.driftEnvironments} || format('["{0}"]', inputs.environment))`,
          ),
        },
      },
      steps: [
        checkout(),
        awsCredentials('drift'),
        ...LAYERS.map(driftStep),
        {
          kind: 'run',
          name: 'Verdict',
          if: 'always()',
          env: Object.fromEntries(
            LAYERS.flatMap((layer) => {
              const id = layer.replace(/-/g, '_');
              const key = id.toUpperCase();
              return [
                [`${key}_STATUS`, stepOutput(id, 'drift-status')],
                [`${key}_DRIFTED`, stepOutput(id, 'drifted-resources')],
              ];
            }),
          ),
          run: VERDICT(LAYERS.map((l) => l.replace(/-/g, '_').toUpperCase())),
        },
      ],
    }),
  },
};

function VERDICT(keys: string[]): string {
  return `drifted=()
unknown=()
for layer in ${keys.join(' ')}; do
  status_var="\${layer}_STATUS"; count_var="\${layer}_DRIFTED"
  name="$(echo "$layer" | tr '[:upper:]_' '[:lower:]-')"
  case "\${!status_var}" in
    IN_SYNC) ;;
    DRIFTED) count="\${!count_var}"; drifted+=("$name ($count resource$([[ $count == 1 ]] || echo s))") ;;
    *) unknown+=("$name") ;;
  esac
done
if ((\${#unknown[@]})); then echo "::warning::Drift not known for: \${unknown[*]} (see the steps above)."; fi
if ((\${#drifted[@]})); then
  echo "::error title=Drift::Changed outside CloudFormation: \${drifted[*]}. The job summary lists each resource; redeploy the layer or bring the change into its template."
  exit 1
fi
echo "No drift."
`;
}
