/**
 * Foreign keys stored as ObjectIds, so that an app finds its related data after switching from
 * loopback-connector-mongodb to this connector and back, on the same database.
 */
import { DataSource } from 'loopback-datasource-juggler';
import { ObjectId, type Document } from 'mongodb';
import { testDatabaseUrl } from '../support/database';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the reference connector ships no types
const officialConnector: unknown = require('loopback-connector-mongodb');

const DB = 'references';

function officialDataSource(): DataSource {
  return new DataSource({ connector: officialConnector, url: testDatabaseUrl(DB) } as never);
}

/** The same app models on a datasource, the way LoopBack 4 hands them to juggler: no relations. */
function lb4Models(ds: DataSource, suffix: string): { Customer: TestModel; Order: TestModel } {
  const Customer = defineModel(ds, `Customer${suffix}`, { name: String }, { strict: true });
  const Order = defineModel(
    ds,
    `Order${suffix}`,
    { customerId: { type: String }, total: Number },
    { strict: true },
  );
  return { Customer, Order };
}

describe('foreign keys across a switch of connector', () => {
  let ours: DataSource;
  let official: DataSource;

  const raw = (collection: string, filter: Document = {}) =>
    mongoConnector(ours).collection(collection).find(filter).toArray();

  beforeAll(async () => {
    ours = createDataSource(DB);
    official = officialDataSource();
    await Promise.all([ours.connect(), official.connect()]);
  });

  afterAll(async () => {
    await Promise.all([ours.disconnect(), official.disconnect()]);
  });

  describe('LoopBack 4 models (plain string foreign keys, no relation metadata)', () => {
    it('finds the children the official connector wrote, and it finds ours', async () => {
      const theirs = lb4Models(official, 'A');
      const mine = lb4Models(ours, 'A');
      const customer = await theirs.Customer.create({ name: 'Ada' });
      await theirs.Order.create({ customerId: customer.id.toString(), total: 1 });
      // the official connector stored the 24-hex string as an ObjectId
      expect((await raw('OrderA'))[0].customerId).toBeInstanceOf(ObjectId);

      const id = customer.id.toString();
      expect((await mine.Customer.findById(id)).name).toBe('Ada');
      expect(await mine.Order.count({ customerId: id })).toBe(1);
      expect(await mine.Order.count({ customerId: { inq: [id] } })).toBe(1);
      expect(await mine.Order.count({ customerId: { neq: id } })).toBe(0);
      expect(await mine.Order.count({ customerId: { nin: [id] } })).toBe(0);
      const [found] = await mine.Order.find({ where: { customerId: id } });
      expect(found.customerId).toBe(id);

      await mine.Order.create({ customerId: id, total: 2 });
      const stored = await raw('OrderA', { total: 2 });
      expect(stored[0].customerId).toBeInstanceOf(ObjectId);
      // and back: the official connector finds both orders
      expect(await theirs.Order.count({ customerId: id })).toBe(2);
    });

    it('finds children an earlier version of this connector stored as strings', async () => {
      const mine = lb4Models(ours, 'B');
      const customer = await mine.Customer.create({ name: 'Bo' });
      await mongoConnector(ours)
        .collection('OrderB')
        .insertOne({ customerId: customer.id, total: 3 });
      await mine.Order.create({ customerId: customer.id, total: 4 });
      const orders = await mine.Order.find({ where: { customerId: customer.id }, order: 'total' });
      expect(orders.map((o: TestModel) => [o.customerId, o.total])).toEqual([
        [customer.id, 3],
        [customer.id, 4],
      ]);
      expect(await mine.Order.count({ customerId: { inq: [customer.id] } })).toBe(2);
    });
  });

  describe('LoopBack 3-style juggler relations', () => {
    /** Relations whose keys have names the name rule would not catch. */
    function relate(ds: DataSource, suffix: string) {
      const Customer = defineModel(ds, `Shopper${suffix}`, { name: String });
      const Order = defineModel(ds, `Purchase${suffix}`, { buyer: String, total: Number });
      const Profile = defineModel(ds, `Profile${suffix}`, { holder: String, bio: String });
      Customer.hasMany(Order, { as: 'purchases', foreignKey: 'buyer' });
      Order.belongsTo(Customer, { as: 'shopper', foreignKey: 'buyer' });
      Customer.hasOne(Profile, { as: 'profile', foreignKey: 'holder' });
      return { Customer, Order, Profile };
    }

    it('stores keys as ObjectIds and relates data the official connector wrote', async () => {
      const theirs = relate(official, 'C');
      const mine = relate(ours, 'C');
      const customer = await theirs.Customer.create({ name: 'Cy' });
      await customer.purchases.create({ total: 5 });
      await customer.profile.create({ bio: 'hi' });
      const id = customer.id.toString();

      const mineCustomer = await mine.Customer.findById(id);
      expect((await mineCustomer.purchases.find()).map((o: TestModel) => o.total)).toEqual([5]);
      expect((await mineCustomer.profile.get()).bio).toBe('hi');
      const [withChildren] = await mine.Customer.find({
        where: { id },
        include: ['purchases', 'profile'],
      });
      const json = withChildren.toJSON();
      expect(json.purchases.map((o: { total: number }) => o.total)).toEqual([5]);
      expect(json.profile.bio).toBe('hi');

      await mineCustomer.purchases.create({ total: 6 });
      expect((await raw('PurchaseC', { total: 6 }))[0].buyer).toBeInstanceOf(ObjectId);
      const theirCustomer = await theirs.Customer.findById(id);
      expect(await theirCustomer.purchases.count()).toBe(2);
      const [order] = await mine.Order.find({ where: { total: 6 }, include: 'shopper' });
      expect(order.toJSON().shopper.name).toBe('Cy');
    });

    it('types keys of referencesMany and hasMany-through relations', async () => {
      const Reader = defineModel(ours, 'Reader', { name: String });
      const Book = defineModel(ours, 'Book', { title: String });
      const Loan = defineModel(ours, 'Loan', { lender: String, item: String });
      Reader.referencesMany(Book, { as: 'shelf', foreignKey: 'shelved' });
      Reader.hasMany(Book, {
        as: 'borrowed',
        through: Loan,
        foreignKey: 'lender',
        keyThrough: 'item',
      });
      const reader = await Reader.create({ name: 'Di' });
      const book = await Book.create({ title: 'T' });
      await reader.shelf.add(book);
      await Loan.create({ lender: reader.id, item: book.id });
      const [storedReader] = await raw('Reader');
      expect(storedReader.shelved[0]).toBeInstanceOf(ObjectId);
      const [loan] = await raw('Loan');
      expect(loan.lender).toBeInstanceOf(ObjectId);
      expect(loan.item).toBeInstanceOf(ObjectId);
      const again = await Reader.findById(reader.id, { include: ['shelf', 'borrowed'] });
      expect(again.toJSON().shelf.map((b: { title: string }) => b.title)).toEqual(['T']);
      expect(again.toJSON().borrowed.map((b: { title: string }) => b.title)).toEqual(['T']);
      expect(again.shelved).toEqual([book.id]);
    });

    it('types a polymorphic key', async () => {
      const Author = defineModel(ours, 'Author', { name: String });
      const Picture = defineModel(ours, 'Picture', { name: String });
      Picture.belongsTo('imageable', {
        polymorphic: { foreignKey: 'owner', discriminator: 'kind' },
      });
      Author.hasMany(Picture, {
        as: 'pictures',
        polymorphic: { foreignKey: 'owner', discriminator: 'kind' },
      });
      const author = await Author.create({ name: 'Ed' });
      await author.pictures.create({ name: 'p' });
      const [picture] = await raw('Picture');
      expect(picture.owner).toBeInstanceOf(ObjectId);
      expect(picture.kind).toBe('Author');
      expect((await author.pictures.find()).map((p: TestModel) => p.name)).toEqual(['p']);
    });

    it('picks up a relation defined after the models were first used', async () => {
      const Team = defineModel(ours, 'Team', { name: String });
      const Player = defineModel(ours, 'Player', { squad: String });
      const team = await Team.create({ name: 't' });
      await Player.create({ squad: team.id });
      expect((await raw('Player'))[0].squad).toBe(team.id);
      Team.hasMany(Player, { as: 'players', foreignKey: 'squad' });
      await Player.create({ squad: team.id });
      const stored = await raw('Player');
      expect(stored[1].squad).toBeInstanceOf(ObjectId);
      // both forms are found
      expect(await team.players.count()).toBe(2);
    });
  });
});

