/** The timed unit of work: one contender making `n` sequential calls of one op. */
import type { Contender } from './contenders';
import { sequentially } from './measure';
import type { OpName } from './report';
import { countFrom, findFrom, newDoc, patchDoc, updateDone, updateFrom } from './workload';

/**
 * The order ops run in within a round: those reading the seed first, then create..destroy, which
 * leave the collection as they found it (findById, updateOrCreate and destroyById use the ids
 * the create block made).
 */
export const EXECUTION_ORDER: readonly OpName[] = [
  'find',
  'count',
  'updateAll',
  'create',
  'findById',
  'updateOrCreate',
  'destroyById',
];

/** The block of `n` sequential calls one contender makes for one op. */
export function opBlock(c: Contender, ids: unknown[], op: OpName, n: number): () => Promise<void> {
  switch (op) {
    case 'create':
      return () =>
        sequentially(n, async (i) => {
          ids[i] = await c.create(newDoc(i));
        });
    case 'findById':
      return () => sequentially(n, (i) => c.findById(ids[i]));
    case 'find':
      return () => sequentially(n, (i) => c.find(findFrom(i)));
    case 'updateOrCreate':
      return () => sequentially(n, (i) => c.updateOrCreate(ids[i], patchDoc(i)));
    case 'count':
      return () => sequentially(n, (i) => c.count(countFrom(i)));
    case 'updateAll':
      return () => sequentially(n, (i) => c.updateAll(updateFrom(i), updateDone(i)));
    case 'destroyById':
      return () => sequentially(n, (i) => c.destroyById(ids[i]));
  }
}
