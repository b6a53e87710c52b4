/**
 * Globals that juggler's test files expect (see
 * node_modules/loopback-datasource-juggler/test/init.js, which keeps any it
 * finds already defined): getSchema/getDataSource, getModelBuilder,
 * connectorCapabilities, and `should` patched into Object.prototype.
 *
 * COMPAT_CONNECTOR selects the backend: unset or "memory" uses juggler's
 * memory connector (validates the mocha adapter against upstream counts);
 * "mongo" uses our connector from src/ against MONGODB_TEST_URL.
 */
import path from 'node:path';
import 'should';
import { DataSource, ModelBuilder, type Options } from 'loopback-datasource-juggler';
import { testDatabaseUrl } from '../support/database';
import { mongoCapabilities, type ConnectorCapabilities } from './capabilities';

export type CompatConnector = 'memory' | 'mongo';

export const compatConnector: CompatConnector = parseConnector(process.env.COMPAT_CONNECTOR);

function parseConnector(value: string | undefined): CompatConnector {
  if (value === undefined || value === '' || value === 'memory') return 'memory';
  if (value === 'mongo' || value === 'mongodb') return 'mongo';
  throw new Error(`COMPAT_CONNECTOR must be "memory" or "mongo", got "${value}"`);
}

// Juggler's own defaults for the memory connector: test/init.js sets
// nestedProperty, test/memory.test.js passes replaceOrCreateReportsNewInstance
// to persistence-hooks.suite. Without nestedProperty the two "query with
// nested property" blocks of basic-querying (10 tests) are skipped instead.
const memoryCapabilities: ConnectorCapabilities = {
  nestedProperty: true,
  replaceOrCreateReportsNewInstance: true,
};

export const connectorCapabilities: ConnectorCapabilities =
  compatConnector === 'mongo' ? mongoCapabilities : memoryCapabilities;

const repoRoot = path.resolve(__dirname, '../..');

/** One database per jest test file, so files can run in parallel workers. */
function databaseName(): string {
  const testPath = expect.getState().testPath ?? 'unknown';
  const base = path.basename(testPath).replace(/\.test\.ts$/, '');
  return `compat_${base}`;
}

/** THE place where the MongoDB datasource for the compat suites is built. */
export function createMongoDataSource(settings: Options = {}): DataSource {
  // Loaded lazily: memory runs must not depend on src/ compiling.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  const connector: unknown = require(path.join(repoRoot, 'src'));
  return new DataSource({
    ...settings,
    connector,
    url: testDatabaseUrl(databaseName()),
    // One connection makes the server run commands in the order they are issued. persistence-
    // hooks' "findOrCreate applies updates from `persist` hook when found" calls done() before
    // its own findById has answered; over several connections the next test's cleanup could run
    // first and the late check would read an empty collection.
    maxPoolSize: 1,
  });
}

const created: DataSource[] = [];

/**
 * juggler's getSchema(connector?, settings?): an explicit connector is
 * honoured as upstream does; otherwise the backend chosen by COMPAT_CONNECTOR.
 */
export function getDataSource(connector?: string, settings?: Options): DataSource {
  const ds =
    connector !== undefined
      ? new DataSource(connector, settings)
      : compatConnector === 'mongo'
        ? createMongoDataSource(settings)
        : new DataSource('memory', settings);
  created.push(ds);
  return ds;
}

export function installJugglerGlobals(): void {
  Object.assign(globalThis, {
    getSchema: getDataSource,
    getDataSource,
    getModelBuilder: () => new ModelBuilder(),
    connectorCapabilities,
  });
  // Open MongoClients would keep the jest worker alive after the file.
  afterAll(async () => {
    await Promise.all(created.splice(0).map((ds) => ds.disconnect()));
  });
}

/** Loads a test file shipped with the installed juggler package, unmodified. */
export function requireJugglerTest<T = unknown>(file: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- juggler test files are untyped CJS
  return require(jugglerTestPath(file)) as T;
}

/**
 * THE place that decides which juggler's test files run: the package `loopback-datasource-juggler`
 * resolves to, i.e. juggler 6, or juggler 7 where the jest project maps the name to its alias.
 */
export const jugglerRoot: string = path.dirname(
  require.resolve('loopback-datasource-juggler/package.json'),
);

export function jugglerTestPath(file: string): string {
  return path.join(jugglerRoot, 'test', file);
}
