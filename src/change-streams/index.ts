/**
 * Change streams as model events: `connector.watch(model, options)` over the driver's
 * ChangeStream, with the same where translation and value mapping as `find` (./events.ts).
 */
import { EventEmitter } from 'node:events';
import {
  Timestamp,
  type ChangeStream,
  type ChangeStreamOptions,
  type Db,
  type Document,
  type ResumeToken,
} from 'mongodb';
import { MongoConnectorError } from '../errors';
import type { ModelInfo } from '../model-info';
import type { OperationContext } from '../operations/context';
import { changeStreamPipeline, needsFullDocument, toModelChange, type ModelChange } from './events';

export { changeStreamPipeline, toModelChange, type ModelChange } from './events';

/** Options of `connector.watch`. */
export interface WatchOptions {
  /** Only changes to instances matching this juggler where (see changeStreamPipeline). */
  where?: unknown;
  /**
   * Whether update events carry the whole instance: `'updateLookup'` (the instance as it is when
   * the stream reads the event; the default when a where other than on the id needs it),
   * `'whenAvailable'`/`'required'` (post-images: as it was right after the change), `'default'`.
   */
  fullDocument?: ChangeStreamOptions['fullDocument'];
  /**
   * Pre-images (the collection needs changeStreamPreAndPostImages); with `'required'`, deletes are
   * filtered by the where too.
   */
  fullDocumentBeforeChange?: ChangeStreamOptions['fullDocumentBeforeChange'];
  /** Carry on after this change's token (`change.token`, or `stream.resumeToken`). */
  resumeAfter?: ResumeToken;
  /** Like resumeAfter, and also past an invalidate event. */
  startAfter?: ResumeToken;
  /** How long the server waits for new changes before answering an empty batch. */
  maxAwaitTimeMS?: number;
  allowExtendedOperators?: boolean;
  /** Watch this tenant database's collection (see ../tenants) instead of the datasource's. */
  database?: string;
}

/** The server cannot stream changes: a standalone mongod has no oplog to read them from. */
export class ChangeStreamsNotSupportedError extends MongoConnectorError {
  constructor(model: string) {
    super(
      `${model}: change streams require a replica set or a sharded cluster, and this datasource ` +
        'is connected to a standalone mongod. A one-member replica set is enough: start mongod ' +
        'with --replSet rs0, run rs.initiate() once, and connect with ?replicaSet=rs0',
      { code: 'CHANGE_STREAMS_NOT_SUPPORTED', statusCode: 500, model },
    );
  }
}

/** The part of the `hello` answer that says what the deployment is, and what time it is there. */
export interface HelloReply {
  setName?: string;
  /** `isdbgrid` from a mongos. */
  msg?: string;
  operationTime?: Timestamp;
}

export function supportsChangeStreams(hello: HelloReply): boolean {
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
}

/**
 * The first cluster time after `operationTime`. The driver opens its cursor on the first read;
 * starting there instead of at "now" means no change made after watch() resolved is missed, and
 * none made before it is delivered.
 */
export function nextClusterTime(operationTime: Timestamp): Timestamp {
  return new Timestamp({ t: operationTime.t, i: operationTime.i + 1 });
}

/**
 * Open a change stream on the context's collection. Fails at once, with a
 * ChangeStreamsNotSupportedError, on a standalone server; a bad where fails before any I/O.
 */
export async function watch(
  ctx: OperationContext,
  connect: () => Promise<Db>,
  options: WatchOptions = {},
): Promise<ModelChangeStream> {
  // only a required pre-image is sure to be there to match a delete on
  const preImages = options.fullDocumentBeforeChange === 'required';
  const pipeline = changeStreamPipeline(ctx.info, options.where, ctx.sanitize, preImages);
  const hello = (await (await connect()).command({ hello: 1 })) as HelloReply;
  if (!supportsChangeStreams(hello)) throw new ChangeStreamsNotSupportedError(ctx.info.model);
  const driverOptions: ChangeStreamOptions = {};
  const fullDocument =
    options.fullDocument ?? (needsFullDocument(pipeline) ? 'updateLookup' : undefined);
  if (fullDocument) driverOptions.fullDocument = fullDocument;
  if (options.fullDocumentBeforeChange) {
    driverOptions.fullDocumentBeforeChange = options.fullDocumentBeforeChange;
  }
  if (options.maxAwaitTimeMS !== undefined) driverOptions.maxAwaitTimeMS = options.maxAwaitTimeMS;
  if (options.resumeAfter !== undefined) driverOptions.resumeAfter = options.resumeAfter;
  else if (options.startAfter !== undefined) driverOptions.startAfter = options.startAfter;
  else if (hello.operationTime) {
    driverOptions.startAtOperationTime = nextClusterTime(hello.operationTime);
  }
  return new ModelChangeStream(ctx.info, ctx.collection.watch(pipeline, driverOptions));
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The changes to one model, in order: an async iterator (`for await (const change of stream)`;
 * leaving the loop closes the server cursor) or, once a `change` listener is added, an event
 * emitter (`change`, `error`, `close`). Use one form or the other. `C` is what each change is
 * handed out as: a ModelChange, or what `mapChanges` makes of it.
 */
export class ModelChangeStream<C = ModelChange>
  extends EventEmitter
  implements AsyncIterableIterator<C, undefined>
{
  private emitting = false;
  private shape: (change: ModelChange) => unknown = (change) => change;

  constructor(
    private readonly info: ModelInfo,
    private readonly stream: ChangeStream<Document, Document>,
  ) {
    super();
    this.on('newListener', (event: string) => {
      if (event === 'change' && !this.emitting) {
        this.emitting = true;
        // started on a later tick, so the listener being added is there for the first change
        process.nextTick(() => void this.emitChanges());
      }
    });
  }

  /** The token to resume from after the last change handed out (or the stream's start). */
  get resumeToken(): ResumeToken {
    return this.stream.resumeToken;
  }

  get closed(): boolean {
    return this.stream.closed;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * This stream, handing each change out as `map` makes it (the typed repository's entities);
   * call it before reading.
   */
  mapChanges<D>(map: (change: C) => D): ModelChangeStream<D> {
    const previous = this.shape;
    this.shape = (change) => map(previous(change) as C);
    return this as unknown as ModelChangeStream<D>;
  }

  async next(): Promise<IteratorResult<C, undefined>> {
    if (this.emitting) {
      throw new Error(`${this.info.model} change stream: it emits events; do not also iterate it`);
    }
    return this.read();
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    await this.close();
    return DONE;
  }

  /** Closes the server cursor; idempotent. */
  async close(): Promise<void> {
    if (!this.stream.closed) await this.stream.close();
  }

  private async read(): Promise<IteratorResult<C, undefined>> {
    if (this.stream.closed) return DONE;
    try {
      const change = toModelChange(this.info, await this.stream.next());
      return { done: false, value: this.shape(change) as C };
    } catch (error) {
      // close() while a read waits ends the iteration, as a break would
      if (this.stream.closed) return DONE;
      throw error;
    }
  }

  private async emitChanges(): Promise<void> {
    try {
      for (let result = await this.read(); !result.done; result = await this.read()) {
        this.emit('change', result.value);
      }
    } catch (error) {
      await this.close();
      this.emit('error', error);
    }
    this.emit('close');
  }
}
