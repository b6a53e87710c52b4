import type { IncomingMessage, ServerResponse } from 'node:http';

/** A booted LoopBack 3 app; `dataSources` replaces server/datasources.json. */
declare function createApp(options: {
  mongoUrl: string;
  dataSources?: Record<string, Record<string, unknown>>;
}): Promise<createApp.LoopBackApp>;

declare namespace createApp {
  /** What the tests use of a LoopBack 3 app: an HTTP handler with its models and datasources. */
  interface LoopBackApp {
    (req: IncomingMessage, res: ServerResponse): void;
    models: Record<string, LoopBackModel>;
    dataSources: Record<string, LoopBackDataSource>;
  }

  interface LoopBackDataSource {
    connector: object;
    settings: Record<string, unknown>;
    disconnect(): Promise<void>;
  }

  interface LoopBackModel {
    create(data: object): Promise<{ id: string } & Record<string, unknown>>;
    findOne(filter?: object): Promise<({ id: string } & Record<string, unknown>) | null>;
  }
}

export = createApp;
