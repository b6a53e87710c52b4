/**
 * Ids whichever connector wrote them. A `String`-typed id (LoopBack 3's usual
 * `{type: String, id: true}`) holds the server's generated ObjectIds, 24-hex strings stored as
 * ObjectIds (as loopback-connector-mongodb stores them) and, in older data, the same strings
 * stored as text. So, except with `strictObjectIDCoercion: true`, a lookup by such an id matches
 * both stored forms (`{_id: {$in: [hex, ObjectId(hex)]}}`, see PropertyInfo.matchesEitherForm).
 *
 * That filter is no equality, and two things MongoDB does for an equality on `_id` in an upsert
 * we do here: give the inserted document the id, and retry the loser of two concurrent inserts
 * of one id as an update. Each upsert stays one atomic server operation.
 */
import { ObjectId, type Document } from 'mongodb';
import type { ModelInfo } from './model-info';
import { isPlainObject } from './sanitize';
import { toStoredId } from './values';

/** Whether a filter selects `_id` through several values, so an upsert cannot take its `_id`. */
export function selectsIdForms(filter: Document): boolean {
  return isPlainObject(filter._id) && '$in' in filter._id;
}

/**
 * A whole-document replacement as an update pipeline: a matched document keeps its own `_id`
 * (either form), an inserted one gets `id`. A replacement document cannot do both: it may not
 * change a matched `_id`, and without one an upsert's insert gets a new ObjectId. `$literal`
 * keeps values such as `'$name'` from being read as field paths.
 */
export function replacementKeepingId(doc: Document, id: unknown): Document[] {
  return [
    {
      $replaceWith: {
        $mergeObjects: [{ _id: { $ifNull: ['$_id', { $literal: id }] } }, { $literal: doc }],
      },
    },
  ];
}

/**
 * The `_id` an upsert by where (findOrCreate, upsertWithWhere) must insert when the data brings
 * none: the one id the where names, as stored, when the filter selects it through both forms;
 * a new one where newStoredId says the server's would not do. Undefined when the server takes
 * the `_id` from an equality in the filter, or generates a fitting one.
 */
export function idToInsert(info: ModelInfo, where: unknown, filter: Document): unknown {
  if (!('_id' in filter)) return newStoredId(info);
  if (!selectsIdForms(filter) || !isPlainObject(where)) return undefined;
  let id = where[info.idName];
  if (isPlainObject(id) && Object.keys(id).length === 1 && 'eq' in id) id = id.eq;
  if (id === null || id === undefined || isPlainObject(id) || Array.isArray(id)) return undefined;
  return toStoredId(info, id);
}

/**
 * A new id for a document the app gave none, when the server's own would not do: a `String` id
 * with `strictObjectIDCoercion: true` stores and matches text exactly, so a generated ObjectId
 * could never be found by its 24-hex string; it gets that string instead. Undefined otherwise
 * (the driver or the server generates an ObjectId).
 */
export function newStoredId(info: ModelInfo): string | undefined {
  const { storedAs, hexAsObjectId } = info.idProperty;
  if (hexAsObjectId || (storedAs !== 'string' && storedAs !== 'loose')) return undefined;
  return new ObjectId().toHexString();
}

/**
 * Runs an upsert whose filter selects `_id` through both forms; when a concurrent upsert inserted
 * the same id first (a duplicate key on `_id`), runs it once more, now matching that document:
 * what the server does by itself for an equality filter.
 */
export async function retryingIdRace<T>(filter: Document, upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (error) {
    if (!selectsIdForms(filter) || !isDuplicateId(error)) throw error;
    return upsert();
  }
}

function isDuplicateId(error: unknown): boolean {
  const shape = error as { code?: unknown; keyPattern?: unknown; errorResponse?: Document } | null;
  if (!shape || Number(shape.code) !== 11000) return false;
  const keyPattern = shape.keyPattern ?? shape.errorResponse?.keyPattern;
  return isPlainObject(keyPattern) && Object.keys(keyPattern).join() === '_id';
}
