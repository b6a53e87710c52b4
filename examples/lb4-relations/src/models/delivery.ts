// Polymorphic relations: a delivery carries a letter or a parcel (two models, two collections);
// its `deliverableType` names which. A courier has many deliverables through its deliveries.
import { belongsTo, Entity, hasMany, model, property } from '@loopback/repository';

@model()
export class Deliverable extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  constructor(data?: Partial<Deliverable>) {
    super(data);
  }
}

@model()
export class Letter extends Deliverable {
  @property({ type: 'string', required: true })
  text: string;

  constructor(data?: Partial<Letter>) {
    super(data);
  }
}

@model()
export class Parcel extends Deliverable {
  @property({ type: 'number', required: true })
  weight: number;

  constructor(data?: Partial<Parcel>) {
    super(data);
  }
}

@model()
export class Delivery extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', index: true })
  courierId?: string;

  @belongsTo(() => Deliverable, { polymorphic: { discriminator: 'deliverableType' } })
  deliverableId: string;

  /** `Letter` or `Parcel`: the name of the repository the deliverable lives in. */
  @property({ type: 'string', required: true })
  deliverableType: string;

  constructor(data?: Partial<Delivery>) {
    super(data);
  }
}

@model()
export class Courier extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  name: string;

  @hasMany(() => Deliverable, {
    through: {
      model: () => Delivery,
      keyFrom: 'courierId',
      keyTo: 'deliverableId',
      polymorphic: { discriminator: 'deliverableType' },
    },
  })
  deliverables: Deliverable[];

  constructor(data?: Partial<Courier>) {
    super(data);
  }
}

export interface DeliveryRelations {
  deliverable?: Deliverable;
}
