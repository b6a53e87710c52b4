/**
 * Standalone jest config (and jest "project") running juggler's own connector
 * compatibility suites from node_modules under a mocha adapter.
 *
 *   npx jest -c __tests__/compat/jest.compat.config.ts                      # memory
 *   COMPAT_CONNECTOR=mongo MONGODB_TEST_URL=mongodb://127.0.0.1:27017 \
 *     npx jest -c __tests__/compat/jest.compat.config.ts                    # our connector
 */
import path from 'node:path';
import type { Config } from 'jest';

const config: Config = {
  displayName: 'juggler-compat',
  preset: 'ts-jest',
  testEnvironment: 'node',
  rootDir: path.resolve(__dirname, '../..'),
  testMatch: ['<rootDir>/__tests__/compat/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/compat/setup.ts'],
  moduleNameMapper: {
    // uuid@13 is ESM-only; jest's CommonJS runtime cannot require it.
    '^uuid$': '<rootDir>/__tests__/support/uuid-shim.js',
  },
  // Per test and per hook. Juggler's suites assume mocha's 2s on memory; a
  // real MongoDB (automigrate/deleteAll in every beforeEach) needs headroom.
  testTimeout: 30_000,
};

export default config;
