'use strict';
// jest's own order (failed first, then slowest first), except that the "(juggler 7)" projects'
// files come after all others. They are the same files run again against juggler 7; started
// together with their juggler 6 twins (slowest first would pair them), the two copies of the
// heaviest files (16 MB documents in security.test.ts) compete for the one emulated mongod.
const Sequencer = require('@jest/test-sequencer').default;

const isJuggler7 = (test) => /\(juggler 7\)$/.test(test.context.config.displayName?.name ?? '');

class Juggler7LastSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((t) => !isJuggler7(t)), ...sorted.filter(isJuggler7)];
  }
}

module.exports = Juggler7LastSequencer;
