/**
 * One bad row never stops a scrape: a track written around the DB API
 * (straight into DynamoDB) with `search_terms: 5` used to end `mcfpipe
 * scrape` with exit 1 ("t.search_terms is not iterable") before any fetch,
 * for every user. Now it is reported (table, id, field, rule) and skipped,
 * and every other track is scraped.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli.js';
import { DbApiClient } from '../../db-api/client.js';
import { type LocalDbApi, startLocalDbApi } from '../../db-api/local/server.js';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { expectedUuids, harness, startReplay, track } from './helpers.js';

let server: ReplayServer;
beforeAll(async () => {
  server = await startReplay({ corpus: { seed: 51, jobs: 150 } });
});
afterAll(async () => {
  await server?.stop();
});

describe('a stored row that breaks the schema', () => {
  it('is reported and skipped; the other tracks are scraped (memory storage)', async () => {
    const bad = { ...track('eve', 'bad', ['x']), search_terms: 5 };
    const h = harness(server, [bad as never, track('ann', 'eng', ['engineer'])]);
    const summary = await h.run();
    expect(summary.status).toBe('complete');
    expect(summary.counters.skipped_rows).toBe(1);
    expect(new Set(h.storage.jobs.keys())).toEqual(expectedUuids(server.corpus, ['engineer']));
    const warned = h.logger.lines.filter((l) => l.msg.startsWith('skipped a stored row'));
    expect(warned.map((l) => l.fields)).toEqual([
      {
        table: 'track',
        id: 'eve:bad',
        field: 'search_terms',
        rule: 'type',
        problem: 'must be a list of strings',
      },
    ]);
  });

  describe('through the DB API (mcfpipe scrape)', () => {
    let api: LocalDbApi;
    let dir: string;
    beforeAll(async () => {
      api = await startLocalDbApi();
      dir = mkdtempSync(join(tmpdir(), 'mcfpipe-bad-rows-'));
    });
    afterAll(async () => {
      await api?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('exits 0 with the bad track reported, and a bad job row is fetched again and repaired', async () => {
      const raw = (table: 'track' | 'job', item: Record<string, unknown>) =>
        api.dynamo.send(
          new PutItemCommand({ TableName: api.store.physicalName(table), Item: marshall(item) }),
        );
      await raw('track', { track_id: 'eve:bad', user_id: 'eve', name: 'Bad', search_terms: 5 });
      const client = new DbApiClient({ url: api.url });
      await client.put('track', 'ann:eng', {
        track_id: 'ann:eng',
        user_id: 'ann',
        name: 'Eng',
        search_terms: ['engineer'],
      });
      const expected = expectedUuids(server.corpus, ['engineer']);
      const broken = [...expected][0]!;
      await raw('job', { job_id: broken, title: 'x', mcf_updated_at: 5 });

      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk));
        return true;
      });
      const log = vi.spyOn(console, 'log').mockImplementation((line) => out.push(`${line}\n`));
      let code: number;
      try {
        code = await main([
          'scrape',
          '--db-api-url',
          api.url,
          '--mcf-api-url',
          server.url,
          '--state',
          dir,
          '--rate',
          '0',
          '--browser',
          'off',
          '--progress-interval',
          '0',
          '--log-format',
          'json',
        ]);
      } finally {
        spy.mockRestore();
        log.mockRestore();
      }
      expect(code).toBe(0);
      const lines = out
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const skipped = lines.filter(
        (l) => l.msg === 'skipped a stored row that does not match the schema',
      );
      expect(skipped).toContainEqual(
        expect.objectContaining({
          table: 'track',
          id: 'eve:bad',
          field: 'search_terms',
          rule: 'type',
        }),
      );
      expect(skipped).toContainEqual(
        expect.objectContaining({
          table: 'job',
          id: broken,
          field: 'mcf_updated_at',
          rule: 'type',
        }),
      );
      const summary = lines.find((l) => l.mcfpipe_scrape_summary)?.mcfpipe_scrape_summary;
      expect(summary).toMatchObject({ status: 'complete' });
      const stored = new Set<string>();
      for await (const r of client.listAll('job_search', { where: { user_id: 'ann' } }))
        stored.add(r.job_id);
      expect(stored).toEqual(expected);
      const repaired = await client.get('job', broken);
      expect(repaired.mcf_updated_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      expect(repaired.job_post_id).toMatch(/^MCF-/);
    }, 30_000);
  });
});
