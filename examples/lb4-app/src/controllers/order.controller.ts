import { type Filter, type FilterExcludingWhere, repository } from '@loopback/repository';
import { get, getModelSchemaRef, param } from '@loopback/rest';
import { Customer, Order } from '../models';
import { OrderRepository } from '../repositories';

export class OrderController {
  constructor(@repository(OrderRepository) public orders: OrderRepository) {}

  @get('/orders', {
    responses: {
      '200': {
        description: 'the orders matching the filter',
        content: {
          'application/json': {
            schema: { type: 'array', items: getModelSchemaRef(Order, { includeRelations: true }) },
          },
        },
      },
    },
  })
  async find(@param.filter(Order) filter?: Filter<Order>): Promise<Order[]> {
    return this.orders.find(filter);
  }

  @get('/orders/{id}', {
    responses: {
      '200': {
        description: 'one order',
        content: {
          'application/json': { schema: getModelSchemaRef(Order, { includeRelations: true }) },
        },
      },
    },
  })
  async findById(
    @param.path.string('id') id: string,
    @param.filter(Order, { exclude: 'where' }) filter?: FilterExcludingWhere<Order>,
  ): Promise<Order> {
    return this.orders.findById(id, filter);
  }

  /** The order -> customer relation (belongsTo). */
  @get('/orders/{id}/customer', {
    responses: {
      '200': {
        description: "the order's customer",
        content: { 'application/json': { schema: getModelSchemaRef(Customer) } },
      },
    },
  })
  async getCustomer(@param.path.string('id') id: string): Promise<Customer> {
    return this.orders.customer(id);
  }
}
