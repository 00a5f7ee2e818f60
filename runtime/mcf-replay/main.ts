/**
 * Runs the MCF replay server until interrupted:
 *
 *   npm run mcf-replay -- --jobs 5000 --seed 7 --port 8090 --latency 50 --fault 429:0.02@detail
 *
 * Point the scraper at it with `--mcf-api-url http://127.0.0.1:8090 --mcf-web-url http://127.0.0.1:8090`.
 */
import { parseArgs } from 'node:util';
import { parseInteger } from '../../core/values.js';
import { parseFaultSpec } from './faults.js';
import { startReplayServer } from './server.js';

const HELP = `Usage: mcf-replay [options]
  --jobs N            jobs in the generated corpus (default 1000)
  --seed N            data set seed (default 1)
  --per-day N         new jobs per day, spreads posting dates (default 1500)
  --port N            port on 127.0.0.1 (default: one the OS picks)
  --latency MS        delay before every answer (default 0)
  --render-delay MS   job page script delay before rendering (default 30)
  --fault SPEC        KIND[:PROBABILITY][@ROUTE,...]; kinds latency 429 5xx 403 timeout reset malformed;
                      routes jobs search detail page; repeatable (e.g. --fault 429:0.05@detail)
  --fault-seed N      seed of random faults (default 1)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      'per-day': { type: 'string', default: '1500' },
      port: { type: 'string', default: '0' },
      latency: { type: 'string', default: '0' },
      'render-delay': { type: 'string', default: '30' },
      fault: { type: 'string', multiple: true, default: [] },
      'fault-seed': { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const server = await startReplayServer({
    corpus: {
      jobs: parseInteger('--jobs', values.jobs, { min: 0, max: 5_000_000 }),
      seed: parseInteger('--seed', values.seed, { min: 0 }),
      perDay: parseInteger('--per-day', values['per-day'], { min: 1 }),
    },
    port: parseInteger('--port', values.port, { min: 0, max: 65535 }),
    latencyMs: parseInteger('--latency', values.latency, { min: 0 }),
    renderDelayMs: parseInteger('--render-delay', values['render-delay'], { min: 0 }),
    faults: values.fault.map(parseFaultSpec),
    faultSeed: parseInteger('--fault-seed', values['fault-seed'], { min: 0 }),
    log: false,
  });
  console.log(`MCF replay: ${server.corpus.size} jobs on ${server.url} (Ctrl-C to stop)`);
  const stop = () => {
    server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});
