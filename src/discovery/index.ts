/**
 * Schema discovery against the server: list collections, sample one, read its indexes, and hand
 * them to the pure inference in ./infer.ts. Juggler's DataSource.discoverModelDefinitions and
 * discoverSchemas (and so discoverSchema, discoverAndBuildModels and `lb4 discover`) call these
 * through the connector.
 */
import type { Db, Document } from 'mongodb';
import { MongoConnectorError } from '../errors';
import {
  inferSchema,
  modelDefinitions,
  type CollectionEntry,
  type DiscoveredModelDefinition,
  type DiscoveredSchema,
  type IndexEntry,
} from './infer';

export * from './infer';

/** How many documents `discoverSchemas` samples unless told otherwise. */
export const DEFAULT_SAMPLE_SIZE = 1000;

/** Options of `discoverModelDefinitions`, as juggler and `lb4 discover` pass them. */
export interface DiscoverModelDefinitionsOptions {
  /** The database to list; default: the datasource's. `schema` is the same, as `lb4` names it. */
  owner?: string;
  schema?: string;
  /** A tenant database (see ../tenants); checked like a DAO call's `options.database`. */
  database?: string;
  /** Include views (default true). */
  views?: boolean;
  limit?: number;
  offset?: number;
}

/** Options of `discoverSchemas`. */
export interface DiscoverSchemasOptions {
  owner?: string;
  schema?: string;
  /** A tenant database (see ../tenants); checked like a DAO call's `options.database`. */
  database?: string;
  /** Documents to sample with `$sample` (default 1000). */
  sampleSize?: number;
  /** The model name to give the schema; default: the collection name in PascalCase. */
  modelName?: string;
  [juggler: string]: unknown;
}

/** Discovery was asked for something the database does not have, or with unusable options. */
export class DiscoveryError extends MongoConnectorError {
  constructor(message: string, statusCode = 400) {
    super(message, { code: 'DISCOVERY', statusCode });
  }
}

/** The database an owner/schema option names, else the datasource's own. */
function databaseFor(db: Db, options: { owner?: string; schema?: string }): Db {
  const owner = options.owner || options.schema;
  return owner && owner !== db.databaseName ? db.client.db(owner) : db;
}

export async function discoverModelDefinitions(
  connected: Db,
  options: DiscoverModelDefinitionsOptions = {},
): Promise<DiscoveredModelDefinition[]> {
  const db = databaseFor(connected, options);
  const collections = (await db
    .listCollections({}, { nameOnly: false, authorizedCollections: true })
    .toArray()) as CollectionEntry[];
  return modelDefinitions(db.databaseName, collections, options);
}

/**
 * The schema of one collection, keyed `owner.collection` as juggler's discoverSchemas answers
 * (discoverSchema and discoverAndBuildModels read that map).
 */
export async function discoverSchemas(
  connected: Db,
  collectionName: string,
  options: DiscoverSchemasOptions = {},
): Promise<Record<string, DiscoveredSchema>> {
  const sampleSize = options.sampleSize ?? DEFAULT_SAMPLE_SIZE;
  if (!Number.isInteger(sampleSize) || sampleSize < 1) {
    throw new DiscoveryError(
      `discoverSchemas: sampleSize must be a positive integer, got ${String(sampleSize)}`,
    );
  }
  const db = databaseFor(connected, options);
  const [entry] = (await db
    .listCollections({ name: collectionName }, { nameOnly: false })
    .toArray()) as CollectionEntry[];
  if (!entry) {
    throw new DiscoveryError(
      `discoverSchemas: database ${db.databaseName} has no collection ${collectionName}`,
      404,
    );
  }
  const collection = db.collection(collectionName);
  const [docs, indexes] = await Promise.all([
    collection.aggregate<Document>([{ $sample: { size: sampleSize } }]).toArray(),
    // a view has no indexes of its own; listIndexes refuses it
    entry.type === 'view'
      ? Promise.resolve([])
      : (collection.listIndexes().toArray() as Promise<IndexEntry[]>),
  ]);
  const schema = inferSchema(collectionName, docs, indexes, { modelName: options.modelName });
  return { [`${db.databaseName}.${collectionName}`]: schema };
}
