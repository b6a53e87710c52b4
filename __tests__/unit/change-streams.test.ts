import { BSONRegExp, ObjectId, Timestamp } from 'mongodb';
import {
  changeStreamPipeline,
  nextClusterTime,
  supportsChangeStreams,
  toModelChange,
} from '../../src/change-streams';
import { InvalidQueryError, OperatorNotAllowedError } from '../../src/errors';
import { modelInfo } from './fixtures';

const info = modelInfo(
  'Todo',
  {
    id: { type: String, id: true, generated: true, mongodb: { dataType: 'ObjectId' } },
    title: { type: String },
    ownerId: { type: String, mongodb: { dataType: 'ObjectId' } },
    note: { type: String, mongodb: { fieldName: 'remark' } },
  },
  {},
);
const strict = { allowExtendedOperators: false, disableSanitization: false };
const hex = '6b0f7a8b2ecc5a8078228ac9';

describe('changeStreamPipeline', () => {
  it('is empty without a where', () => {
    expect(changeStreamPipeline(info, undefined, strict, false)).toEqual([]);
    expect(changeStreamPipeline(info, {}, strict, false)).toEqual([]);
  });

  it('matches a where on the id on the documentKey, for every operation', () => {
    expect(changeStreamPipeline(info, { id: hex }, strict, false)).toEqual([
      { $match: { 'documentKey._id': new ObjectId(hex) } },
    ]);
  });

  it('applies any other where, translated as find does, to fullDocument; deletes all pass', () => {
    const pipeline = changeStreamPipeline(
      info,
      { or: [{ ownerId: hex }, { note: { like: 'x' } }] },
      strict,
      false,
    );
    expect(pipeline).toEqual([
      {
        $match: {
          $or: [
            {
              operationType: { $in: ['insert', 'update', 'replace'] },
              $or: [
                { 'fullDocument.ownerId': new ObjectId(hex) },
                { 'fullDocument.remark': { $regex: new BSONRegExp('x', '') } },
              ],
            },
            { operationType: 'delete' },
          ],
        },
      },
    ]);
  });

  it('matches deletes on the pre-image when there are pre-images', () => {
    const [{ $match }] = changeStreamPipeline(info, { title: 'a' }, strict, true);
    expect($match.$or[1]).toEqual({
      operationType: 'delete',
      'fullDocumentBeforeChange.title': 'a',
    });
  });

  it('refuses what a change stream $match cannot take, and what find refuses', () => {
    expect(() =>
      changeStreamPipeline(info, { title: { near: { lat: 1, lng: 2 } } }, strict, false),
    ).toThrow(InvalidQueryError);
    expect(() => changeStreamPipeline(info, { $where: 'true' }, strict, false)).toThrow(
      OperatorNotAllowedError,
    );
    const extended = { allowExtendedOperators: true, disableSanitization: false };
    expect(() => changeStreamPipeline(info, { $expr: { $eq: [1, 1] } }, extended, false)).toThrow(
      /Todo: \$expr cannot filter a change stream/,
    );
  });
});

describe('toModelChange', () => {
  const token = { _data: '82ab' };

  it('maps the document, the id and field names as find does', () => {
    const id = new ObjectId(hex);
    const ownerId = new ObjectId();
    const change = toModelChange(info, {
      _id: token,
      operationType: 'insert',
      documentKey: { _id: id },
      fullDocument: { _id: id, title: 't', ownerId, remark: 'n' },
    });
    expect(change).toEqual({
      operationType: 'insert',
      token,
      id: hex,
      data: { id: hex, title: 't', ownerId: ownerId.toHexString(), note: 'n' },
    });
  });

  it('names updated and removed fields by property, dotted paths too', () => {
    const ownerId = new ObjectId();
    const change = toModelChange(info, {
      _id: token,
      operationType: 'update',
      documentKey: { _id: new ObjectId(hex) },
      updateDescription: {
        updatedFields: { remark: 'x', ownerId, 'remark.deep': 1 },
        removedFields: ['title', 'remark.old'],
      },
    });
    expect(change.updatedFields).toEqual({
      note: 'x',
      ownerId: ownerId.toHexString(),
      'note.deep': 1,
    });
    expect(change.removedFields).toEqual(['title', 'note.old']);
    expect(change.data).toBeUndefined();
  });

  it('leaves the id out of collection-level events', () => {
    expect(toModelChange(info, { _id: token, operationType: 'drop' })).toEqual({
      operationType: 'drop',
      token,
    });
  });
});

describe('deployment', () => {
  it('streams changes on replica sets and sharded clusters only', () => {
    expect(supportsChangeStreams({ setName: 'rs0' })).toBe(true);
    expect(supportsChangeStreams({ msg: 'isdbgrid' })).toBe(true);
    expect(supportsChangeStreams({})).toBe(false);
  });

  it('starts just after the server time watch() saw', () => {
    expect(nextClusterTime(new Timestamp({ t: 100, i: 7 }))).toEqual(
      new Timestamp({ t: 100, i: 8 }),
    );
  });
});
