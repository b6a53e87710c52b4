/**
 * What every contender does, written once: the model, the seed, and the juggler filters with the
 * driver filters they mean. Juggler takes one operator per property condition, hence `between`.
 */

export interface TodoData {
  title: string;
  done: boolean;
  n: number;
}

export const MODEL = 'Todo';

export const TODO_PROPERTIES = {
  title: String,
  done: Boolean,
  n: { type: Number, index: true },
};
export const TODO_SETTINGS = { forceId: false };

/** Documents in each contender's collection while the single-document ops run. */
export const SEED_SIZE = 1000;
/** `n` of the bulk documents starts here, far above the seed's 0..999. */
export const BULK_BASE = 1_000_000;

export function seedDoc(i: number): TodoData {
  return { title: `todo ${i}`, done: i % 2 === 0, n: i };
}

/** The data `create` inserts on call i; its `n` keeps it out of the seed's ranges. */
export function newDoc(i: number): TodoData {
  return { title: `new ${i}`, done: false, n: SEED_SIZE + 100_000 + i };
}

export function patchDoc(i: number): TodoData {
  return { title: `patched ${i}`, done: i % 2 === 1, n: SEED_SIZE + 100_000 + i };
}

export function bulkDocs(count: number): TodoData[] {
  const docs = new Array<TodoData>(count);
  for (let i = 0; i < count; i++) docs[i] = { title: `bulk ${i}`, done: false, n: BULK_BASE + i };
  return docs;
}

/** Where the i-th find, count and updateAll start: spread over the seed, the same for everyone. */
export const findFrom = (i: number) => (i * 37) % (SEED_SIZE - 50);
export const countFrom = (i: number) => (i * 53) % (SEED_SIZE - 100);
export const updateFrom = (i: number) => (i * 71) % (SEED_SIZE - 10);
export const updateDone = (i: number) => i % 2 === 1;

// juggler filters (fresh objects on every call: juggler coerces where clauses in place)
export const findFilter = (k: number) => ({
  where: { done: false, n: { gte: k } },
  order: 'n ASC',
  limit: 10,
});
/** findFilter as juggler's DAO hands it to `connector.all` (a filter with a limit gains these). */
export const findFilterNormalized = (k: number) => ({
  where: { done: false, n: { gte: k } },
  order: 'n ASC',
  limit: 10,
  offset: 0,
  skip: 0,
});
export const byIdFilterNormalized = (id: unknown) => ({
  where: { id },
  limit: 1,
  offset: 0,
  skip: 0,
});
export const countWhere = (k: number) => ({ n: { between: [k, k + 99] } });
export const updateWhere = (k: number) => ({ n: { between: [k, k + 9] } });
export const bulkFilter = () => ({ where: { n: { gte: BULK_BASE } }, order: 'n ASC' });

// the same queries for the driver
export const rawFind = (k: number) => ({ done: false, n: { $gte: k } });
export const rawCount = (k: number) => ({ n: { $gte: k, $lte: k + 99 } });
export const rawUpdate = (k: number) => ({ n: { $gte: k, $lte: k + 9 } });
export const rawBulk = () => ({ n: { $gte: BULK_BASE } });
export const RAW_SORT = { n: 1 } as const;
