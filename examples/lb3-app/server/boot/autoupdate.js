'use strict';

// The indexes the models declare (unique sku, the 2dsphere index of Product.location) exist before
// the app serves.
module.exports = function autoupdate(app, cb) {
  app.dataSources.db.autoupdate(cb);
};
