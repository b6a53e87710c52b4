import type { ClientSession, Document } from 'mongodb';
import { driverOptionsFor } from '../driver-options';
import { newStoredId } from '../ids';
import { observed } from '../observers';
import { sanitizeData } from '../sanitize';
import { fromStoredValue, toStoredDocument } from '../values';
import type { AppData, OperationContext } from './context';

/** Insert commands take a session but no collation: the server refuses the field. */
function insertOptions(ctx: OperationContext): { session?: ClientSession } {
  const perCall = driverOptionsFor('insert', ctx.perCall);
  return ctx.driverOptions.session ? { session: ctx.driverOptions.session, ...perCall } : perCall;
}

/** The document to insert for app data; without an id, the driver generates an ObjectId. */
function insertable(ctx: OperationContext, data: AppData): Document {
  const doc = toStoredDocument(ctx.info, sanitizeData(ctx.info, data, ctx.sanitize));
  if (doc._id === undefined) {
    const id = newStoredId(ctx.info);
    if (id !== undefined) doc._id = id;
  }
  return doc;
}

/** Insert one instance; resolves to its id as the app sees it. */
export async function create(ctx: OperationContext, data: AppData): Promise<unknown> {
  const doc = insertable(ctx, data);
  // the driver writes the generated _id into doc
  const options = insertOptions(ctx);
  await observed(ctx.observer, 'insertOne', [doc, options], () =>
    ctx.collection.insertOne(doc, options),
  );
  return fromStoredValue(ctx.info.idProperty, doc._id);
}

/** Insert many instances in one round trip; resolves to the data with ids, in input order. */
export async function createAll(ctx: OperationContext, data: AppData[]): Promise<AppData[]> {
  if (!data.length) return [];
  const docs = data.map((item) => insertable(ctx, item));
  const options = { ...insertOptions(ctx), ordered: true };
  await observed(ctx.observer, 'insertMany', [docs, options], () =>
    ctx.collection.insertMany(docs, options),
  );
  const { idName, idProperty } = ctx.info;
  return data.map((item, i) => ({ ...item, [idName]: fromStoredValue(idProperty, docs[i]._id) }));
}
