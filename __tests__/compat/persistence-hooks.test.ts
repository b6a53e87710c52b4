// juggler's persistence-hooks.suite (and the operation-hooks.suite it pulls
// in), unmodified, against the COMPAT_CONNECTOR backend.
import fs from 'node:fs';
import path from 'node:path';
import should from 'should';
import {
  connectorCapabilities,
  getDataSource,
  jugglerTestPath,
  requireJugglerTest,
} from './juggler-globals';
import type { ConnectorCapabilities } from './capabilities';
import type { DataSource } from 'loopback-datasource-juggler';

type HooksSuite = (ds: DataSource, should: unknown, caps: ConnectorCapabilities) => void;

// operation-hooks.suite/index.js keeps the files whose extension is in
// require.extensions, which jest leaves empty: it would silently load none.
// Replace only that loader with the same logic (every other .js file in the
// directory, called with the same arguments).
const operationHooksIndex = jugglerTestPath('operation-hooks.suite/index.js');
jest.doMock(
  operationHooksIndex,
  () =>
    function loadOperationHookSuites(this: unknown, ...args: unknown[]): void {
      const dir = path.dirname(operationHooksIndex);
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js');
      if (files.length === 0) throw new Error(`no operation-hooks suites found in ${dir}`);
      for (const file of files) {
        requireJugglerTest<(...a: unknown[]) => void>(`operation-hooks.suite/${file}`).apply(
          this,
          args,
        );
      }
    },
);

const persistenceHooksSuite = requireJugglerTest<HooksSuite>('persistence-hooks.suite.js');
persistenceHooksSuite(getDataSource(), should, connectorCapabilities);
