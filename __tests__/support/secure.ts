/**
 * For the tests against the auth and TLS servers (__tests__/secure): where they are, the app
 * database, datasources that report how their start-up ended, and the check that no secret
 * appears in any form of an error.
 */
import * as util from 'node:util';
import { DataSource } from 'loopback-datasource-juggler';
import * as official from 'loopback-connector-mongodb';
import type { TestCertificates } from '../../scripts/mongod/certificates';
import { APP_DB, USERS } from '../../scripts/mongod/secure';
import { urlForDatabase } from '../../scripts/mongod/server';
import type { TestModel } from './datasource';

export { APP_DB, USERS, CLIENT_KEY_PASSPHRASE } from '../../scripts/mongod/secure';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest's "secure" projects`);
  return value;
}

/** The auth server (no credentials in it), on the app database. */
export const authUrl = (query = '') =>
  urlForDatabase(required('MONGODB_TEST_AUTH_URL'), APP_DB) + query;
/** The TLS server (client certificates required), on the app database. */
export const tlsUrl = (query = '') =>
  urlForDatabase(required('MONGODB_TEST_TLS_URL'), APP_DB) + query;
/** `host:port` of a server url. */
export const hostOf = (url: string) => /^mongodb:\/\/([^/]+)/.exec(url)?.[1] as string;

export function certificates(): TestCertificates {
  return JSON.parse(required('MONGODB_TEST_CERTIFICATES')) as TestCertificates;
}

/**
 * Model names per jest project: both juggler versions use the one app database at once, and
 * automigrate drops a collection.
 */
export const modelName = (name: string) => `${name}${process.env.MONGODB_TEST_VARIANT ?? ''}`;

/** Every password and passphrase the tests use, in each form a message could show. */
export function allSecrets(extra: string[] = []): string[] {
  const plain = [
    ...Object.values(USERS).map((u) => u.password),
    certificates().clientKeyPassphrase,
    ...extra,
  ];
  return [...new Set(plain.flatMap((s) => [s, encodeURIComponent(s)]))];
}

/** What the app can see of an error: every form a log line, a REST answer or a debugger shows. */
export function errorForms(error: unknown): string[] {
  const forms: string[] = [JSON.stringify(error), util.inspect(error, { depth: Infinity })];
  for (let e: unknown = error, i = 0; e && i < 10; e = (e as Error).cause, i++) {
    const { message, stack, value } = e as Error & { value?: unknown };
    forms.push(String(message), String(stack), util.inspect(value, { depth: Infinity }));
  }
  return forms;
}

/** Fails naming the form and the secret when any secret shows in any form of `error`. */
export function expectNoSecrets(error: unknown, secrets: string[] = allSecrets()): void {
  const leaks = errorForms(error).flatMap((form, i) =>
    secrets.filter((s) => form.includes(s)).map((s) => `form ${i} shows ${JSON.stringify(s)}`),
  );
  expect(leaks).toEqual([]);
}

/** The driver's default; a failure that waited for it would take 30 s. */
export const SELECTION_TIMEOUT_MS = 30_000;
/** What an answer from the server (a handshake or two) may take on a loaded, emulated machine. */
export const PROMPT_MS = 10_000;

export interface StartOutcome {
  ds: DataSource;
  /** The error juggler emitted, or undefined when it connected. */
  error: unknown;
  /** From `new DataSource` to the outcome. */
  ms: number;
}

/** A datasource of our connector (or `connector`), once it connected or failed. */
export async function startDataSource(
  settings: Record<string, unknown>,
  connector: unknown = undefined,
): Promise<StartOutcome> {
  const started = Date.now();
  const ds = new DataSource({
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- ours unless told
    connector: connector ?? require('../../src'),
    ...settings,
  } as never);
  const error = await new Promise<unknown>((resolve) => {
    if (ds.connected) return resolve(undefined);
    ds.once('connected', () => resolve(undefined));
    ds.once('error', resolve);
  });
  // a later connect or operation may emit again; tests look at what they get back instead
  ds.on('error', () => undefined);
  return { ds, error, ms: Date.now() - started };
}

/** `startDataSource` for a test file: every datasource started is disconnected after each test. */
export function dataSources(): typeof startDataSource {
  const opened: StartOutcome[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map(({ ds }) => ds.disconnect()));
  });
  return async (settings, connector) => {
    const outcome = await startDataSource(settings, connector);
    opened.push(outcome);
    return outcome;
  };
}

/** Write and read one document: proof that the datasource really talks to the server. */
export async function roundTrip(ds: DataSource, name = 'Visit'): Promise<void> {
  const Model: TestModel = ds.createModel(modelName(name), { label: String });
  const label = `visit-${Math.random().toString(36).slice(2)}`;
  const created = await Model.create({ label });
  const found = (await Model.findById(created.id)) as unknown as { label: string };
  expect(found.label).toBe(label);
}

/**
 * Connects with `settings` and round-trips a document: on ours, and on juggler 6 also on the
 * official connector, the reference for what apps expect.
 */
export async function worksOnEachConnector(
  start: typeof startDataSource,
  settings: Record<string, unknown>,
): Promise<void> {
  const connectors = process.env.MONGODB_TEST_VARIANT ? [undefined] : [undefined, official];
  for (const connector of connectors) {
    const { ds, error } = await start(settings, connector);
    expect(error).toBeUndefined();
    await roundTrip(ds, connector ? 'OfficialVisit' : 'Visit');
  }
}
