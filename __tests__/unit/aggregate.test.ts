import { ObjectId } from 'mongodb';
import { InvalidQueryError, OperatorNotAllowedError } from '../../src';
import { buildPipeline, modelShapedStages } from '../../src/operations/aggregate';
import { buildFilter } from '../../src/query/where';
import { customerInfo, STRICT } from './fixtures';

const info = customerInfo();
const hex = '6b08134e299ff13197154861';

describe('modelShapedStages', () => {
  it('counts the leading stages that keep documents in the model shape', () => {
    expect(modelShapedStages([{ $match: {} }, { $sort: { a: 1 } }, { $limit: 3 }])).toBe(3);
    expect(modelShapedStages([{ $match: {} }, { $group: { _id: 1 } }, { $match: {} }])).toBe(1);
    expect(modelShapedStages([{ $project: { a: 1 } }, { $match: {} }])).toBe(0);
    expect(modelShapedStages([])).toBe(0);
  });
});

describe('buildPipeline', () => {
  it('translates a leading $match exactly as find translates the where', () => {
    const where = { id: hex, email: { like: 'a%' }, age: { gt: 3 } };
    const [stage] = buildPipeline(info, [{ $match: where }], STRICT);
    expect(stage).toEqual({ $match: buildFilter(info, where, STRICT) });
    expect(stage.$match).toMatchObject({ _id: new ObjectId(hex), age: { $gt: 3 } });
    expect(stage.$match).toHaveProperty('mail.$regex');
  });

  it('names stored fields in a leading $sort', () => {
    expect(buildPipeline(info, [{ $sort: { email: -1, id: 1 } }], STRICT)).toEqual([
      { $sort: { mail: -1, _id: 1 } },
    ]);
  });

  it('leaves stages after a reshaping one as given', () => {
    const later = [
      { $group: { _id: '$accountId', n: { $sum: 1 } } },
      { $match: { n: { $gt: 1 } } },
      { $sort: { n: -1 } },
    ];
    expect(buildPipeline(info, [{ $match: { vip: true } }, ...later], STRICT)).toEqual([
      { $match: { vip: true } },
      ...later,
    ]);
  });

  it('refuses $-operators in a translated $match unless allowed, as find does', () => {
    expect(() => buildPipeline(info, [{ $match: { name: { $ne: 'x' } } }], STRICT)).toThrow(
      OperatorNotAllowedError,
    );
  });

  it('refuses what is not a pipeline of one-key stages', () => {
    expect(() => buildPipeline(info, { $match: {} } as never, STRICT)).toThrow(InvalidQueryError);
    expect(() => buildPipeline(info, [{ $match: {}, $limit: 1 }], STRICT)).toThrow(
      'Customer: aggregate: stage 0 must be an object with one stage name',
    );
  });
});
