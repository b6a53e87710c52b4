import { driverOptionsFor } from '../driver-options';
import { InvalidQueryError } from '../errors';
import { storedPath } from '../model-info';
import { observed } from '../observers';
import { restoreBoxedOperands } from '../query/boxed-operands';
import { buildFilter } from '../query/where';
import { fromStoredValue } from '../values';
import type { OperationContext } from './context';

/**
 * The distinct values of a property (or a dotted path inside one) among the instances the where
 * matches, in the app's form: ids and ObjectIds as 24-hex strings, Decimal128 as for `find`. The
 * server flattens arrays, so an array property gives its distinct items.
 */
export async function distinct(
  ctx: OperationContext,
  property: string,
  where: unknown,
): Promise<unknown[]> {
  const { info } = ctx;
  if (typeof property !== 'string' || !property) {
    throw new InvalidQueryError(
      info.model,
      `distinct needs a property name, got ${String(property)}`,
    );
  }
  const { field, property: prop } = storedPath(info, property);
  const head = property.split('.', 1)[0];
  // a name the model does not define is a typo on a strict model, not an empty answer
  if (!info.properties.has(head) && head !== '_id' && info.modelSettings.strict !== false) {
    throw new InvalidQueryError(info.model, 'distinct: no such property', property);
  }
  restoreBoxedOperands(info, where);
  const query = buildFilter(info, where, ctx.sanitize);
  const options = { ...ctx.driverOptions, ...driverOptionsFor('distinct', ctx.perCall) };
  const values = await observed(ctx.observer, 'distinct', [field, query, options], () =>
    ctx.collection.distinct(field, query, options),
  );
  return values.map((value) => fromStoredValue(prop, value));
}
