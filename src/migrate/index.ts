/**
 * automigrate, autoupdate and isActual against the server. MongoDB has no schema to migrate, so
 * migrating a model means its collection's indexes (./indexes.ts says which).
 *
 * The rule for which indexes are ours: an index belongs to the definitions when its name is one
 * they give (a model `indexes` entry's name or `options.name`; for a property, MongoDB's default
 * name such as `email_1`). autoupdate creates what is missing and replaces an index of such a name
 * whose keys or options changed; it drops no other index, so an index someone made by hand, or
 * one whose definition was since removed, stays until a person drops it. automigrate drops the
 * whole collection first, data included.
 */
import type { ModelDefinition } from 'loopback-connector';
import type { Collection, Db, Document } from 'mongodb';
import { MongoConnectorError } from '../errors';
import type { ModelInfo } from '../model-info';
import { buildIndexSpecs, mergeIndexSpecs, planIndexUpdate, type IndexSpec } from './indexes';

export {
  buildIndexSpecs,
  defaultIndexName,
  IndexDefinitionError,
  indexMatches,
  mergeIndexSpecs,
  planIndexUpdate,
  type IndexKeyType,
  type IndexOptions,
  type IndexPlan,
  type IndexSpec,
} from './indexes';

/** One model to migrate: its cached facts and juggler's definition (for its index settings). */
export interface MigrationModel {
  readonly info: ModelInfo;
  readonly definition: ModelDefinition;
}

/** The server refused to create or drop an index; names the model, the index and the reason. */
export class IndexMigrationError extends MongoConnectorError {
  constructor(spec: IndexSpec, action: 'create' | 'drop', collection: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${spec.definedBy}: could not ${action} index ${spec.name} on collection ${collection}: ` +
        reason,
      { code: 'INDEX_MIGRATION_FAILED', statusCode: 500, model: spec.model },
    );
    this.cause = cause;
  }
}

/** `NamespaceNotFound`: the collection does not exist (yet). */
const NAMESPACE_NOT_FOUND = 26;
/** `NamespaceExists`: someone created the collection between our drop and create. */
const NAMESPACE_EXISTS = 48;

/** Which models to migrate, as juggler passes them: one name, a list, or none for all. */
export type ModelSelection = string | readonly string[];

/** The models juggler names, as a list; all attached models when it names none. */
export function modelNames(models: ModelSelection | undefined, attached: object): string[] {
  const names =
    models === undefined
      ? Object.keys(attached)
      : typeof models === 'string'
        ? [models]
        : [...models];
  const unknown = names.filter((name) => !Object.hasOwn(attached, name));
  if (unknown.length) {
    throw new MongoConnectorError(
      `cannot migrate models not attached to this datasource: ${unknown.join(', ')}`,
      { code: 'UNKNOWN_MODEL', model: unknown[0] },
    );
  }
  return names;
}

/**
 * Drop each model's collection, data and all, and create its indexes. Every definition is read
 * before anything is dropped, so a bad one leaves the database as it was.
 */
export async function automigrate(db: Db, models: readonly MigrationModel[]): Promise<void> {
  for (const [name, specs] of specsByCollection(models)) {
    const collection = db.collection(name);
    await dropCollection(collection);
    await createCollection(db, name);
    for (const spec of planIndexUpdate(specs, []).create) await createIndex(collection, spec);
  }
}

/** Create the indexes that are missing and replace changed ones; data stays. */
export async function autoupdate(db: Db, models: readonly MigrationModel[]): Promise<void> {
  for (const [name, specs] of specsByCollection(models)) {
    const collection = db.collection(name);
    const plan = planIndexUpdate(specs, await listIndexes(collection));
    for (const spec of plan.replace) {
      await dropIndex(collection, spec);
      await createIndex(collection, spec);
    }
    for (const spec of plan.create) await createIndex(collection, spec);
  }
}

/** True when each collection has the indexes its models define: autoupdate would do nothing. */
export async function isActual(db: Db, models: readonly MigrationModel[]): Promise<boolean> {
  for (const [name, specs] of specsByCollection(models)) {
    const plan = planIndexUpdate(specs, await listIndexes(db.collection(name)));
    if (plan.create.length || plan.replace.length) return false;
  }
  return true;
}

/**
 * The index definitions of each collection. Models may share a collection, so its indexes are
 * the union of theirs (one name, one index), and it is dropped once.
 */
function specsByCollection(models: readonly MigrationModel[]): Map<string, IndexSpec[]> {
  const byCollection = new Map<string, IndexSpec[]>();
  for (const { info, definition } of models) {
    const specs = buildIndexSpecs(info, definition);
    const held = byCollection.get(info.collection);
    byCollection.set(info.collection, held ? mergeIndexSpecs([...held, ...specs]) : specs);
  }
  return byCollection;
}

async function dropCollection(collection: Collection<Document>): Promise<void> {
  try {
    await collection.drop();
  } catch (error) {
    // older servers and drivers report a missing collection as an error
    if (codeOf(error) !== NAMESPACE_NOT_FOUND) throw error;
  }
}

/** Made even when the model defines no index, so that after automigrate the collection exists. */
async function createCollection(db: Db, name: string): Promise<void> {
  try {
    await db.createCollection(name);
  } catch (error) {
    if (codeOf(error) !== NAMESPACE_EXISTS) throw error;
  }
}

async function listIndexes(collection: Collection<Document>): Promise<Document[]> {
  try {
    return await collection.listIndexes().toArray();
  } catch (error) {
    if (codeOf(error) === NAMESPACE_NOT_FOUND) return [];
    throw error;
  }
}

async function createIndex(collection: Collection<Document>, spec: IndexSpec): Promise<void> {
  try {
    await collection.createIndex(new Map(spec.key), { ...spec.options, name: spec.name });
  } catch (error) {
    throw new IndexMigrationError(spec, 'create', collection.collectionName, error);
  }
}

/** Drops the index of the spec's name: the one it replaces. */
async function dropIndex(collection: Collection<Document>, spec: IndexSpec): Promise<void> {
  try {
    await collection.dropIndex(spec.name);
  } catch (error) {
    throw new IndexMigrationError(spec, 'drop', collection.collectionName, error);
  }
}

function codeOf(error: unknown): unknown {
  return error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
}
