/**
 * A driver collection that answers at once from memory, for measuring the client-side layers
 * (juggler, a connector) without the driver, the socket and the server: whatever CPU a call still
 * costs with it is the layers' own. It answers each method the two connectors use with the shape
 * their driver version gives (findOneAndUpdate: a ModifyResult when asked for one, which
 * driver 5 does by default).
 */
import { ObjectId, type Document } from 'mongodb';
import { seedDoc } from './workload';

/** Ten stored documents, as a find returns them. */
const STORED: Document[] = Array.from({ length: 10 }, (_, i) => ({
  _id: new ObjectId(),
  ...seedDoc(2 * i + 1),
}));

/** Fresh objects on every call, as the driver's deserializer makes (connectors may mutate them). */
function found(limit: number | undefined): Document[] {
  const count = Math.min(limit || STORED.length, STORED.length);
  const docs = new Array<Document>(count);
  for (let i = 0; i < count; i++) docs[i] = { ...STORED[i] };
  return docs;
}

class StubCursor {
  private max: number | undefined;
  constructor(options: { limit?: number } | undefined) {
    this.max = options?.limit;
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
    return found(this.max);
  }
  async close() {}
  async *[Symbol.asyncIterator]() {
    yield* found(this.max);
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
    find(_query: Document, options?: { limit?: number }) {
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

/** Every collection `db` hands out from now on is the stub. */
export function stubDatabase(db: { collection: unknown }, driverMajor: 5 | 7): void {
  const stub = stubCollection(driverMajor);
  db.collection = () => stub;
}

/** An id the stub's answers carry, in the form the contender uses. */
export const STUB_ID = STORED[0]._id as ObjectId;
