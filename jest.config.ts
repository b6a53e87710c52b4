import type { Config } from 'jest';
import compat from './__tests__/compat/jest.compat.config';

// juggler's suites run against our connector under `npm test`; the compat config alone defaults
// to juggler's memory connector, which checks the mocha adapter itself
process.env.COMPAT_CONNECTOR ??= 'mongo';

// type-checking is `npm run typecheck`'s job; jest only transpiles (isolatedModules in tsconfig)
const tsJest: Config['transform'] = { '^.+\\.ts$': 'ts-jest' };
// uuid 13 is ESM-only and jest on Node 20 cannot require it; juggler needs only v1 and v4
const moduleNameMapper = { '^uuid$': '<rootDir>/__tests__/support/uuid-shim.js' };
// the same suites again against juggler 7, installed under the alias loopback-datasource-juggler-7
const juggler7 = '<rootDir>/node_modules/loopback-datasource-juggler-7';
const juggler7Env = '<rootDir>/__tests__/support/juggler7-env.ts';
const juggler7Mapper = {
  '^loopback-datasource-juggler$': juggler7,
  '^loopback-datasource-juggler/(.*)$': `${juggler7}/$1`,
};
// the LoopBack 4 example needs decorators, so ts-jest compiles it with its own tsconfig; not in
// isolation, because LoopBack's injection reads the parameter types that decorator metadata records
const lb4Transform = (example: string): Config['transform'] => ({
  '^.+\\.ts$': [
    'ts-jest',
    { tsconfig: `<rootDir>/examples/${example}/tsconfig.json`, diagnostics: false },
  ],
});
// @loopback/repository 8 brings juggler 7; the relations example runs again with juggler 6
// handed to it, the version @loopback/repository 7 apps run on
const juggler6 = '<rootDir>/node_modules/loopback-datasource-juggler';
const juggler6Mapper = {
  '^loopback-datasource-juggler$': juggler6,
  '^loopback-datasource-juggler/(.*)$': `${juggler6}/$1`,
};
const lb4Relations = '<rootDir>/examples/lb4-relations/__tests__/**/*.test.ts';
// against a mongod with authentication and one requiring TLS, which only these projects start
// (one setup file for both, so jest starts them once)
const secure: Config = {
  testEnvironment: 'node',
  transform: tsJest,
  globalSetup: '<rootDir>/__tests__/support/secure-global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/support/secure-global-teardown.ts',
  testMatch: ['<rootDir>/__tests__/secure/**/*.test.ts'],
};

const config: Config = {
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.ts',
  // the juggler 7 projects rerun the same files: after all others, not beside their twins
  testSequencer: '<rootDir>/__tests__/support/test-sequencer.js',
  // the embedded server runs under emulation on 2 cores; more workers only queue behind it
  maxWorkers: 2,
  // per test and hook: a real server under emulation, with automigrate in many hooks
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: tsJest,
      moduleNameMapper,
      testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: tsJest,
      moduleNameMapper,
      testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts'],
    },
    { ...compat, rootDir: __dirname, transform: tsJest },
    {
      displayName: 'integration (juggler 7)',
      testEnvironment: 'node',
      transform: tsJest,
      setupFiles: [juggler7Env],
      moduleNameMapper: { ...moduleNameMapper, ...juggler7Mapper },
      testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts'],
    },
    {
      ...compat,
      displayName: 'juggler-compat (juggler 7)',
      rootDir: __dirname,
      transform: tsJest,
      setupFiles: [juggler7Env],
      moduleNameMapper: { ...compat.moduleNameMapper, ...juggler7Mapper },
    },
    { ...secure, displayName: 'secure', moduleNameMapper },
    {
      ...secure,
      displayName: 'secure (juggler 7)',
      setupFiles: [juggler7Env],
      moduleNameMapper: { ...moduleNameMapper, ...juggler7Mapper },
    },
    {
      // against a sharded cluster (config server, two shards, mongos) that only this project starts
      displayName: 'sharded',
      testEnvironment: 'node',
      transform: tsJest,
      moduleNameMapper,
      globalSetup: '<rootDir>/__tests__/support/sharded-global-setup.ts',
      globalTeardown: '<rootDir>/__tests__/support/sharded-global-teardown.ts',
      testMatch: ['<rootDir>/__tests__/sharded/**/*.test.ts'],
    },
    {
      displayName: 'lb4-app',
      testEnvironment: 'node',
      transform: lb4Transform('lb4-app'),
      moduleNameMapper,
      testMatch: ['<rootDir>/examples/lb4-app/__tests__/**/*.test.ts'],
    },
    {
      displayName: 'lb4-tenants',
      testEnvironment: 'node',
      transform: lb4Transform('lb4-tenants'),
      moduleNameMapper,
      testMatch: ['<rootDir>/examples/lb4-tenants/__tests__/**/*.test.ts'],
    },
    {
      // a LoopBack 3 app on the juggler 3 loopback brings along; LoopBack 3 resolves
      // "connector": "mongo" to the package loopback-connector-mongo, which is this repository
      displayName: 'lb3-app',
      testEnvironment: 'node',
      transform: tsJest,
      moduleNameMapper: {
        ...moduleNameMapper,
        '^loopback-connector-mongo$': '<rootDir>/src/index.ts',
      },
      testMatch: ['<rootDir>/__tests__/lb3/**/*.test.ts'],
    },
    {
      displayName: 'lb4-relations (juggler 6)',
      testEnvironment: 'node',
      transform: lb4Transform('lb4-relations'),
      setupFiles: ['<rootDir>/examples/lb4-relations/__tests__/support/juggler6-env.ts'],
      moduleNameMapper: { ...moduleNameMapper, ...juggler6Mapper },
      testMatch: [lb4Relations],
    },
    {
      displayName: 'lb4-relations (juggler 7)',
      testEnvironment: 'node',
      transform: lb4Transform('lb4-relations'),
      setupFiles: [juggler7Env],
      moduleNameMapper: { ...moduleNameMapper, ...juggler7Mapper },
      testMatch: [lb4Relations],
    },
  ],
};

export default config;
