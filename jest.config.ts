import type { Config } from 'jest';
import compat from './__tests__/compat/jest.compat.config';

// juggler's suites run against our connector under `npm test`; the compat config alone defaults
// to juggler's memory connector, which checks the mocha adapter itself
process.env.COMPAT_CONNECTOR ??= 'mongo';

// type-checking is `npm run typecheck`'s job; jest only transpiles (isolatedModules in tsconfig)
const tsJest: Config['transform'] = { '^.+\\.ts$': 'ts-jest' };
// uuid 13 is ESM-only and jest on Node 20 cannot require it; juggler needs only v1 and v4
const moduleNameMapper = { '^uuid$': '<rootDir>/__tests__/support/uuid-shim.js' };

const config: Config = {
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.ts',
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
  ],
};

export default config;
