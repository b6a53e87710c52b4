import { restoreBoxedOperands } from '../../src/query/boxed-operands';
import { modelInfo } from './fixtures';

const HEX = '6b0f8122c6fdeaea700d111b';
const OTHER = '6b0f8122c6fdeaea700d111c';

// `nodeId?: string | number` in LoopBack: decorator metadata records Object
const info = modelInfo('Note', {
  id: { type: String, id: true },
  nodeId: { type: Object },
  tagIds: { type: [Object] },
  text: { type: String },
});

describe('restoreBoxedOperands', () => {
  it("unboxes the items of an inq array in the caller's own array", () => {
    const keys: unknown[] = [new String(HEX), new String(OTHER)];
    const where = { nodeId: { inq: keys } };
    restoreBoxedOperands(info, where);
    expect(where.nodeId.inq).toBe(keys);
    expect(keys).toEqual([HEX, OTHER]);
    expect(keys.map((k) => typeof k)).toEqual(['string', 'string']);
  });

  it('unboxes equality values, other operators, numbers and booleans', () => {
    const where: Record<string, unknown> = {
      nodeId: new String(HEX),
      tagIds: { nin: [new Number(7), new Boolean(false)], neq: new String('x') },
    };
    restoreBoxedOperands(info, where);
    expect(where).toEqual({ nodeId: HEX, tagIds: { nin: [7, false], neq: 'x' } });
    expect(typeof where.nodeId).toBe('string');
  });

  it('walks and, or and nor clauses', () => {
    const inner = [new String(HEX)];
    const where = { or: [{ nodeId: { inq: inner } }, { and: [{ nodeId: new String(OTHER) }] }] };
    restoreBoxedOperands(info, where);
    expect(inner).toEqual([HEX]);
    expect(typeof inner[0]).toBe('string');
    expect(typeof where.or[1].and![0].nodeId).toBe('string');
  });

  it('leaves properties with a declared type, and unknown keys, alone', () => {
    const boxed = new String('a');
    const where = { text: boxed, other: { inq: [boxed] } };
    restoreBoxedOperands(info, where);
    expect(where.text).toBe(boxed);
    expect(where.other.inq[0]).toBe(boxed);
  });
});
