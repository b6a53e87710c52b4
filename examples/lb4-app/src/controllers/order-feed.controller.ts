import { once } from 'node:events';
import { inject } from '@loopback/core';
import { type Filter, repository, type Where } from '@loopback/repository';
import { get, param, type Response, RestBindings } from '@loopback/rest';
import { Order } from '../models';
import { OrderRepository } from '../repositories';

/** One row of GET /orders/totals. */
export interface CustomerTotal {
  customerId: string;
  orders: number;
  total: number;
}

/** What only MongoDB has, through the typed repository: change feed, export, aggregation. */
export class OrderFeedController {
  constructor(@repository(OrderRepository) public orders: OrderRepository) {}

  /**
   * Server-sent events: one `event: <operationType>` per change to an order matching the where,
   * its data `{id, data, updatedFields}` with the order as the API shows it. A first comment
   * line says the feed is open; closing the connection closes the change stream.
   */
  @get('/orders/changes', {
    responses: { '200': { description: 'a text/event-stream of order changes' } },
  })
  async changes(
    @param.where(Order) where: Where<Order> | undefined,
    @inject(RestBindings.Http.RESPONSE) response: Response,
  ): Promise<Response> {
    // a where that cannot work fails here, before the headers: a 400 as from find
    const stream = await this.orders.watch(where);
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write(': watching\n\n');
    response.on('close', () => void stream.close());
    stream.on('change', ({ operationType, id, data, updatedFields }) =>
      response.write(
        `event: ${operationType}\ndata: ${JSON.stringify({ id, data, updatedFields })}\n\n`,
      ),
    );
    stream.on('error', (error: Error) => {
      response.end(`event: error\ndata: ${JSON.stringify({ message: error.message })}\n\n`);
    });
    return response;
  }

  /** Every order the filter selects as newline-delimited JSON, read one at a time. */
  @get('/orders/export', {
    responses: { '200': { description: 'application/x-ndjson, one order per line' } },
  })
  async export(
    @param.filter(Order) filter: Filter<Order> | undefined,
    @inject(RestBindings.Http.RESPONSE) response: Response,
  ): Promise<Response> {
    const orders = this.orders.iterate(filter);
    // the first read sends the query: a filter that cannot work is still a 400 here
    let next = await orders.next();
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (; !next.done; next = await orders.next()) {
      if (!response.write(JSON.stringify(next.value) + '\n')) await once(response, 'drain');
    }
    response.end();
    return response;
  }

  /** Order count and sum per customer, largest first: a `$match` by LoopBack where, then `$group`. */
  @get('/orders/totals', {
    responses: { '200': { description: 'per customer: customerId, orders, total' } },
  })
  async totals(@param.where(Order) where?: Where<Order>): Promise<CustomerTotal[]> {
    const rows = await this.orders.aggregate<{ _id: unknown; orders: number; total: number }>([
      { $match: where ?? {} },
      { $group: { _id: '$customerId', orders: { $sum: 1 }, total: { $sum: '$total' } } },
      { $sort: { total: -1, _id: 1 } },
    ]);
    // after $group the documents are the pipeline's own: _id is the stored ObjectId
    return rows.map(({ _id, orders, total }) => ({ customerId: String(_id), orders, total }));
  }

  /** The customers that have orders matching the where, by id. */
  @get('/orders/customer-ids', {
    responses: { '200': { description: 'distinct customerId values (24-hex strings)' } },
  })
  async customerIds(@param.where(Order) where?: Where<Order>): Promise<string[]> {
    return this.orders.distinct('customerId', where);
  }
}
