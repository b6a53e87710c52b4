import {
  type Count,
  CountSchema,
  type Filter,
  type FilterExcludingWhere,
  repository,
  type Where,
} from '@loopback/repository';
import {
  del,
  get,
  getModelSchemaRef,
  param,
  patch,
  post,
  put,
  requestBody,
  response,
} from '@loopback/rest';
import { Customer } from '../models';
import { CustomerRepository } from '../repositories';

const customerSchema = getModelSchemaRef(Customer, { includeRelations: true });

export class CustomerController {
  constructor(@repository(CustomerRepository) public customers: CustomerRepository) {}

  @post('/customers')
  @response(200, {
    description: 'the new customer',
    content: { 'application/json': { schema: getModelSchemaRef(Customer) } },
  })
  async create(
    @requestBody({
      content: {
        'application/json': {
          schema: getModelSchemaRef(Customer, { title: 'NewCustomer', exclude: ['id'] }),
        },
      },
    })
    customer: Omit<Customer, 'id'>,
  ): Promise<Customer> {
    return this.customers.create(customer);
  }

  @get('/customers/count')
  @response(200, {
    description: 'how many customers match',
    content: { 'application/json': { schema: CountSchema } },
  })
  async count(@param.where(Customer) where?: Where<Customer>): Promise<Count> {
    return this.customers.count(where);
  }

  @get('/customers')
  @response(200, {
    description: 'the customers matching the filter',
    content: { 'application/json': { schema: { type: 'array', items: customerSchema } } },
  })
  async find(@param.filter(Customer) filter?: Filter<Customer>): Promise<Customer[]> {
    return this.customers.find(filter);
  }

  @get('/customers/{id}')
  @response(200, {
    description: 'one customer',
    content: { 'application/json': { schema: customerSchema } },
  })
  async findById(
    @param.path.string('id') id: string,
    @param.filter(Customer, { exclude: 'where' }) filter?: FilterExcludingWhere<Customer>,
  ): Promise<Customer> {
    return this.customers.findById(id, filter);
  }

  @patch('/customers/{id}')
  @response(204, { description: 'customer patched' })
  async updateById(
    @param.path.string('id') id: string,
    @requestBody({
      content: {
        'application/json': {
          schema: getModelSchemaRef(Customer, { partial: true, exclude: ['id'] }),
        },
      },
    })
    customer: Partial<Customer>,
  ): Promise<void> {
    await this.customers.updateById(id, customer);
  }

  @put('/customers/{id}')
  @response(204, { description: 'customer replaced' })
  async replaceById(
    @param.path.string('id') id: string,
    @requestBody({
      content: {
        'application/json': {
          schema: getModelSchemaRef(Customer, { title: 'CustomerReplacement', exclude: ['id'] }),
        },
      },
    })
    customer: Omit<Customer, 'id'>,
  ): Promise<void> {
    await this.customers.replaceById(id, customer);
  }

  @del('/customers/{id}')
  @response(204, { description: 'customer deleted' })
  async deleteById(@param.path.string('id') id: string): Promise<void> {
    await this.customers.deleteById(id);
  }
}
