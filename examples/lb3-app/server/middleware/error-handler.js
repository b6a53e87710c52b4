'use strict';

// What strong-error-handler answers in production, without the dependency: the status the error
// carries (500 if none) and its name, message and code as JSON.
module.exports = function errorHandler() {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- express tells error handlers by their four parameters
  return function handleError(err, req, res, next) {
    const statusCode = err.statusCode || err.status || 500;
    res.status(statusCode).json({
      error: { statusCode, name: err.name, message: err.message, code: err.code },
    });
  };
};
