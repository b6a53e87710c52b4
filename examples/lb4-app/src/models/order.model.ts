import { belongsTo, Entity, model, property } from '@loopback/repository';
import { Customer, type CustomerWithRelations } from './customer.model';

@model({ settings: { strict: true } })
export class Order extends Entity {
  @property({ type: 'string', id: true, generated: true, mongodb: { dataType: 'ObjectId' } })
  id?: string;

  @property({ type: 'string', required: true })
  description: string;

  @property({ type: 'number', required: true, jsonSchema: { minimum: 0 } })
  total: number;

  // the foreign key is stored as an ObjectId, like the id it points at
  @belongsTo(() => Customer, {}, { type: 'string', mongodb: { dataType: 'ObjectId' } })
  customerId: string;

  constructor(data?: Partial<Order>) {
    super(data);
  }
}

export interface OrderRelations {
  customer?: CustomerWithRelations;
}

export type OrderWithRelations = Order & OrderRelations;
