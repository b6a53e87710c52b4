import { type Count, CountSchema, type Filter, repository, type Where } from '@loopback/repository';
import {
  del,
  get,
  getModelSchemaRef,
  getWhereSchemaFor,
  param,
  patch,
  post,
  requestBody,
} from '@loopback/rest';
import { Order } from '../models';
import { CustomerRepository } from '../repositories';

/** The customer -> orders relation (hasMany). */
export class CustomerOrderController {
  constructor(@repository(CustomerRepository) protected customers: CustomerRepository) {}

  @get('/customers/{id}/orders', {
    responses: {
      '200': {
        description: "the customer's orders",
        content: {
          'application/json': { schema: { type: 'array', items: getModelSchemaRef(Order) } },
        },
      },
    },
  })
  async find(
    @param.path.string('id') id: string,
    @param.query.object('filter') filter?: Filter<Order>,
  ): Promise<Order[]> {
    return this.customers.orders(id).find(filter);
  }

  @post('/customers/{id}/orders', {
    responses: {
      '200': {
        description: 'the new order',
        content: { 'application/json': { schema: getModelSchemaRef(Order) } },
      },
    },
  })
  async create(
    @param.path.string('id') id: string,
    @requestBody({
      content: {
        'application/json': {
          schema: getModelSchemaRef(Order, {
            title: 'NewOrderInCustomer',
            exclude: ['id', 'customerId'],
          }),
        },
      },
    })
    order: Omit<Order, 'id' | 'customerId'>,
  ): Promise<Order> {
    // the customer must exist: a hasMany create alone would accept any id
    await this.customers.findById(id, { fields: { id: true } });
    return this.customers.orders(id).create(order);
  }

  @patch('/customers/{id}/orders', {
    responses: {
      '200': {
        description: 'how many orders were patched',
        content: { 'application/json': { schema: CountSchema } },
      },
    },
  })
  async patch(
    @param.path.string('id') id: string,
    @requestBody({
      content: {
        'application/json': {
          schema: getModelSchemaRef(Order, { partial: true, exclude: ['id', 'customerId'] }),
        },
      },
    })
    order: Partial<Order>,
    @param.query.object('where', getWhereSchemaFor(Order)) where?: Where<Order>,
  ): Promise<Count> {
    return this.customers.orders(id).patch(order, where);
  }

  @del('/customers/{id}/orders', {
    responses: {
      '200': {
        description: 'how many orders were deleted',
        content: { 'application/json': { schema: CountSchema } },
      },
    },
  })
  async delete(
    @param.path.string('id') id: string,
    @param.query.object('where', getWhereSchemaFor(Order)) where?: Where<Order>,
  ): Promise<Count> {
    return this.customers.orders(id).delete(where);
  }
}
