import type { Document } from 'mongodb';
import { InvalidQueryError, describe } from '../errors';
import { storedPath, type ModelInfo } from '../model-info';
import { isPlainObject, isPrototypeKey } from '../sanitize';

/**
 * A juggler fields selection: property names to return, or `{name: true}` to return only the true
 * ones, or `{name: false}` to return all but the false ones.
 */
export type Fields = string | string[] | Record<string, unknown>;

/**
 * The MongoDB projection for a juggler fields selection; undefined when every field is wanted.
 * Juggler's DAO builds instances from the listed properties only, as its memory connector returns
 * them, so the id comes back only when it is listed: `_id` is excluded otherwise, since MongoDB
 * would return it by default.
 */
export function buildProjection(info: ModelInfo, fields: unknown): Document | undefined {
  if (fields === undefined || fields === null) return undefined;
  if (typeof fields === 'string') return inclusion(info, [fields]);
  if (Array.isArray(fields)) return fields.length ? inclusion(info, fields) : undefined;
  if (!isPlainObject(fields)) {
    throw new InvalidQueryError(
      info.model,
      `fields must be an array of property names or an object, got ${describe(fields)}`,
    );
  }
  const names = Object.keys(fields);
  const included = names.filter((name) => fields[name]);
  return included.length ? inclusion(info, included) : exclusion(info, names);
}

function inclusion(info: ModelInfo, names: unknown[]): Document {
  const projection = project(info, names, 1);
  if (!Object.hasOwn(projection, '_id')) projection._id = 0;
  return projection;
}

function exclusion(info: ModelInfo, names: string[]): Document | undefined {
  const projection = project(info, names, 0);
  return Object.keys(projection).length ? projection : undefined;
}

function project(info: ModelInfo, names: unknown[], value: 0 | 1): Document {
  const projection: Document = {};
  for (const name of names) {
    // none of these can name a property; `$` would make MongoDB read an operator
    if (typeof name !== 'string' || name === '' || name.startsWith('$') || isPrototypeKey(name)) {
      throw new InvalidQueryError(info.model, `fields cannot select ${describe(name)}`);
    }
    projection[storedPath(info, name).field] = value;
  }
  return projection;
}
