import type { UpdateResult } from 'mongodb';
import { NotFoundError } from '../errors';
import { replacementKeepingId, retryingIdRace, selectsIdForms } from '../ids';
import { restoreBoxedOperands } from '../query/boxed-operands';
import { buildFilter } from '../query/where';
import { driverOptionsFor } from '../driver-options';
import { observed } from '../observers';
import { isOperatorKey, sanitizeData } from '../sanitize';
import { buildUpdate } from '../update';
import { toAppId, toStoredDocument } from '../values';
import { idFilter } from './by-id';
import type { AppData, OperationContext } from './context';

export interface CountResult {
  count: number;
}

/**
 * Write a whole instance under its id, inserting it if it is gone. An instance that carries
 * `$`-operators (`p.$push = {...}`, with allowExtendedOperators) is a patch instead: a replacement
 * document cannot hold operators.
 */
export async function save(
  ctx: OperationContext,
  data: AppData,
): Promise<[AppData, { isNewInstance: boolean }]> {
  const options = {
    ...ctx.driverOptions,
    ...driverOptionsFor('update', ctx.perCall),
    upsert: true,
  };
  const result = Object.keys(data).some(isOperatorKey)
    ? await patchSaved(ctx, data, options)
    : await replaceSaved(ctx, data, options);
  const { idName } = ctx.info;
  return [
    { ...data, [idName]: toAppId(ctx.info, data[idName]) },
    { isNewInstance: result.upsertedCount > 0 },
  ];
}

type UpsertOptions = OperationContext['driverOptions'] & { upsert: boolean };

/** save of an instance carrying operators: one upserting patch, giving an insert the id. */
function patchSaved(
  ctx: OperationContext,
  data: AppData,
  options: UpsertOptions,
): Promise<UpdateResult> {
  const { update, id } = buildUpdate(ctx.info, data, ctx.sanitize);
  const filter = idFilter(ctx, id, 'save');
  if (selectsIdForms(filter)) update.$setOnInsert = { ...update.$setOnInsert, _id: id };
  return retryingIdRace(filter, () =>
    observed(ctx.observer, 'updateOne', [filter, update, options], () =>
      ctx.collection.updateOne(filter, update, options),
    ),
  );
}

/** save of a plain instance: one upserting replacement that keeps a matched `_id`'s form. */
function replaceSaved(
  ctx: OperationContext,
  data: AppData,
  options: UpsertOptions,
): Promise<UpdateResult> {
  const { _id, ...doc } = toStoredDocument(ctx.info, sanitizeData(ctx.info, data, ctx.sanitize));
  const filter = idFilter(ctx, _id, 'save');
  return retryingIdRace(filter, () => {
    if (!selectsIdForms(filter)) {
      return observed(ctx.observer, 'replaceOne', [filter, doc, options], () =>
        ctx.collection.replaceOne(filter, doc, options),
      );
    }
    const replacement = replacementKeepingId(doc, _id);
    return observed(ctx.observer, 'updateOne', [filter, replacement, options], () =>
      ctx.collection.updateOne(filter, replacement, options),
    );
  });
}

/** Patch every instance the where clause matches; the count is of matched instances. */
export async function updateAll(
  ctx: OperationContext,
  where: unknown,
  data: AppData,
): Promise<CountResult> {
  restoreBoxedOperands(ctx.info, where);
  const query = buildFilter(ctx.info, where, ctx.sanitize);
  const { update } = buildUpdate(ctx.info, data, ctx.sanitize);
  const options = { ...ctx.driverOptions, ...driverOptionsFor('update', ctx.perCall) };
  const result = await observed(ctx.observer, 'updateMany', [query, update, options], () =>
    ctx.collection.updateMany(query, update, options),
  );
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
  const options = { ...ctx.driverOptions, ...driverOptionsFor('update', ctx.perCall) };
  const result = await observed(ctx.observer, 'updateOne', [filter, update, options], () =>
    ctx.collection.updateOne(filter, update, options),
  );
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
  const options = { ...ctx.driverOptions, ...driverOptionsFor('update', ctx.perCall) };
  const result = await observed(ctx.observer, 'replaceOne', [filter, doc, options], () =>
    ctx.collection.replaceOne(filter, doc, options),
  );
  if (!result.matchedCount) throw new NotFoundError(ctx.info.model, id, 'replace');
  return { ...data, [ctx.info.idName]: toAppId(ctx.info, id) };
}

export async function destroy(ctx: OperationContext, id: unknown): Promise<CountResult> {
  const filter = idFilter(ctx, id, 'destroy');
  const options = { ...ctx.driverOptions, ...driverOptionsFor('delete', ctx.perCall) };
  const result = await observed(ctx.observer, 'deleteOne', [filter, options], () =>
    ctx.collection.deleteOne(filter, options),
  );
  return { count: result.deletedCount };
}

export async function destroyAll(ctx: OperationContext, where: unknown): Promise<CountResult> {
  restoreBoxedOperands(ctx.info, where);
  const query = buildFilter(ctx.info, where, ctx.sanitize);
  const options = { ...ctx.driverOptions, ...driverOptionsFor('delete', ctx.perCall) };
  const result = await observed(ctx.observer, 'deleteMany', [query, options], () =>
    ctx.collection.deleteMany(query, options),
  );
  return { count: result.deletedCount };
}
