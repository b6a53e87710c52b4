// juggler's persistence-hooks.suite (and the operation-hooks.suite it pulls in), unmodified,
// against the COMPAT_CONNECTOR backend; shared by the test files that run it with different
// datasource settings.
import fs from 'node:fs';
import path from 'node:path';
import should from 'should';
import type { DataSource, Options } from 'loopback-datasource-juggler';
import {
  connectorCapabilities,
  getDataSource,
  jugglerTestPath,
  requireJugglerTest,
} from './juggler-globals';
import type { ConnectorCapabilities } from './capabilities';

type HooksSuite = (ds: DataSource, should: unknown, caps: ConnectorCapabilities) => void;

/** Declares the whole suite on a datasource made with `settings`. */
export function runPersistenceHooksSuite(settings?: Options): void {
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
  const suite = requireJugglerTest<HooksSuite>('persistence-hooks.suite.js');
  suite(getDataSource(undefined, settings), should, connectorCapabilities);
}
