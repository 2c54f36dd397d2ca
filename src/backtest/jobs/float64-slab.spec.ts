import { Float64Slab } from './float64-slab';

describe('Float64Slab', () => {
  it('hands out disjoint views from shared blocks, and a block of its own for a long request', () => {
    const slab = new Float64Slab(10);
    const a = slab.take(4);
    const b = slab.take(6);
    a.fill(1);
    b.fill(2);
    expect([...a]).toEqual([1, 1, 1, 1]);
    expect([...b]).toEqual([2, 2, 2, 2, 2, 2]);
    expect(a.buffer).toBe(b.buffer); // one block of 10
    const c = slab.take(3); // does not fit the rest (0 left): a new block
    expect(c.buffer).not.toBe(a.buffer);
    expect([...c]).toEqual([0, 0, 0]);
    const long = slab.take(25);
    expect(long.length).toBe(25);
    expect(long.buffer.byteLength).toBe(25 * 8);
    expect(slab.take(0).length).toBe(0);
  });
});
