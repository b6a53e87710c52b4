import {
  type BelongsToAccessor,
  type EntityCrudRepository,
  DefaultCrudRepository,
  type Getter,
  type HasManyThroughRepositoryFactory,
  type juggler,
} from '@loopback/repository';
import {
  Courier,
  type Deliverable,
  Delivery,
  type DeliveryRelations,
  Letter,
  Parcel,
} from '../models/delivery';

export class LetterRepository extends DefaultCrudRepository<Letter, string> {
  constructor(dataSource: juggler.DataSource) {
    super(Letter, dataSource);
  }
}

export class ParcelRepository extends DefaultCrudRepository<Parcel, string> {
  constructor(dataSource: juggler.DataSource) {
    super(Parcel, dataSource);
  }
}

/** The repositories of the concrete deliverables, by the names `deliverableType` holds. */
export type DeliverableRepositoryGetters = Record<
  'Letter' | 'Parcel',
  Getter<EntityCrudRepository<Deliverable, string>>
>;

export class DeliveryRepository extends DefaultCrudRepository<Delivery, string, DeliveryRelations> {
  public readonly deliverable: BelongsToAccessor<Deliverable, string>;

  constructor(dataSource: juggler.DataSource, deliverables: DeliverableRepositoryGetters) {
    super(Delivery, dataSource);
    this.deliverable = this.createBelongsToAccessorFor('deliverable', deliverables);
    this.registerInclusionResolver('deliverable', this.deliverable.inclusionResolver);
  }
}

export class CourierRepository extends DefaultCrudRepository<Courier, string> {
  public readonly deliverables: HasManyThroughRepositoryFactory<
    Deliverable,
    string,
    Delivery,
    string
  >;

  constructor(
    dataSource: juggler.DataSource,
    deliverables: DeliverableRepositoryGetters,
    deliveryRepositoryGetter: Getter<DeliveryRepository>,
  ) {
    super(Courier, dataSource);
    this.deliverables = this.createHasManyThroughRepositoryFactoryFor(
      'deliverables',
      deliverables,
      deliveryRepositoryGetter,
    );
    this.registerInclusionResolver('deliverables', this.deliverables.inclusionResolver);
  }
}
