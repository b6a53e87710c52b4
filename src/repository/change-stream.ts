import type { DataObject, Entity } from '@loopback/repository';
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
 * A repository's changes: an async iterator of EntityChange, or an event emitter once a `change`
 * listener is added (`change`, `error`, `close`).
 */
export type EntityChangeStream<T extends Entity, ID> = ModelChangeStream<EntityChange<T, ID>>;

/** The change with its instances as entities, made by `toEntity`. */
export function entityChange<T extends Entity, ID>(
  change: ModelChange,
  toEntity: (data: Record<string, unknown>) => T,
): EntityChange<T, ID> {
  const { id, data, before, updatedFields, ...rest } = change;
  return {
    ...rest,
    ...(id !== undefined ? { id: id as ID } : {}),
    ...(data ? { data: toEntity(data) } : {}),
    ...(before ? { before: toEntity(before) } : {}),
    ...(updatedFields ? { updatedFields: updatedFields as DataObject<T> } : {}),
  };
}
