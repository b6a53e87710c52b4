import { NotFoundError } from '../errors';
import { buildFilter } from '../query/where';
import { sanitizeData } from '../sanitize';
import { buildUpdate } from '../update';
import { toAppId, toStoredDocument } from '../values';
import { idFilter } from './by-id';
import type { AppData, OperationContext } from './context';

export interface CountResult {
  count: number;
}

/** Write a whole instance under its id, inserting it if it is gone. */
export async function save(
  ctx: OperationContext,
  data: AppData,
): Promise<[AppData, { isNewInstance: boolean }]> {
  const { _id, ...doc } = toStoredDocument(ctx.info, sanitizeData(ctx.info, data, ctx.sanitize));
  const filter = idFilter(ctx, _id, 'save');
  const result = await ctx.collection.replaceOne(filter, doc, {
    ...ctx.driverOptions,
    upsert: true,
  });
  const { idName } = ctx.info;
  return [
    { ...data, [idName]: toAppId(ctx.info, data[idName]) },
    { isNewInstance: result.upsertedCount > 0 },
  ];
}

/** Patch every instance the where clause matches; the count is of matched instances. */
export async function updateAll(
  ctx: OperationContext,
  where: unknown,
  data: AppData,
): Promise<CountResult> {
  const query = buildFilter(ctx.info, where, ctx.sanitize);
  const { update } = buildUpdate(ctx.info, data, ctx.sanitize);
  const result = await ctx.collection.updateMany(query, update, ctx.driverOptions);
  return { count: result.matchedCount };
}

/** Patch one instance by id; an id that matches nothing is a 404. */
export async function updateAttributes(
  ctx: OperationContext,
  id: unknown,
  data: AppData,
): Promise<void> {
  const filter = idFilter(ctx, id, 'updateAttributes');
  const { update } = buildUpdate(ctx.info, data, ctx.sanitize);
  const result = await ctx.collection.updateOne(filter, update, ctx.driverOptions);
  if (!result.matchedCount) throw new NotFoundError(ctx.info.model, id, 'update attributes');
}

/** Replace one instance's data by id, keeping the id; an id that matches nothing is a 404. */
export async function replaceById(
  ctx: OperationContext,
  id: unknown,
  data: AppData,
): Promise<AppData> {
  const filter = idFilter(ctx, id, 'replaceById');
  // the id comes from the call, not from data; MongoDB ids are immutable anyway
  const doc = toStoredDocument(ctx.info, sanitizeData(ctx.info, data, ctx.sanitize));
  delete doc._id;
  const result = await ctx.collection.replaceOne(filter, doc, ctx.driverOptions);
  if (!result.matchedCount) throw new NotFoundError(ctx.info.model, id, 'replace');
  return { ...data, [ctx.info.idName]: toAppId(ctx.info, id) };
}

export async function destroy(ctx: OperationContext, id: unknown): Promise<CountResult> {
  const result = await ctx.collection.deleteOne(idFilter(ctx, id, 'destroy'), ctx.driverOptions);
  return { count: result.deletedCount };
}

export async function destroyAll(ctx: OperationContext, where: unknown): Promise<CountResult> {
  const query = buildFilter(ctx.info, where, ctx.sanitize);
  const result = await ctx.collection.deleteMany(query, ctx.driverOptions);
  return { count: result.deletedCount };
}
