import type { Sort } from 'mongodb';
import { InvalidQueryError, describe } from '../errors';
import { storedPath, type ModelInfo } from '../model-info';
import { RELEVANCE_ORDER_KEY, RELEVANCE_SORT } from './text-search';

/**
 * A juggler order: `'a DESC'`, `'a, b DESC'` or `['a ASC', 'b DESC']`; ascending by default.
 * `'$textScore DESC'` orders a text search by relevance.
 */
export type Order = string | string[];

export interface SortOptions {
  disableDefaultSort: boolean;
}

const DIRECTIONS: ReadonlyMap<string, 1 | -1> = new Map([
  ['ASC', 1],
  ['DESC', -1],
]);

/**
 * Sorts already built from order strings, per model: an app (or its REST clients) repeats a few
 * orders, and parsing one costs more than the rest of a find's translation. Bounded, since order
 * strings can come from users; a model whose facts are rebuilt starts afresh.
 */
type SortEntry = 1 | -1 | { $meta: 'textScore' };
const builtSorts = new WeakMap<ModelInfo, Map<string, Readonly<Record<string, SortEntry>>>>();
const MAX_BUILT_SORTS = 200;

/**
 * The MongoDB sort for a juggler order; undefined when there is none to apply. A property named
 * twice keeps its first direction, as the second could only break ties the first already broke.
 */
export function buildSort(info: ModelInfo, order: unknown, options: SortOptions): Sort | undefined {
  const built = typeof order === 'string' ? builtSorts.get(info)?.get(order) : undefined;
  // a copy: the caller owns what it gets
  if (built) return { ...built };
  const terms = orderTerms(info, order);
  // without an order, id order keeps paging with skip stable across calls
  if (terms.length === 0) return options.disableDefaultSort ? undefined : { _id: 1 };
  const sort: Record<string, SortEntry> = {};
  for (const term of terms) {
    const [path, direction, ...rest] = term.split(/\s+/);
    if (path === RELEVANCE_ORDER_KEY) {
      addRelevance(info, sort, term, direction, rest.length);
      continue;
    }
    const value = DIRECTIONS.get((direction ?? 'ASC').toUpperCase());
    if (value === undefined || rest.length > 0) {
      throw new InvalidQueryError(
        info.model,
        `order ${describe(term)} has an unknown direction; use ASC or DESC`,
        path,
      );
    }
    const { field } = storedPath(info, path);
    if (!Object.hasOwn(sort, field)) sort[field] = value;
  }
  if (typeof order === 'string') remember(info, order, sort);
  return sort;
}

/** MongoDB sorts by relevance one way only: most relevant first. */
function addRelevance(
  info: ModelInfo,
  sort: Record<string, SortEntry>,
  term: string,
  direction: string | undefined,
  more: number,
): void {
  if ((direction !== undefined && direction.toUpperCase() !== 'DESC') || more > 0) {
    throw new InvalidQueryError(
      info.model,
      `order ${describe(term)}: relevance orders most relevant first only; ` +
        `use ${RELEVANCE_ORDER_KEY} or ${RELEVANCE_ORDER_KEY} DESC`,
    );
  }
  Object.assign(sort, RELEVANCE_SORT);
}

function remember(info: ModelInfo, order: string, sort: Record<string, SortEntry>): void {
  let sorts = builtSorts.get(info);
  if (!sorts) builtSorts.set(info, (sorts = new Map()));
  if (sorts.size < MAX_BUILT_SORTS) sorts.set(order, { ...sort });
}

/** The `property [direction]` terms of an order, trimmed, empty ones dropped. */
function orderTerms(info: ModelInfo, order: unknown): string[] {
  if (order === undefined || order === null) return [];
  const parts = typeof order === 'string' ? [order] : order;
  if (!Array.isArray(parts) || parts.some((part) => typeof part !== 'string')) {
    throw new InvalidQueryError(
      info.model,
      `order must be a string or an array of strings, got ${describe(order)}`,
    );
  }
  return (parts as string[])
    .flatMap((part) => part.split(','))
    .map((term) => term.trim())
    .filter((term) => term !== '');
}
