/**
 * MongoDB full-text search: the `$text` condition of a where, and ordering by relevance. It runs
 * no code, so unlike other `$`-operators it needs no allowExtendedOperators; its operand is
 * checked key by key. It needs a text index, which migrations make from the model's `indexes`
 * (`{keys: {title: 'text', body: 'text'}}`). Pure.
 */
import type { Document } from 'mongodb';
import { InvalidQueryError, describe } from '../errors';
import { isPlainObject } from '../sanitize';

/** What each key of a text search holds; written with `$` or without. */
const TEXT_SEARCH_KEYS: ReadonlyMap<string, 'string' | 'boolean'> = new Map([
  ['search', 'string'],
  ['language', 'string'],
  ['caseSensitive', 'boolean'],
  ['diacriticSensitive', 'boolean'],
]);

/** The order key that sorts by relevance, most relevant first: `order: '$textScore DESC'`. */
export const RELEVANCE_ORDER_KEY = '$textScore';

/**
 * The sort entry for relevance. The server reads `$meta` under any field name; this one cannot
 * be a property, so it never meets a sort on a stored field.
 */
const RELEVANCE_FIELD = '~textScore';
export const RELEVANCE_SORT: Readonly<Record<string, { $meta: 'textScore' }>> = {
  [RELEVANCE_FIELD]: { $meta: 'textScore' },
};

/** Whether a where key is a text search: `$text`, or `text` when the model has no such property. */
export function isTextSearchKey(key: string, hasProperty: (name: string) => boolean): boolean {
  return key === '$text' || (key === 'text' && !hasProperty('text'));
}

/** `{search, language, caseSensitive, diacriticSensitive}` (or `$search`...) as `$text` takes it. */
export function textSearchCondition(model: string, operand: unknown): Document {
  if (!isPlainObject(operand)) {
    throw new InvalidQueryError(
      model,
      `text search expects {search: 'words'}, got ${describe(operand)}; a property named text ` +
        'must be defined on the model to be queried',
    );
  }
  const condition: Document = {};
  for (const [given, value] of Object.entries(operand)) {
    if (value === undefined) continue;
    const key = given.replace(/^\$/, '');
    const kind = TEXT_SEARCH_KEYS.get(key);
    if (!kind) {
      throw new InvalidQueryError(
        model,
        `text search takes ${[...TEXT_SEARCH_KEYS.keys()].join(', ')}; got ${describe(given)}`,
      );
    }
    condition[`$${key}`] = textValue(model, key, kind, value);
  }
  if (typeof condition.$search !== 'string') {
    throw new InvalidQueryError(model, `text search needs search, got ${describe(operand)}`);
  }
  return condition;
}

function textValue(
  model: string,
  key: string,
  kind: 'string' | 'boolean',
  value: unknown,
): unknown {
  if (kind === 'string' && typeof value === 'string') return value;
  // REST query strings deliver booleans as text
  if (kind === 'boolean' && (value === true || value === 'true')) return true;
  if (kind === 'boolean' && (value === false || value === 'false')) return false;
  throw new InvalidQueryError(
    model,
    `text search ${key} expects a ${kind}, got ${describe(value)}`,
  );
}

/** Relevance exists only for a text search; without one the server would fail the whole find. */
export function assertRelevanceSearched(model: string, filter: Document, sort: unknown): void {
  if (!isPlainObject(sort) || !(RELEVANCE_FIELD in sort) || searchesText(filter)) return;
  throw new InvalidQueryError(
    model,
    `order ${RELEVANCE_ORDER_KEY} needs a text search in the where ({$text: {search: '...'}})`,
  );
}

/** Whether a filter searches text: at its top level or in one of its top-level `$and`s. */
function searchesText(filter: Document): boolean {
  if ('$text' in filter) return true;
  const and: unknown = filter.$and;
  return Array.isArray(and) && and.some((clause) => isPlainObject(clause) && '$text' in clause);
}
