/**
 * Mocha BDD interface on top of jest-circus, just enough for juggler's own
 * connector suites to run unmodified.
 *
 * Every mocha callback is wrapped into an arity-0 function returning a promise,
 * so mocha semantics (done callbacks, `this` context, "overspecified" errors)
 * are decided here and jest only sees promises.
 */

type Done = (err?: unknown) => void;

// Mocha callbacks are untyped JS from juggler: they may take `done` or not and
// may return anything (promise or not).
type MochaFn = (this: MochaContext, done?: Done) => unknown;

interface MochaContext {
  timeout(ms?: number): unknown;
  slow(ms?: number): unknown;
  retries(n?: number): unknown;
  skip(): never;
  // Tests and hooks may stash arbitrary state on `this` (shared per suite).
  [key: string]: unknown;
}

/** Thrown by `this.skip()`: jest has no runtime skip, see `skip` below. */
class RuntimeSkipError extends Error {}

const jestGlobals = {
  describe: globalThis.describe,
  it: globalThis.it,
  beforeAll: globalThis.beforeAll,
  afterAll: globalThis.afterAll,
  beforeEach: globalThis.beforeEach,
  afterEach: globalThis.afterEach,
};

function makeContext(parent: MochaContext | null): MochaContext {
  if (parent) return Object.create(parent) as MochaContext;
  const root: MochaContext = {
    // Jest fixes a test's timeout when it is registered, so a runtime
    // this.timeout(n) cannot extend it; calls made while a describe body runs
    // are honoured (see `suiteTimeout`). Without an argument mocha returns
    // the current value.
    timeout(this: MochaContext, ms?: number) {
      if (ms === undefined) return this.__timeout;
      // mocha: 0 disables the timeout; the closest jest has is its default.
      this.__timeout = ms === 0 ? undefined : ms;
      return this;
    },
    slow() {
      return this;
    },
    retries() {
      return this;
    },
    skip(): never {
      // Jest cannot turn a running test into a skipped one; fail loudly
      // rather than let the test count as passed. None of the four juggler
      // suites calls this.skip().
      throw new RuntimeSkipError(
        'mocha this.skip() is not supported under jest: test counted as FAILED, not pending',
      );
    },
  };
  return root;
}

// Mocha gives each suite a context inheriting from its parent's; hooks and
// tests registered in the suite all share it as `this`.
let currentContext: MochaContext = makeContext(null);

function suiteTimeout(): number | undefined {
  const ms = currentContext.__timeout;
  return typeof ms === 'number' ? ms : undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function toError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  // Errors from Node's own modules come from the outer realm (fails instanceof).
  if (reason && typeof reason === 'object' && 'message' in reason && 'stack' in reason) {
    return reason as Error;
  }
  return new Error(`done() invoked with non-Error: ${String(reason)}`);
}

const lateErrors: Error[] = [];

function throwLateErrors(): void {
  const errors = lateErrors.splice(0);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
}

/** Runs a mocha-style callback with mocha's rules, as a promise for jest. */
function wrap(fn: MochaFn, ctx: MochaContext, title: string): () => Promise<void> {
  return () =>
    new Promise<void>((resolve, reject) => {
      if (fn.length === 0) {
        try {
          Promise.resolve(fn.call(ctx)).then(() => resolve(), reject);
        } catch (err) {
          reject(err);
        }
        return;
      }
      let settled = false;
      let overspecified = false;
      const done: Done = (err) => {
        if (overspecified) return; // already failed for that reason
        if (settled) {
          // Mocha fails on this too. Throwing here would throw into juggler's
          // callback (or crash the worker from a tick), so report it from the
          // next afterEach/afterAll instead.
          lateErrors.push(new Error(`done() called multiple times in "${title}"`));
          return;
        }
        settled = true;
        if (err) reject(toError(err));
        else resolve();
      };
      try {
        const returned = fn.call(ctx, done);
        if (isThenable(returned)) {
          overspecified = true;
          reject(
            new Error(
              `Resolution method is overspecified in "${title}": specify a callback *or* return a Promise; not both.`,
            ),
          );
        }
      } catch (err) {
        settled = true;
        reject(err);
      }
    });
}

type HookRegistrar = (fn: () => Promise<void>, timeout?: number) => void;

function hook(register: HookRegistrar, kind: string) {
  // mocha: hook(fn) or hook('title', fn)
  return (titleOrFn: string | MochaFn, maybeFn?: MochaFn): void => {
    const fn = typeof titleOrFn === 'function' ? titleOrFn : maybeFn;
    const title = typeof titleOrFn === 'string' ? `${kind} "${titleOrFn}"` : `${kind} hook`;
    if (typeof fn !== 'function') throw new Error(`${title}: missing function`);
    register(wrap(fn, currentContext, title), suiteTimeout());
  };
}

type SuiteBody = (this: MochaContext) => unknown;
type JestDescribeLike = (name: string, fn: () => void) => void;

function suite(jestDescribe: JestDescribeLike) {
  return (title: string, body?: SuiteBody): void => {
    if (typeof body !== 'function') {
      // Same as mocha: a suite without a callback is an error, not pending.
      throw new Error(`Suite "${title}" was defined but no callback was supplied.`);
    }
    jestDescribe(title, () => {
      const parent = currentContext;
      currentContext = makeContext(parent);
      try {
        // mocha's `this` in a describe body is the suite (this.timeout() etc.)
        body.call(currentContext);
      } finally {
        currentContext = parent;
      }
    });
  };
}

type JestItLike = (name: string, fn: () => Promise<void>, timeout?: number) => void;

function test(jestIt: JestItLike) {
  return (title: string, fn?: MochaFn): void => {
    if (typeof fn !== 'function') {
      // mocha: it(title) without a function is pending; todo keeps it counted.
      jestGlobals.it.todo(title);
      return;
    }
    jestIt(title, wrap(fn, currentContext, title), suiteTimeout());
  };
}

function skippedTest(title: string, fn?: MochaFn): void {
  if (typeof fn !== 'function') return jestGlobals.it.todo(title);
  jestGlobals.it.skip(title, wrap(fn, currentContext, title));
}

/** Replaces jest's BDD globals with mocha-compatible ones in this test file. */
export function installMochaGlobals(): void {
  const { describe: jd, it: ji } = jestGlobals;

  const describe = Object.assign(suite(jd), {
    skip: suite(jd.skip),
    only: suite(jd.only),
  });
  const it = Object.assign(test(ji), {
    skip: skippedTest,
    only: test(ji.only),
  });

  const mochaGlobals: Record<string, unknown> = {
    describe,
    context: describe,
    xdescribe: describe.skip,
    xcontext: describe.skip,
    it,
    specify: it,
    xit: it.skip,
    xspecify: it.skip,
    before: hook(jestGlobals.beforeAll, 'before all'),
    after: hook(jestGlobals.afterAll, 'after all'),
    beforeEach: hook(jestGlobals.beforeEach, 'before each'),
    afterEach: hook(jestGlobals.afterEach, 'after each'),
  };
  Object.assign(globalThis, mochaGlobals);
  jestGlobals.afterEach(throwLateErrors);
  jestGlobals.afterAll(throwLateErrors);
}
