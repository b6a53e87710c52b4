/**
 * Every relation kind with each way an app declares its foreign keys: `string`, `string | number`
 * (typed Object by LoopBack) and `string` with `mongodb: {dataType: 'ObjectId'}`.
 */
import { ObjectId } from 'mongodb';
import type { NodeEntity, Tag, VariantName, VariantRepositories } from '../src';
import { type App, json, openApp, rawCollection } from './support/app';

let app: App;
let tags: Record<string, Tag>;

beforeAll(async () => {
  app = openApp('ours', 'lb4_fk_variants');
  await app.ds.automigrate();
  const made = await app.repos.tags.createAll([{ label: 't1' }, { label: 't2' }, { label: 't3' }]);
  tags = Object.fromEntries(made.map((t) => [t.label, t]));
});

afterAll(async () => {
  await app?.ds.disconnect();
});

const labels = (list: { label: string }[]) => list.map((t) => t.label).sort();
const nodeNames = (list: { name: string }[]) => list.map((n) => n.name);

describe.each<VariantName>(['plain', 'loose', 'oid'])('foreign keys declared %s', (variant) => {
  let repos: VariantRepositories;
  let root: NodeEntity;
  let kids: NodeEntity[];

  beforeAll(async () => {
    repos = app.repos[variant];
    root = await repos.nodes.create({ name: 'root' });
    kids = [
      await repos.nodes.children(root.id!).create({ name: 'kid1', rank: 1 }),
      await repos.nodes.children(root.id!).create({ name: 'kid2', rank: 2 }),
    ];
  });

  it('self-referencing hasMany and belongsTo: create, find, count, patch, delete, include', async () => {
    // as the app's JSON shows them: juggler hands back an Object-typed value of create() boxed
    // (new String), on either connector
    expect(json(kids.map((k) => k.parentId))).toEqual([root.id, root.id]);
    // read back, it is the string itself (loopback-connector-mongodb reads {"0": "6", ...})
    const [kid1] = await repos.nodes.find({ where: { name: 'kid1' } });
    expect(kid1.parentId).toBe(root.id);
    const children = repos.nodes.children(root.id!);
    expect(nodeNames(await children.find({ where: { rank: { gt: 1 } } }))).toEqual(['kid2']);
    expect(await repos.nodes.count({ parentId: root.id })).toEqual({ count: 2 });
    expect(await repos.nodes.count({ parentId: { inq: [root.id!] } })).toEqual({ count: 2 });
    expect((await repos.nodes.parent(kids[1].id!)).name).toBe('root');
    const extra = await children.create({ name: 'kid3', rank: 3 });
    expect(await children.patch({ rank: 30 }, { name: 'kid3' })).toEqual({ count: 1 });
    expect((await repos.nodes.findById(extra.id!)).rank).toBe(30);
    expect(await children.delete({ rank: 30 })).toEqual({ count: 1 });
    const [tree] = await repos.nodes.find({
      where: { id: root.id },
      include: [
        {
          relation: 'children',
          scope: { fields: ['name', 'parentId'], order: ['rank DESC'], limit: 1 },
        },
      ],
    });
    expect(json(tree)).toMatchObject({
      name: 'root',
      children: [{ name: 'kid2', parentId: root.id }],
    });
    const withParent = await repos.nodes.find({
      where: { parentId: root.id },
      order: ['rank ASC'],
      include: [{ relation: 'parent', scope: { fields: ['id', 'name'] } }],
    });
    expect(json(withParent.map((n) => (n as NodeEntity & { parent: unknown }).parent))).toEqual([
      { id: root.id, name: 'root' },
      { id: root.id, name: 'root' },
    ]);
  });

  it('hasOne: create, get, patch, include, delete', async () => {
    const note = repos.nodes.note(kids[0].id!);
    const made = await note.create({ text: 'first' });
    expect(json(made.nodeId)).toBe(kids[0].id);
    expect((await note.get()).text).toBe('first');
    expect(await note.patch({ text: 'changed' })).toEqual({ count: 1 });
    const found = await repos.nodes.find({
      where: { parentId: root.id },
      order: ['rank ASC'],
      include: [{ relation: 'note', scope: { fields: ['text', 'nodeId'] } }],
    });
    expect(json(found.map((n) => (n as NodeEntity & { note?: unknown }).note))).toEqual([
      { text: 'changed', nodeId: kids[0].id },
      null,
    ]);
    // juggler boxes the operands of an Object-typed property inside the caller's own array (the
    // include above passes LoopBack's list of source keys that way); the app gets its values back
    const keys = kids.map((k) => k.id!);
    expect(await repos.notes.count({ nodeId: { inq: keys } })).toEqual({ count: 1 });
    expect(keys.map((k) => typeof k)).toEqual(['string', 'string']);
    expect(await note.delete()).toEqual({ count: 1 });
    expect(await repos.notes.count()).toEqual({ count: 0 });
  });

  it('hasManyThrough: link, create, find, patch, unlink, delete, include', async () => {
    const rootTags = repos.nodes.tags(root.id!);
    await rootTags.link(tags.t1.id!);
    await rootTags.link(tags.t2.id!);
    const own = await rootTags.create({ label: `${variant}-own` });
    expect(labels(await rootTags.find())).toEqual([`${variant}-own`, 't1', 't2']);
    expect(labels(await rootTags.find({ where: { label: { inq: ['t2', 't3'] } } }))).toEqual([
      't2',
    ]);
    expect(await repos.links.count({ nodeId: root.id })).toEqual({ count: 3 });
    expect(await repos.links.count({ tagId: tags.t1.id })).toEqual({ count: 1 });
    expect(await rootTags.patch({ label: `${variant}-renamed` }, { id: own.id })).toEqual({
      count: 1,
    });
    await rootTags.unlink(tags.t2.id!);
    expect(labels(await rootTags.find())).toEqual([`${variant}-renamed`, 't1']);
    const [withTags] = await repos.nodes.find({
      where: { id: root.id },
      include: [{ relation: 'tags', scope: { where: { label: 't1' }, fields: ['label'] } }],
    });
    expect(json((withTags as NodeEntity & { tags: unknown }).tags)).toEqual([{ label: 't1' }]);
    expect(await rootTags.delete({ id: own.id })).toEqual({ count: 1 });
    expect(labels(await rootTags.find())).toEqual(['t1']);
    await rootTags.unlinkAll();
    expect(await rootTags.find()).toEqual([]);
  });

  it('referencesMany: store, query and include', async () => {
    const fan = await repos.nodes.create({ name: 'fan', favouriteIds: [tags.t3.id!, tags.t1.id!] });
    expect((await repos.nodes.findById(fan.id!)).favouriteIds).toEqual([tags.t3.id, tags.t1.id]);
    const [found] = await repos.nodes.find({
      where: { id: fan.id },
      include: [{ relation: 'favourites', scope: { fields: ['id', 'label'] } }],
    });
    expect(json((found as NodeEntity & { favourites: unknown }).favourites)).toEqual([
      { id: tags.t3.id, label: 't3' },
      { id: tags.t1.id, label: 't1' },
    ]);
  });

  it('stores every foreign key as an ObjectId', async () => {
    const node = app.repos[variant].nodes.modelClass.definition.name;
    const stored = await rawCollection(app, node)
      .find({ name: { $in: ['kid1', 'fan'] } })
      .toArray();
    const values = stored.flatMap((d) => [d.parentId ?? [], d.favouriteIds ?? []].flat());
    expect(values).toHaveLength(3);
    for (const value of values) expect(value).toBeInstanceOf(ObjectId);
    const link = app.repos[variant].links.modelClass.definition.name;
    await repos.nodes.tags(kids[0].id!).link(tags.t3.id!);
    const [stored1] = await rawCollection(app, link).find().toArray();
    expect(stored1.nodeId).toBeInstanceOf(ObjectId);
    expect(stored1.tagId).toBeInstanceOf(ObjectId);
  });
});
