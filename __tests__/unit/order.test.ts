import { InvalidQueryError } from '../../src/errors';
import { buildSort } from '../../src/query/order';
import { assertRelevanceSearched } from '../../src/query/text-search';
import { customerInfo } from './fixtures';

const info = customerInfo();
const WITH_DEFAULT = { disableDefaultSort: false };
const NO_DEFAULT = { disableDefaultSort: true };

function sort(order: unknown, options = WITH_DEFAULT) {
  return buildSort(info, order, options);
}

describe('buildSort', () => {
  it('sorts by id when no order is given', () => {
    for (const order of [undefined, null, '', [], ' , ']) {
      expect(sort(order)).toEqual({ _id: 1 });
    }
  });

  it('gives no sort when no order is given and the default sort is disabled', () => {
    expect(sort(undefined, NO_DEFAULT)).toBeUndefined();
    expect(sort([], NO_DEFAULT)).toBeUndefined();
  });

  it('reads one property with or without a direction', () => {
    expect(sort('name')).toEqual({ name: 1 });
    expect(sort('name ASC')).toEqual({ name: 1 });
    expect(sort('name DESC')).toEqual({ name: -1 });
    expect(sort('name desc')).toEqual({ name: -1 });
    expect(sort('  name   DESC ')).toEqual({ name: -1 });
  });

  it('reads a list, as an array or comma-separated, keeping its order', () => {
    const expected = { age: -1, name: 1, vip: -1 };
    expect(Object.entries(sort(['age DESC', 'name ASC', 'vip DESC']) as object)).toEqual(
      Object.entries(expected),
    );
    expect(Object.entries(sort('age DESC, name, vip DESC') as object)).toEqual(
      Object.entries(expected),
    );
    expect(sort(['age DESC, name', 'vip DESC'])).toEqual(expected);
  });

  it('does not add the default sort to a given order', () => {
    expect(sort('name', NO_DEFAULT)).toEqual({ name: 1 });
    expect(sort('name')).toEqual({ name: 1 });
  });

  it('maps the id and renamed fields', () => {
    expect(sort('id DESC')).toEqual({ _id: -1 });
    expect(sort('email')).toEqual({ mail: 1 });
  });

  it('maps the first segment of nested paths', () => {
    expect(sort('address.city DESC')).toEqual({ 'address.city': -1 });
    expect(sort('email.domain')).toEqual({ 'mail.domain': 1 });
  });

  it('sorts by properties the model does not know under their own name', () => {
    expect(sort('extra DESC')).toEqual({ extra: -1 });
  });

  it('treats names that Object.prototype also has as plain properties', () => {
    expect(sort('toString DESC, hasOwnProperty')).toEqual({ toString: -1, hasOwnProperty: 1 });
  });

  it('keeps the first direction of a property named twice', () => {
    expect(sort(['name DESC', 'name ASC'])).toEqual({ name: -1 });
  });

  it('refuses an unknown direction, naming model and property', () => {
    expect(() => sort('name UP')).toThrow(InvalidQueryError);
    expect(() => sort('name UP')).toThrow(
      'Customer.name: order "name UP" has an unknown direction; use ASC or DESC',
    );
    expect(() => sort('name ASC DESC')).toThrow('Customer.name: order "name ASC DESC"');
  });

  it('refuses an order that is neither a string nor strings', () => {
    expect(() => sort({ name: 1 })).toThrow(
      'Customer: order must be a string or an array of strings, got {"name":1}',
    );
    expect(() => sort(['name', 3])).toThrow(InvalidQueryError);
  });
});

describe('ordering a text search by relevance', () => {
  const RELEVANCE = { '~textScore': { $meta: 'textScore' } };

  it('reads $textScore (DESC or no direction) as most relevant first', () => {
    expect(sort('$textScore')).toEqual(RELEVANCE);
    expect(sort('$textScore DESC, name')).toEqual({ ...RELEVANCE, name: 1 });
    expect(Object.keys(sort(['$textScore desc', 'age DESC']) ?? {})).toEqual(['~textScore', 'age']);
  });

  it('refuses another direction, naming the model', () => {
    expect(() => sort('$textScore ASC')).toThrow(
      'Customer: order "$textScore ASC": relevance orders most relevant first only',
    );
  });

  it('refuses relevance without a text search in the where', () => {
    expect(() => assertRelevanceSearched('Customer', { name: 'a' }, sort('$textScore'))).toThrow(
      'Customer: order $textScore needs a text search in the where',
    );
    expect(() =>
      assertRelevanceSearched('Customer', { $text: { $search: 'a' } }, sort('$textScore')),
    ).not.toThrow();
    expect(() =>
      assertRelevanceSearched('Customer', { $and: [{ $text: { $search: 'a' } }] }, RELEVANCE),
    ).not.toThrow();
    expect(() => assertRelevanceSearched('Customer', {}, sort('name'))).not.toThrow();
  });
});
