'use strict';
// CJS stand-in for `uuid`: uuid@13 is ESM-only and jest's CJS runtime cannot
// load it. Juggler only calls v1() (transaction ids, defaultFn 'uuid') and
// v4() (defaultFn 'uuidv4'); both must look like RFC 9562 UUIDs because
// manipulation.test.js matches them against a UUID regexp.
const crypto = require('node:crypto');

// Offset between the Gregorian epoch (1582-10-15) and the Unix epoch, in ms.
const GREGORIAN_OFFSET_MS = 12219292800000;

// Random node id with the multicast bit set (RFC 9562 §6.10: not a real MAC)
// and a random clock sequence, chosen once per process like uuid's v1.
const node = crypto.randomBytes(6);
node[0] |= 0x01;
const clockSeq = crypto.randomBytes(2).readUInt16BE(0) & 0x3fff;

let lastMs = 0;
let ticks = 0; // 100-ns ticks within the same ms, keeps ids unique and ordered

function v1() {
  const ms = Date.now();
  ticks = ms === lastMs ? ticks + 1 : 0;
  if (ticks >= 10000) throw new Error('uuid-shim: too many v1 uuids in one ms');
  lastMs = ms;

  const timestamp = BigInt(ms + GREGORIAN_OFFSET_MS) * 10000n + BigInt(ticks);
  const timeLow = Number(timestamp & 0xffffffffn);
  const timeMid = Number((timestamp >> 32n) & 0xffffn);
  const timeHi = Number((timestamp >> 48n) & 0x0fffn) | 0x1000; // version 1

  const hex = (n, width) => n.toString(16).padStart(width, '0');
  return [
    hex(timeLow, 8),
    hex(timeMid, 4),
    hex(timeHi, 4),
    hex(clockSeq | 0x8000, 4), // RFC variant
    node.toString('hex'),
  ].join('-');
}

function v4() {
  return crypto.randomUUID();
}

module.exports = { v1, v4 };
