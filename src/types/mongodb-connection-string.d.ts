/**
 * The driver's own table of MongoClient options and its synchronous parser, shipped in
 * mongodb/lib/connection_string.js without declarations. The table is the one truth of which
 * option names driver 7 takes; the parser checks values without touching the network.
 */
declare module 'mongodb/lib/connection_string' {
  import type { MongoClientOptions, MongoOptions } from 'mongodb';

  /** Option name -> descriptor; only the names are read here. */
  export const OPTIONS: Readonly<Record<string, unknown>>;
  export function parseOptions(url: string, options?: MongoClientOptions): MongoOptions;
}
