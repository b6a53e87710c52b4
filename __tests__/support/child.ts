/**
 * Runs __tests__/support/child-datasources.ts in a child process on the juggler the calling jest
 * project maps in, so that what keeps a process alive is seen the way an app sees it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** whether it ended by itself within the bound (else it was killed) */
  exited: boolean;
  /** from spawn to exit */
  ms: number;
}

/**
 * Runs the child with `args` against `url`, `env` added to ours; kills it if it has not ended
 * after `boundMs`.
 */
export function runChild(
  args: string[],
  url: string,
  boundMs: number,
  env: Record<string, string> = {},
): Promise<ChildRun> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['-r', 'tsx/cjs', path.join(__dirname, 'child-datasources.ts'), ...args],
    {
      env: {
        ...process.env,
        // jest resolves the name through the project's moduleNameMapper: juggler 6 or 7
        JUGGLER: path.dirname(require.resolve('loopback-datasource-juggler/package.json')),
        MONGODB_CHILD_URL: url,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, exited: signal === null, ms: Date.now() - started });
    });
  });
}