describe('strictObjectIDCoercion', () => {
  let strict: DataSource;
  let allHex: DataSource;

  const raw = (ds: DataSource, collection: string) =>
    mongoConnector(ds).collection(collection).findOne({});

  beforeAll(() => {
    strict = createDataSource('references_strict', { strictObjectIDCoercion: true });
    allHex = createDataSource('references_all_hex', { strictObjectIDCoercion: false });
  });

  afterAll(async () => {
    await Promise.all([strict.disconnect(), allHex.disconnect()]);
  });

  it('true: plain string keys stay strings and are matched exactly', async () => {
    const { Customer, Order } = lb4Models(strict, '');
    const customer = await Customer.create({ name: 'Fay' });
    await Order.create({ customerId: customer.id, total: 1 });
    expect((await raw(strict, 'Order'))?.customerId).toBe(customer.id);
    expect((await raw(strict, 'Customer'))?._id).toBeInstanceOf(ObjectId);
    expect(await Order.count({ customerId: customer.id })).toBe(1);
    await mongoConnector(strict)
      .collection('Order')
      .insertOne({ customerId: new ObjectId(customer.id), total: 2 });
    expect(await Order.count({ customerId: customer.id })).toBe(1);
  });

  it('true: a foreign key juggler retypes after first use stores ObjectIds from then on', async () => {
    const Club = defineModel(strict, 'Club', { name: String });
    const Member = defineModel(strict, 'Member', { club: String });
    const club = await Club.create({ name: 'c' });
    await Member.create({ club: club.id });
    Member.belongsTo(Club, { as: 'home', foreignKey: 'club' });
    await Member.create({ club: club.id });
    const stored = await mongoConnector(strict).collection('Member').find().toArray();
    expect(stored.map((m) => m.club instanceof ObjectId)).toEqual([false, true]);
  });

  it('false: every 24-hex string is stored as an ObjectId, as the official connector does', async () => {
    const Note = defineModel(allHex, 'Note', { code: String, tags: [String], misc: Object });
    const hex = new ObjectId().toHexString();
    await Note.create({ code: hex, tags: [hex, 'x'], misc: hex });
    const stored = await raw(allHex, 'Note');
    expect(stored?.code).toBeInstanceOf(ObjectId);
    expect(stored?.tags[0]).toBeInstanceOf(ObjectId);
    expect(stored?.tags[1]).toBe('x');
    expect(stored?.misc).toBeInstanceOf(ObjectId);
    const found = await Note.findOne({ where: { code: hex } });
    expect([found.code, found.tags, found.misc]).toEqual([hex, [hex, 'x'], hex]);
    expect(await Note.count({ tags: hex })).toBe(1);
  });
});
