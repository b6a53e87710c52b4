/**
 * A driver collection that answers at once from memory, for measuring the client-side layers
 * (juggler, a connector) without the driver, the socket and the server: whatever CPU a call still
 * costs with it is the layers' own. It answers each method the two connectors use with the shape
 * their driver version gives (findOneAndUpdate: a ModifyResult when asked for one, which
 * driver 5 does by default).
 */
import { BSON, ObjectId, type Document } from 'mongodb';
import { seedDoc } from './workload';

/** Ten stored documents, as a find returns them. */
const STORED: Document[] = Array.from({ length: 10 }, (_, i) => ({
  _id: new ObjectId(),
  ...seedDoc(2 * i + 1),
}));

/** The stored documents' bytes, for a find that asks for them (`raw`). */
const STORED_BYTES = STORED.map((doc) => BSON.serialize(doc));

/** Fresh objects on every call, as the driver's deserializer makes (connectors may mutate them). */
function found(limit: number | undefined, raw: boolean): (Document | Uint8Array)[] {
  const count = Math.min(limit || STORED.length, STORED.length);
  const docs = new Array<Document | Uint8Array>(count);
  for (let i = 0; i < count; i++) docs[i] = raw ? STORED_BYTES[i] : { ...STORED[i] };
  return docs;
}

class StubCursor {
  private max: number | undefined;
  private readonly raw: boolean;
  constructor(options: { limit?: number; raw?: boolean } | undefined) {
    this.max = options?.limit;
    this.raw = options?.raw === true;
  }
  sort() {
    return this;
  }
  skip() {
    return this;
  }
  project() {
    return this;
  }
  collation() {
    return this;
  }
  limit(n: number) {
    this.max = n;
    return this;
  }
  async toArray() {
    return found(this.max, this.raw);
  }
  async close() {}
  async *[Symbol.asyncIterator]() {
    yield* found(this.max, this.raw);
  }
}

export function stubCollection(driverMajor: 5 | 7) {
  const modifyResult = (options: { includeResultMetadata?: boolean } | undefined) => {
    const value = { ...STORED[0] };
    const withMetadata = options?.includeResultMetadata ?? driverMajor === 5;
    return withMetadata
      ? { value, lastErrorObject: { n: 1, updatedExisting: true }, ok: 1 }
      : value;
  };
  return {
    collectionName: 'Todo',
    bsonOptions: {},
    async insertOne(doc: Document) {
      doc._id ??= new ObjectId();
      return { acknowledged: true, insertedId: doc._id };
    },
    async insertMany(docs: Document[]) {
      const insertedIds: Record<number, unknown> = {};
      docs.forEach((doc, i) => (insertedIds[i] = doc._id ??= new ObjectId()));
      return { acknowledged: true, insertedCount: docs.length, insertedIds };
    },
    async findOne() {
      return { ...STORED[0] };
    },
    find(_query: Document, options?: { limit?: number; raw?: boolean }) {
      return new StubCursor(options);
    },
    async findOneAndUpdate(_filter: Document, _update: Document, options?: Document) {
      return modifyResult(options);
    },
    async findOneAndReplace(_filter: Document, _doc: Document, options?: Document) {
      return modifyResult(options);
    },
    async countDocuments() {
      return 100;
    },
    async updateMany() {
      return { acknowledged: true, matchedCount: 10, modifiedCount: 10, upsertedCount: 0 };
    },
    async updateOne() {
      return { acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0 };
    },
    async deleteOne() {
      return { acknowledged: true, deletedCount: 1 };
    },
    async deleteMany() {
      return { acknowledged: true, deletedCount: 1 };
    },
  };
}

/**
 * From now on every collection the connector's Db hands out is the stub. The connector gets a new
 * Db object (its old one beneath) rather than a patched one: ours keeps the collections it made
 * per Db, and those would still be the real ones.
 */
export function stubDatabase(connector: { db?: object }, driverMajor: 5 | 7): void {
  const stub = stubCollection(driverMajor);
  if (!connector.db) throw new Error('no driver Db to stub');
  connector.db = Object.assign(Object.create(connector.db) as object, { collection: () => stub });
}

/** An id the stub's answers carry, in the form the contender uses. */
export const STUB_ID = STORED[0]._id as ObjectId;
