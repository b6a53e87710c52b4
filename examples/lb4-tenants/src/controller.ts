import { type Count, type Filter, repository, type Where } from '@loopback/repository';
import { del, get, param, patch, post, requestBody } from '@loopback/rest';
import type { Customer, Order } from './models';
import { CustomerRepository, OrderRepository } from './repositories';

const anyObject = { content: { 'application/json': { schema: { type: 'object' as const } } } };

/**
 * The same code for every tenant: nothing here knows there are tenants. Each repository call
 * runs in the database of the request's `X-Tenant` (see ../tenancy).
 */
export class ShopController {
  constructor(
    @repository(CustomerRepository) private readonly customers: CustomerRepository,
    @repository(OrderRepository) private readonly orders: OrderRepository,
  ) {}

  @post('/customers', { responses: { '200': anyObject } })
  create(@requestBody(anyObject) customer: Omit<Customer, 'id'>): Promise<Customer> {
    return this.customers.create(customer);
  }

  @get('/customers', { responses: { '200': anyObject } })
  find(@param.query.object('filter') filter?: Filter<Customer>): Promise<Customer[]> {
    return this.customers.find(filter);
  }

  @get('/customers/count', { responses: { '200': anyObject } })
  count(@param.query.object('where') where?: Where<Customer>): Promise<Count> {
    return this.customers.count(where);
  }

  @get('/customers/{id}', { responses: { '200': anyObject } })
  findById(
    @param.path.string('id') id: string,
    @param.query.object('filter') filter?: Filter<Customer>,
  ): Promise<Customer> {
    return this.customers.findById(id, filter);
  }

  @patch('/customers/{id}', { responses: { '204': { description: 'patched' } } })
  updateById(
    @param.path.string('id') id: string,
    @requestBody(anyObject) patch: Partial<Customer>,
  ): Promise<void> {
    return this.customers.updateById(id, patch);
  }

  @del('/customers/{id}', { responses: { '204': { description: 'deleted' } } })
  deleteById(@param.path.string('id') id: string): Promise<void> {
    return this.customers.deleteById(id);
  }

  @post('/customers/{id}/orders', { responses: { '200': anyObject } })
  createOrder(
    @param.path.string('id') id: string,
    @requestBody(anyObject) order: Omit<Order, 'id' | 'customerId'>,
  ): Promise<Order> {
    return this.customers.orders(id).create(order);
  }

  @get('/customers/{id}/orders', { responses: { '200': anyObject } })
  customerOrders(@param.path.string('id') id: string): Promise<Order[]> {
    return this.customers.orders(id).find();
  }

  @get('/orders', { responses: { '200': anyObject } })
  findOrders(@param.query.object('filter') filter?: Filter<Order>): Promise<Order[]> {
    return this.orders.find(filter);
  }

  /**
   * A customer and their orders in one transaction: all or nothing, in the tenant's database.
   * `?dryRun=true` rolls it back at the end.
   */
  @post('/checkout', { responses: { '200': anyObject } })
  async checkout(
    @requestBody(anyObject)
    body: { customer: Omit<Customer, 'id'>; orders: Omit<Order, 'id' | 'customerId'>[] },
    @param.query.boolean('dryRun') dryRun = false,
  ): Promise<Customer> {
    const tx = await this.customers.beginTransaction({ isolationLevel: 'READ COMMITTED' });
    try {
      const customer = await this.customers.create(body.customer, { transaction: tx });
      await this.orders.createAll(
        body.orders.map((o) => ({ ...o, customerId: customer.id! })),
        { transaction: tx },
      );
      if (dryRun) await tx.rollback();
      else await tx.commit();
      return customer;
    } catch (error) {
      if (tx.isActive()) await tx.rollback();
      throw error;
    }
  }
}
