import { EventEmitter } from 'node:events';
import type { DataObject, Entity } from '@loopback/repository';
import type { ResumeToken } from 'mongodb';
import type { ModelChange, ModelChangeStream } from '../change-streams';

/** A change to one of a repository's entities, with the entity's own types. */
export interface EntityChange<T extends Entity, ID> extends Omit<
  ModelChange,
  'id' | 'data' | 'before' | 'updatedFields'
> {
  /** The changed entity's id as the app sees it (a 24-hex string for ObjectIds). */
  id?: ID;
  /** The entity after the change: inserts and replaces, updates looked up (see WatchOptions). */
  data?: T;
  /** The entity before the change, when `fullDocumentBeforeChange` asked for it. */
  before?: T;
  /** For updates: the properties set, by property name. */
  updatedFields?: DataObject<T>;
}

/**
 * A ModelChangeStream whose changes carry entities: an async iterator, or an event emitter once a
 * `change` listener is added (`change`, `error`, `close`), as the stream it wraps.
 */
export class EntityChangeStream<T extends Entity, ID>
  extends EventEmitter
  implements AsyncIterableIterator<EntityChange<T, ID>, undefined>
{
  private forwarding = false;

  constructor(
    private readonly stream: ModelChangeStream,
    private readonly toEntity: (data: Record<string, unknown>) => T,
  ) {
    super();
    this.on('newListener', (event: string) => {
      if (event !== 'change' || this.forwarding) return;
      this.forwarding = true;
      stream.on('change', (change: ModelChange) => this.emit('change', this.entityChange(change)));
      stream.on('error', (error: unknown) => this.emit('error', error));
      stream.on('close', () => this.emit('close'));
    });
  }

  get resumeToken(): ResumeToken {
    return this.stream.resumeToken;
  }

  get closed(): boolean {
    return this.stream.closed;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<EntityChange<T, ID>, undefined>> {
    const result = await this.stream.next();
    return result.done ? result : { done: false, value: this.entityChange(result.value) };
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  /** Closes the server cursor; idempotent. */
  close(): Promise<void> {
    return this.stream.close();
  }

  private entityChange(change: ModelChange): EntityChange<T, ID> {
    const { id, data, before, updatedFields, ...rest } = change;
    return {
      ...rest,
      ...(id !== undefined ? { id: id as ID } : {}),
      ...(data ? { data: this.toEntity(data) } : {}),
      ...(before ? { before: this.toEntity(before) } : {}),
      ...(updatedFields ? { updatedFields: updatedFields as DataObject<T> } : {}),
    };
  }
}
