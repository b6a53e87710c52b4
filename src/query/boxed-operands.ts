import type { ModelInfo } from '../model-info';
import { isPlainObject } from '../sanitize';
import { unboxed } from '../values';

const LOGICAL: ReadonlySet<string> = new Set(['and', 'or', 'nor']);

/**
 * Puts primitives back where juggler boxed them in a where clause. Juggler coerces the operands
 * of `Object`-typed (loose) properties with `Object(value)`, which boxes strings, numbers and
 * booleans, and it does so in place: the items of an `inq` array are replaced inside the array
 * the caller passed. LoopBack's inclusion resolvers pass their own list of source keys as that
 * array and then look targets up in a Map keyed by those same values, so a boxed String (never
 * equal to the primitive) makes every include over a loose foreign key (hasOne, hasMany,
 * hasManyThrough with two sources or more) attach nothing. Restored before the query, the
 * caller's array holds its own values again. Only top-level property names are touched, as
 * only those are coerced by juggler.
 */
export function restoreBoxedOperands(info: ModelInfo, where: unknown): void {
  if (!isPlainObject(where)) return;
  for (const key of Object.keys(where)) {
    const value = where[key];
    if (LOGICAL.has(key)) {
      if (Array.isArray(value)) for (const clause of value) restoreBoxedOperands(info, clause);
      continue;
    }
    const prop = info.properties.get(key);
    if (!prop || (prop.itemStoredAs ?? prop.storedAs) !== 'loose') continue;
    if (isPlainObject(value)) {
      for (const op of Object.keys(value)) value[op] = restored(value[op]);
    } else {
      where[key] = restored(value);
    }
  }
}

/** One operand, or each item of an array operand, unboxed; arrays are changed in place. */
function restored(operand: unknown): unknown {
  if (!Array.isArray(operand)) return unboxed(operand);
  for (let i = 0; i < operand.length; i++) operand[i] = unboxed(operand[i]);
  return operand;
}
