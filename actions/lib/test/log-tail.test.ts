import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isMissingLog, type LogLine, LogTail } from '../log-tail.js';
import { FakeLogStream, logsError, logsThrottled } from '../testing/fake-log-stream.js';

const logsMock = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'us-east-1' });
let stream: FakeLogStream;

beforeEach(() => {
  logsMock.reset();
  stream = new FakeLogStream();
  logsMock.on(GetLogEventsCommand).callsFake((input) => stream.getLogEvents(input));
});

const tail = (opts: { maxPagesPerPoll?: number; pageLimit?: number } = {}) =>
  new LogTail(client, { group: '/ecs/mcfpipe-dev-tester', stream: 'tester/tester/abc', ...opts });
const messages = (lines: LogLine[]) => lines.map((l) => l.message);

describe('LogTail.poll', () => {
  it('reads lines written between polls once each, in order, from the first line', async () => {
    const t = tail();
    stream.write('one', 'two', 'three');
    const first = await t.poll();
    expect(messages(first.lines)).toEqual(['one', 'two', 'three']);
    expect(first.caughtUp).toBe(true);

    const quiet = await t.poll();
    expect(quiet.lines).toEqual([]);
    expect(quiet.caughtUp).toBe(true);
    expect(quiet.calls).toBe(1); // the token came back unchanged: the end

    stream.write('four', 'five');
    expect(messages((await t.poll()).lines)).toEqual(['four', 'five']);
    expect(t.delivered).toBe(5);
    // Every call sent the token the previous answer gave.
    expect(logsMock.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toMatchObject({
      logGroupName: '/ecs/mcfpipe-dev-tester',
      logStreamName: 'tester/tester/abc',
      startFromHead: true,
    });
  });

  it('reads past empty pages that are not the end of the stream', async () => {
    const t = tail({ pageLimit: 2 });
    stream.write('a', 'b', 'c', 'd', 'e');
    stream.emptyPagesAt(0, 2);
    stream.emptyPagesAt(2, 1);
    stream.emptyPagesAt(4, 3);
    const r = await t.poll();
    expect(messages(r.lines)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r.caughtUp).toBe(true);
    // 2 + 1 + 3 empty pages, 3 pages of events, one call that found the end.
    expect(r.calls).toBe(10);
  });

  it('treats a stream that does not exist yet as nothing to read, then reads it from its start', async () => {
    stream = new FakeLogStream({ created: false });
    const t = tail();
    const before = await t.poll();
    expect(before).toMatchObject({ lines: [], missing: true, caughtUp: false });
    expect(t.found).toBe(false);
    stream.write('started');
    expect(messages((await t.poll()).lines)).toEqual(['started']);
    expect(t.found).toBe(true);
  });

  it('keeps the lines read before throttling and continues after them on the next poll', async () => {
    const t = tail({ pageLimit: 2 });
    stream.write('1', '2', '3', '4', '5');
    const realFetch = stream.getLogEvents.bind(stream);
    let call = 0;
    logsMock.on(GetLogEventsCommand).callsFake((input) => {
      call++;
      if (call === 2) throw logsThrottled();
      return realFetch(input);
    });
    const cut = await t.poll();
    expect(messages(cut.lines)).toEqual(['1', '2']);
    expect(cut.error).toBeDefined();
    expect(cut.caughtUp).toBe(false);
    const rest = await t.poll();
    expect(messages(rest.lines)).toEqual(['3', '4', '5']);
    expect(rest.caughtUp).toBe(true);
  });

  it('stops at the page budget and goes on from there on the next poll', async () => {
    const t = tail({ pageLimit: 1, maxPagesPerPoll: 2 });
    stream.write('1', '2', '3');
    const first = await t.poll();
    expect(messages(first.lines)).toEqual(['1', '2']);
    expect(first.caughtUp).toBe(false);
    expect(messages((await t.poll()).lines)).toEqual(['3']);
  });

  it('throws errors a retry cannot fix', async () => {
    stream.failNext(
      logsError('AccessDeniedException', 'not authorized to perform: logs:GetLogEvents'),
    );
    await expect(tail().poll()).rejects.toThrow(/logs:GetLogEvents/);
  });

  it('recognises a missing group or stream', () => {
    expect(isMissingLog(logsError('ResourceNotFoundException', 'gone'))).toBe(true);
    expect(isMissingLog(logsThrottled())).toBe(false);
  });
});

describe('LogTail.flush', () => {
  const sleeps: number[] = [];
  const sleepThen = (during: (round: number) => void) => async (ms: number) => {
    sleeps.push(ms);
    during(sleeps.length);
  };
  beforeEach(() => {
    sleeps.length = 0;
  });

  it('reads lines ingested after the writer stopped, until a quiet period passes', async () => {
    const t = tail();
    stream.write('last-live');
    await t.poll();
    stream.write('late-1');
    const seen: string[] = [];
    const flushed = await t.flush({
      quietMs: 2000,
      onLines: (lines) => seen.push(...messages(lines)),
      sleep: sleepThen((round) => {
        if (round === 1) stream.write('late-2', 'late-3');
      }),
    });
    expect(messages(flushed)).toEqual(['late-1', 'late-2', 'late-3']);
    expect(seen).toEqual(messages(flushed));
    expect(sleeps).toEqual([2000, 2000]); // new lines after the first wait, none after the second
  });

  it('gives up after maxRounds while lines keep arriving', async () => {
    const t = tail();
    let n = 0;
    const flushed = await t.flush({
      quietMs: 10,
      maxRounds: 2,
      sleep: sleepThen(() => stream.write(`tick-${n++}`)),
    });
    expect(messages(flushed)).toEqual(['tick-0', 'tick-1']);
    expect(sleeps).toHaveLength(2);
  });

  it('does not take a throttled read for a quiet stream', async () => {
    const t = tail();
    stream.write('a');
    stream.failNext(logsThrottled());
    const flushed = await t.flush({ quietMs: 5, sleep: sleepThen(() => {}) });
    expect(messages(flushed)).toEqual(['a']);
    expect(sleeps).toEqual([5, 5]);
  });

  it('with quietMs 0 reads to the end once, without waiting', async () => {
    const t = tail({ pageLimit: 1, maxPagesPerPoll: 1 });
    stream.write('x', 'y', 'z');
    const flushed = await t.flush({ quietMs: 0, sleep: sleepThen(() => {}) });
    expect(messages(flushed)).toEqual(['x', 'y', 'z']);
    expect(sleeps).toEqual([]);
  });
});
