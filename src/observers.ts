/**
 * Connector hooks: `connector.observe('before execute' | 'after execute' | 'after execute error',
 * fn)` around every driver call, as loopback-connector-mongodb offers them, so that apps' logging,
 * tracing and caching hooks keep working after a switch. Juggler's DataSource mixes its observer
 * API (observe, notifyObserversAround) into the connector; this module only decides whether any
 * hook listens and builds the context the hooks see.
 */
import type { Collection, Document } from 'mongodb';

/** What the hooks of one driver call see; the official connector's shape, plus `req.method`. */
export interface ExecuteContext {
  /** The model the call is for (for raw `execute`, the name it was given). */
  model: string;
  /** The driver collection the call runs on. */
  collection: Collection<Document>;
  req: {
    /**
     * The command as loopback-connector-mongodb names it: its older names for the driver methods
     * it renames (`insert` for insertOne, `count` for countDocuments...), else the method.
     */
    command: string;
    /** The driver method actually called (`insertOne`, `findOneAndReplace`...). */
    method: string;
    /** The arguments the driver method gets; a hook may change the objects in place. */
    params: unknown[];
  };
  /** The driver's answer, for 'after execute'; for `find`, the documents. */
  res?: unknown;
  /** The driver's error, for 'after execute error'. */
  error?: unknown;
  /** Juggler sets this: `ctx.end(err, result)` in a before hook answers without the driver. */
  end?: (err: unknown, result?: unknown) => void;
  /** Juggler sets this after the call: the results the caller gets, which a hook may replace. */
  results?: unknown[];
}

/** Runs one driver call (`work`) under the hooks. */
export type ExecuteObserver = <T>(
  method: string,
  params: unknown[],
  work: () => Promise<T>,
) => Promise<T>;

type JugglerCallback = (err: unknown, ...results: unknown[]) => void;

/** The part of juggler's ObserverMixin that a DataSource mixes into its connector. */
export interface ObservableConnector {
  _observers?: Record<string, readonly unknown[] | undefined>;
  notifyObserversAround?(
    operation: string,
    context: ExecuteContext,
    fn: (context: ExecuteContext, done: JugglerCallback) => void,
    callback: JugglerCallback,
  ): unknown;
}

const EVENTS = ['before execute', 'after execute', 'after execute error'] as const;

/** loopback-connector-mongodb's names for the driver methods it renames in `req.command`. */
const OFFICIAL_COMMAND_NAMES: ReadonlyMap<string, string> = new Map([
  ['insertOne', 'insert'],
  ['updateOne', 'save'],
  ['findOneAndUpdate', 'findAndModify'],
  ['deleteOne', 'delete'],
  ['deleteMany', 'delete'],
  ['replaceOne', 'update'],
  ['updateMany', 'update'],
  ['countDocuments', 'count'],
  ['estimatedDocumentCount', 'count'],
]);

/**
 * The observer for calls on `collection` for `model`, or undefined when no execute hook is
 * registered: then a call costs one property check, and no context is built.
 */
export function executeObserver(
  connector: ObservableConnector,
  model: string,
  collection: Collection<Document>,
): ExecuteObserver | undefined {
  const observers = connector._observers;
  if (!observers || typeof connector.notifyObserversAround !== 'function') return undefined;
  if (!EVENTS.some((event) => observers[event]?.length)) return undefined;
  const notify = connector.notifyObserversAround.bind(connector);
  return <T>(method: string, params: unknown[], work: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const context: ExecuteContext = {
        model,
        collection,
        req: { command: OFFICIAL_COMMAND_NAMES.get(method) ?? method, method, params },
      };
      // a hook that throws (rather than calling next with an error) fails the call too
      const settle = (step: () => void): void => {
        try {
          step();
        } catch (error) {
          reject(error);
        }
      };
      settle(() =>
        notify(
          'execute',
          context,
          (ctx, done) => {
            work().then(
              (res) => settle(() => done(null, (ctx.res = res))),
              (error) => settle(() => done(error)),
            );
          },
          (err, result) => (err ? reject(err) : resolve(result as T)),
        ),
      );
    });
}

/** Run a driver call, under the hooks when there are any. */
export function observed<T>(
  observer: ExecuteObserver | undefined,
  method: string,
  params: unknown[],
  work: () => Promise<T>,
): Promise<T> {
  return observer ? observer(method, params, work) : work();
}
