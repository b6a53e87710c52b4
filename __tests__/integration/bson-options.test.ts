/**
 * A find reads its documents as bytes and deserializes them itself (src/operations/read.ts: faster
 * than driver 7's own path). What it hands the app must be what the driver would have given, under
 * the default BSON options and under the ones a datasource may set for the driver.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { Binary, BSONRegExp, Int32, Long, ObjectId, type Document } from 'mongodb';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

const STORED: Document = {
  _id: new ObjectId(),
  label: 'all kinds',
  big: Long.fromString('1099511627776'),
  small: new Int32(7),
  pattern: new BSONRegExp('^a.c$', 'i'),
  bytes: new Binary(Buffer.from([1, 2, 3])),
  nested: { big: Long.fromString('-5'), when: new Date('2024-01-02T03:04:05Z') },
  text: 'héllo',
};

const SETTINGS: ReadonlyArray<[string, Record<string, unknown>]> = [
  ['the defaults', {}],
  ['promoteLongs: false', { promoteLongs: false }],
  ['useBigInt64: true', { useBigInt64: true }],
  ['bsonRegExp: true', { bsonRegExp: true }],
  ['promoteBuffers: true', { promoteBuffers: true }],
  ['promoteValues: false', { promoteValues: false }],
];

describe.each(SETTINGS)('find with %s', (label, settings) => {
  const name = `bson_options_${label.replace(/\W+/g, '_')}`;
  let ds: DataSource;
  let Thing: TestModel;

  beforeAll(async () => {
    ds = createDataSource(name, settings);
    // loose properties: the app gets the stored values as the driver gives them
    Thing = defineModel(
      ds,
      'Thing',
      { label: String, big: 'any', small: 'any', pattern: 'any', bytes: 'any', nested: 'any' },
      { strict: false },
    );
    await ds.automigrate();
    await mongoConnector(ds)
      .collection('Thing')
      .insertOne({ ...STORED });
  });

  afterAll(() => ds.disconnect());

  it('gives each value as the driver would', async () => {
    // the driver's own reading, on the connector's client (the datasource's options)
    const [viaDriver] = await mongoConnector(ds).collection('Thing').find({}).toArray();
    // the connector's answer, before juggler's model (which makes a bigint of an 'any' a number)
    const [data] = await new Promise<Document[]>((resolve, reject) =>
      mongoConnector(ds).all('Thing', { where: { label: 'all kinds' } }, {}, (err, found) =>
        err ? reject(err) : resolve(found as Document[]),
      ),
    );
    const [viaJuggler] = await Thing.find({ where: { label: 'all kinds' } });
    expect(viaJuggler.id).toBe(STORED._id.toHexString());
    for (const key of ['big', 'small', 'pattern', 'bytes', 'nested', 'text']) {
      expect([key, data[key]]).toEqual([key, viaDriver[key]]);
      expect([key, data[key]?.constructor]).toEqual([key, viaDriver[key]?.constructor]);
    }
    expect(data.id).toBe(STORED._id.toHexString());
  });
});
