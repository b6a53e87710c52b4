/**
 * The code of README's "MongoDB features in LoopBack 4", compiled by `npm run typecheck` so that
 * the README's examples keep compiling against the package's types. Each block between the
 * `README:` markers is in the README as it is here.
 */
import { inject } from '@loopback/core';
import { Entity, juggler, model, property, type Where } from '@loopback/repository';
import { QueryTimeoutError } from 'loopback-connector-mongo';
import { MongoCrudRepository } from 'loopback-connector-mongo/repository';

@model()
export class Order extends Entity {
  @property({ type: 'string', id: true, generated: true, mongodb: { dataType: 'ObjectId' } })
  id?: string;
  @property({ type: 'string', required: true }) description: string;
  @property({ type: 'number', required: true }) total: number;
  @property({ type: 'string', mongodb: { dataType: 'ObjectId' } }) customerId: string;
  @property({ type: 'array', itemType: 'string' }) tags?: string[];
}

// README: repository
export class OrderRepository extends MongoCrudRepository<Order, typeof Order.prototype.id> {
  constructor(@inject('datasources.mongo') dataSource: juggler.DataSource) {
    super(Order, dataSource);
  }
}
// README: end

export async function features(orders: OrderRepository, customerId: string): Promise<void> {
  // README: watch
  const changes = await orders.watch({ customerId });
  for await (const change of changes) {
    // change.data: Order | undefined; change.id: string | undefined
    console.log(change.operationType, change.id, change.data?.total, change.updatedFields);
    if (change.operationType === 'delete') break; // leaving the loop closes the change stream
  }
  // README: end

  // README: iterate
  for await (const order of orders.iterate({
    where: { total: { gt: 100 } },
    order: ['total DESC'],
  })) {
    console.log(order instanceof Order, order.id); // true, a 24-hex string
  }
  // README: end

  // README: distinct
  const customerIds: string[] = await orders.distinct('customerId', { total: { gt: 100 } });
  const tags: string[] = await orders.distinct('tags'); // an array property: its distinct items
  // README: end
  console.log(customerIds, tags);

  // README: aggregate
  const big: Where<Order> = { total: { gte: 100 }, customerId: { inq: customerIds } };
  // every stage keeps the model's shape: results as find gives them (ids as 24-hex strings)
  const largest = await orders.aggregate([
    { $match: big },
    { $sort: { total: -1 } },
    { $limit: 5 },
  ]);
  // a $group makes documents of its own: they come back as the server gives them
  const perCustomer = await orders.aggregate<{ _id: unknown; total: number }>(
    [{ $match: big }, { $group: { _id: '$customerId', total: { $sum: '$total' } } }],
    { allowDiskUse: true, maxTimeMS: 2000 },
  );
  // README: end
  console.log(largest, perCustomer);

  // README: options
  try {
    await orders.find({ where: { total: { gt: 0 } } }, { maxTimeMS: 500, hint: { total: 1 } });
  } catch (err) {
    if (err instanceof QueryTimeoutError) console.log(err.statusCode); // 504
  }
  // README: end
}
