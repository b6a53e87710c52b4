/**
 * What juggler's own `find` and `count` do around the connector call, for the repository methods
 * juggler has no DAO method for: normalize and coerce the filter (`'5'` for a number property,
 * date strings), apply the default scope, run the `access` and `loaded` operation hooks, and
 * build model instances from the connector's data.
 */
import type { juggler } from '@loopback/repository';

/** A juggler filter, as its DAO methods take it. */
export interface JugglerQuery {
  where?: Record<string, unknown>;
  fields?: unknown;
  include?: unknown;
  [key: string]: unknown;
}

/**
 * The DataAccessObject methods juggler 6 and 7 mix into every persisted model, which
 * @loopback/repository's typings leave out (ModelUtils and ObserverMixin).
 */
interface JugglerModelSteps {
  /** Normalizes fields and order and coerces the where, in place. */
  _normalize(query: JugglerQuery, options: object): void;
  _sanitizeQuery(where: unknown, options: object): Record<string, unknown> | undefined;
  _coerce(where: unknown, options: object): Record<string, unknown> | undefined;
  applyScope(query: JugglerQuery): void;
  notifyObserversOf(operation: string, context: object): Promise<unknown>;
}

function steps(model: juggler.PersistedModelClass): JugglerModelSteps {
  return model as unknown as JugglerModelSteps;
}

/** A filter as juggler's `find` hands it to the connector: normalized, scoped, past `access`. */
export async function preparedQuery(
  model: juggler.PersistedModelClass,
  filter: object | undefined,
  options: object,
): Promise<JugglerQuery> {
  const query: JugglerQuery = { ...filter };
  steps(model)._normalize(query, options);
  steps(model).applyScope(query);
  const context = { Model: model, query, hookState: {}, options };
  await steps(model).notifyObserversOf('access', context);
  return context.query;
}

/** A where as juggler's `count` hands it to the connector: scoped, coerced, past `access`. */
export async function preparedWhere(
  model: juggler.PersistedModelClass,
  where: object | undefined,
  options: object,
): Promise<Record<string, unknown> | undefined> {
  return (await preparedQuery(model, { where }, options)).where;
}

/** A where coerced as juggler's DAO methods coerce one, without scope or hooks. */
export function coercedWhere(
  model: juggler.PersistedModelClass,
  where: unknown,
  options: object,
): Record<string, unknown> | undefined {
  return steps(model)._coerce(steps(model)._sanitizeQuery(where, options), options);
}

/** A persisted model instance for data the connector read, after the `loaded` hooks. */
export async function loadedInstance(
  model: juggler.PersistedModelClass,
  data: Record<string, unknown>,
  query: JugglerQuery,
  options: object,
): Promise<juggler.PersistedModel> {
  const context = { Model: model, data, isNewInstance: false, hookState: {}, options };
  await steps(model).notifyObserversOf('loaded', context);
  // as juggler's find builds them: the stored data as it is, no setters, no defaults
  return new model(context.data, {
    fields: query.fields,
    applySetters: false,
    persisted: true,
    applyDefaultValues: false,
  } as never);
}
