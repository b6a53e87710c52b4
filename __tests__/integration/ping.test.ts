/**
 * `ds.ping(cb)` against a server that is not there, on both connectors, in a child process with no
 * `error` listener (what an app without one meets): the callback gets the connection error once,
 * and the process lives on and ends by itself.
 */
import { DataSource } from 'loopback-datasource-juggler';
import * as ours from '../../src';
import { runChild } from '../support/child';
import { testDatabaseUrl } from '../support/database';
import type { TestModel } from '../support/datasource';

interface PingRun {
  answers: Array<{ name: string; message: string; ms: number }>;
  emitted: string[];
}

/** What the child printed, once it has ended by itself, with no stack trace on stderr. */
async function pingInChild(which: 'ours' | 'official'): Promise<PingRun & { stderr: string }> {
  const run = await runChild(['ping', which], testDatabaseUrl('ping_child'), 45_000);
  expect(run).toMatchObject({ exited: true, code: 0 });
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return { ...(JSON.parse(run.stdout) as PingRun), stderr: run.stderr };
}

describe('ping against an unreachable server (serverSelectionTimeoutMS: 300)', () => {
  it('ours: calls back once with a ConnectionError, emits no error, the app lives on', async () => {
    const { answers, emitted, stderr } = await pingInChild('ours');
    expect(stderr).toBe('');
    expect(answers).toHaveLength(1);
    expect(answers[0].name).toBe('ConnectionError');
    expect(answers[0].message).toMatch(
      /^could not connect to MongoDB at mongodb:\/\/127\.0\.0\.1:\d+\/nowhere within 300 ms: .*ECONNREFUSED/,
    );
    // the server selection timeout, with room for a loaded machine
    expect(answers[0].ms).toBeLessThan(10_000);
    expect(emitted).toEqual([]);
  });

  it('loopback-connector-mongodb: calls back once with the driver error, through its own error listener', async () => {
    const { answers, emitted, stderr } = await pingInChild('official');
    // juggler logs the failure it emits
    expect(stderr).toMatch(/^Connection fails: MongoServerSelectionError/);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ name: 'MongoServerSelectionError' });
    expect(answers[0].message).toMatch(/ECONNREFUSED/);
    // its ping listens to the datasource's `error`, so juggler's emit is heard, not thrown
    expect(emitted).toEqual(['MongoServerSelectionError']);
  });

  it('ours: answers each later ping and operation with a ConnectionError, and connects once there is a server', async () => {
    const ds = new DataSource({
      connector: ours,
      url: 'mongodb://127.0.0.1:1/nowhere',
      serverSelectionTimeoutMS: 300,
    } as never);
    const emitted: unknown[] = [];
    ds.on('error', (error: unknown) => emitted.push(error));
    const Note: TestModel = ds.createModel('PingNote', { n: Number });
    const ping = () => new Promise<unknown>((resolve) => ds.ping(resolve));
    expect(await ping()).toBeInstanceOf(ours.ConnectionError);
    // the failed start-up connect was the ping's to report
    expect(emitted).toEqual([]);
    // an operation connects again through juggler, which emits its failure as well
    await expect(Note.find()).rejects.toBeInstanceOf(ours.ConnectionError);
    expect(emitted).toEqual([expect.any(ours.ConnectionError)]);
    expect(await ping()).toBeInstanceOf(ours.ConnectionError);
    await ds.disconnect();

    const reachable = new DataSource({ connector: ours, url: testDatabaseUrl('ping') } as never);
    expect(await new Promise((resolve) => reachable.ping(resolve))).toBeUndefined();
    expect(reachable.connected).toBe(true);
    await reachable.disconnect();
  });
});
