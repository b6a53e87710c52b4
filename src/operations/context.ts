import type { MongoDriverCallOptions } from '../driver-options';
import type { ClientSession, CollationOptions, Collection, Db, Document } from 'mongodb';
import type { ModelInfo } from '../model-info';
import type { ExecuteObserver } from '../observers';
import type { SanitizeOptions } from '../sanitize';

/** Everything one DAO call needs, resolved once by the connector before the operation runs. */
export interface OperationContext {
  readonly info: ModelInfo;
  /** The database the call reads and writes (a tenant's, when the call chose one). */
  readonly db: Db;
  readonly collection: Collection<Document>;
  readonly sanitize: SanitizeOptions;
  /** Options every driver call of this operation carries: the transaction's session, collation. */
  readonly driverOptions: DriverCallOptions;
  /** The call's own driver options (maxTimeMS, hint...), checked; see driverOptionsFor. */
  readonly perCall: Readonly<MongoDriverCallOptions>;
  /** The connector hooks around each driver call; undefined when none is registered. */
  readonly observer: ExecuteObserver | undefined;
}

export interface DriverCallOptions {
  session?: ClientSession;
  collation?: CollationOptions;
}

/** Juggler's filter as the connector receives it (after juggler's own normalisation). */
export interface JugglerFilter {
  where?: unknown;
  order?: unknown;
  fields?: unknown;
  limit?: number;
  skip?: number;
  offset?: number;
  include?: unknown;
}

export type AppData = Record<string, unknown>;
