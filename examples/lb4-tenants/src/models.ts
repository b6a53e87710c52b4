// the shop's models, unchanged: tenancy needs nothing from a model
export * from '../../lb4-app/src/models';
