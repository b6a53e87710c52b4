// loopback-connector ships no type declarations; these describe the part of its API we use.
declare module 'loopback-connector' {
  /** Juggler's model definition as the connector receives it in `define()`. */
  export interface ModelDefinition {
    // The juggler model class; its surface is wide and untyped upstream.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    model: any;
    properties: Record<string, PropertyDefinition>;
    settings: Record<string, unknown>;
  }

  export interface PropertyDefinition {
    type?: unknown;
    id?: boolean | number;
    generated?: boolean;
    index?: boolean | Record<string, unknown>;
    unique?: boolean;
    [key: string]: unknown;
  }

  export class Connector {
    constructor(name: string, settings?: Record<string, unknown>);
    name: string;
    settings: Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    dataSource: any;
    _models: Record<string, ModelDefinition>;
    define(definition: ModelDefinition): void;
    defineProperty(model: string, propertyName: string, definition: PropertyDefinition): void;
    getModelDefinition(modelName: string): ModelDefinition | undefined;
    getConnectorSpecificSettings(modelName: string): Record<string, unknown> | undefined;
    idName(model: string): string;
    idNames(model: string): string[];
    getDefaultIdType(prop?: unknown): unknown;
    getDataAccessObject(): unknown;
  }

  export class Transaction {
    constructor(connector: unknown, connection: unknown);
    connector: unknown;
    connection: unknown;
    id?: string;
    static SERIALIZABLE: string;
    static REPEATABLE_READ: string;
    static READ_COMMITTED: string;
    static READ_UNCOMMITTED: string;
    static begin(
      connector: unknown,
      options: unknown,
      cb?: (err: Error | null, tx?: Transaction) => void,
    ): unknown;
    commit(cb?: (err?: Error | null) => void): unknown;
    rollback(cb?: (err?: Error | null) => void): unknown;
    isActive(): boolean;
  }

  export function createPromiseCallback(): unknown;
}
