/**
 * The upsert paths, each one atomic server-side operation (findOneAndUpdate / findOneAndReplace
 * with `upsert: true`), never a find followed by a write. Whether the instance is new comes from
 * the server's own answer (`lastErrorObject.updatedExisting`).
 *
 * MongoDB makes two concurrent upserts race-free only when the filter is an equality on a field
 * with a unique index (`_id` always is): the server then retries the loser of the duplicate-key
 * race as an update.
 */
import type { Document, FindOneAndUpdateOptions, ModifyResult } from 'mongodb';
import { idToInsert, replacementKeepingId, retryingIdRace, selectsIdForms } from '../ids';
import { buildSort } from '../query/order';
import { buildFilter } from '../query/where';
import { driverOptionsFor } from '../driver-options';
import { observed } from '../observers';
import { sanitizeData } from '../sanitize';
import { buildUpdate } from '../update';
import { fromStoredDocument, toStoredDocument } from '../values';
import { idFilter } from './by-id';
import { create } from './create';
import type { AppData, JugglerFilter, OperationContext } from './context';

export interface UpsertInfo {
  isNewInstance: boolean;
}

function upsertOptions(ctx: OperationContext): FindOneAndUpdateOptions & {
  includeResultMetadata: true;
} {
  return {
    ...ctx.driverOptions,
    ...driverOptionsFor('findAndModify', ctx.perCall),
    upsert: true,
    returnDocument: 'after',
    includeResultMetadata: true,
  };
}

function answer(ctx: OperationContext, result: ModifyResult<Document>): [AppData, UpsertInfo] {
  const isNewInstance = !result.lastErrorObject?.updatedExisting;
  // an upsert with returnDocument 'after' always returns a document
  return [fromStoredDocument(ctx.info, result.value as Document), { isNewInstance }];
}

async function createNew(ctx: OperationContext, data: AppData): Promise<[AppData, UpsertInfo]> {
  const id = await create(ctx, data);
  return [{ ...data, [ctx.info.idName]: id }, { isNewInstance: true }];
}

/** Patch the instance with data's id, or insert data when no instance has it. */
export async function updateOrCreate(
  ctx: OperationContext,
  data: AppData,
): Promise<[AppData, UpsertInfo]> {
  const { update, id } = buildUpdate(ctx.info, data, ctx.sanitize);
  if (id === undefined) return createNew(ctx, data);
  const filter = idFilter(ctx, id, 'updateOrCreate');
  if (selectsIdForms(filter)) update.$setOnInsert = { ...update.$setOnInsert, _id: id };
  const options = upsertOptions(ctx);
  const result = await retryingIdRace(filter, () =>
    observed(ctx.observer, 'findOneAndUpdate', [filter, update, options], () =>
      ctx.collection.findOneAndUpdate(filter, update, options),
    ),
  );
  return answer(ctx, result);
}

/** Replace the instance with data's id, or insert data when no instance has it. */
export async function replaceOrCreate(
  ctx: OperationContext,
  data: AppData,
): Promise<[AppData, UpsertInfo]> {
  const { _id, ...doc } = toStoredDocument(ctx.info, sanitizeData(ctx.info, data, ctx.sanitize));
  if (_id === undefined) return createNew(ctx, data);
  const filter = idFilter(ctx, _id, 'replaceOrCreate');
  const options = upsertOptions(ctx);
  const result = await retryingIdRace(filter, () => {
    if (!selectsIdForms(filter)) {
      return observed(ctx.observer, 'findOneAndReplace', [filter, doc, options], () =>
        ctx.collection.findOneAndReplace(filter, doc, options),
      );
    }
    const replacement = replacementKeepingId(doc, _id);
    return observed(ctx.observer, 'findOneAndUpdate', [filter, replacement, options], () =>
      ctx.collection.findOneAndUpdate(filter, replacement, options),
    );
  });
  return answer(ctx, result);
}

/** The first instance the filter matches, or data inserted when none does. */
export async function findOrCreate(
  ctx: OperationContext,
  filter: JugglerFilter,
  data: AppData,
): Promise<[AppData, boolean]> {
  const query = buildFilter(ctx.info, filter.where, ctx.sanitize);
  const doc = toStoredDocument(ctx.info, sanitizeData(ctx.info, data, ctx.sanitize));
  if (doc._id === undefined) {
    const id = idToInsert(ctx.info, filter.where, query);
    if (id !== undefined) doc._id = id;
  }
  const sort = buildSort(ctx.info, filter.order, ctx.info);
  const update = { $setOnInsert: doc };
  const options = { ...upsertOptions(ctx), ...(sort ? { sort } : {}) };
  const result = await retryingIdRace(query, () =>
    observed(ctx.observer, 'findOneAndUpdate', [query, update, options], () =>
      ctx.collection.findOneAndUpdate(query, update, options),
    ),
  );
  const [found, { isNewInstance }] = answer(ctx, result);
  return [found, isNewInstance];
}

/**
 * Patch the first instance (in id order) the where clause matches, or insert data when none does.
 * The connector declares `atomicUpsertWithWhere`: several matches are not an error.
 */
export async function upsertWithWhere(
  ctx: OperationContext,
  where: unknown,
  data: AppData,
): Promise<[AppData, UpsertInfo]> {
  const query = buildFilter(ctx.info, where, ctx.sanitize);
  const { update, id } = buildUpdate(ctx.info, data, ctx.sanitize);
  const insertId = id ?? idToInsert(ctx.info, where, query);
  if (insertId !== undefined) update.$setOnInsert = { ...update.$setOnInsert, _id: insertId };
  const sort = buildSort(ctx.info, undefined, { disableDefaultSort: false });
  const options = { ...upsertOptions(ctx), ...(sort ? { sort } : {}) };
  const result = await retryingIdRace(query, () =>
    observed(ctx.observer, 'findOneAndUpdate', [query, update, options], () =>
      ctx.collection.findOneAndUpdate(query, update, options),
    ),
  );
  return answer(ctx, result);
}
