import { buildUpdate, withoutTargetedPaths } from '../../src/update';
import { EXTENDED, STRICT, customerInfo } from './fixtures';

const info = customerInfo();

describe('withoutTargetedPaths', () => {
  it('leaves out the fields an operator works on, the same path or one inside the other', () => {
    const fields = { tags: ['a'], name: 'x', address: { city: 'Lyon', n: 1 }, age: 3 };
    expect(
      withoutTargetedPaths(fields, {
        $addToSet: { tags: 'b' },
        $inc: { 'address.n': 1 },
      }),
    ).toEqual({ name: 'x', age: 3 });
    expect(
      withoutTargetedPaths({ 'address.city': 'Nice', name: 'x' }, { $unset: { address: '' } }),
    ).toEqual({ name: 'x' });
  });

  it('keeps fields whose names merely start alike', () => {
    const fields = { tag: 1, tagsOld: 2, 'tags2.a': 3 };
    expect(withoutTargetedPaths(fields, { $push: { tags: 'x' } })).toEqual(fields);
  });

  it('counts both names of a $rename', () => {
    expect(withoutTargetedPaths({ a: 1, b: 2, c: 3 }, { $rename: { a: 'b' } })).toEqual({ c: 3 });
  });

  it('returns the same fields when no operator is given', () => {
    const fields = { name: 'x' };
    expect(withoutTargetedPaths(fields, {})).toBe(fields);
  });
});

describe('buildUpdate', () => {
  it('sets every plain property when there is no operator', () => {
    expect(buildUpdate(info, { name: 'x', age: 3 }, STRICT).update).toEqual({
      $set: { name: 'x', age: 3 },
    });
  });

  it('leaves the paths an operator targets to the operator, on their stored fields', () => {
    const data = {
      id: '5f1d7a3b9c8e4d2a1b0c3d4e',
      name: 'x',
      tags: ['a'],
      age: 3,
      email: 'old@example.com',
      $addToSet: { tags: 'b' },
      $inc: { age: 1 },
      $set: { email: 'new@example.com' },
    };
    const { update, id } = buildUpdate(info, data, EXTENDED);
    expect(update).toEqual({
      $addToSet: { tags: 'b' },
      $inc: { age: 1 },
      $set: { name: 'x', mail: 'new@example.com' },
    });
    expect(String(id)).toBe('5f1d7a3b9c8e4d2a1b0c3d4e');
  });

  it('sends no $set when the operators cover every property given', () => {
    expect(buildUpdate(info, { tags: ['a'], $push: { tags: 'b' } }, EXTENDED).update).toEqual({
      $push: { tags: 'b' },
    });
  });

  it('refuses the operators without allowExtendedOperators', () => {
    expect(() => buildUpdate(info, { tags: ['a'], $push: { tags: 'b' } }, STRICT)).toThrow(
      /\$push/,
    );
  });
});
