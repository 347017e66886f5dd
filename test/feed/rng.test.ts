import { describe, expect, it } from 'vitest';
import { Rng, createRng } from '../../server/feed/rng.js';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.next());

describe('Rng', () => {
  it('repeats the same sequence for the same seed, string or number', () => {
    expect(draw(new Rng('tick'), 100)).toEqual(draw(new Rng('tick'), 100));
    expect(draw(createRng(42), 100)).toEqual(draw(new Rng('42'), 100));
  });

  it('gives different sequences for different seeds', () => {
    expect(draw(new Rng('a'), 10)).not.toEqual(draw(new Rng('b'), 10));
  });

  it('draws uniforms in [0, 1) with mean 1/2', () => {
    const xs = draw(new Rng(1), 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 2);
  });

  it('draws standard normals: mean 0, sd 1, some tails', () => {
    for (const method of ['normal', 'roughNormal'] as const) {
      const rng = new Rng(2);
      const zs = Array.from({ length: 200_000 }, () => rng[method]());
      const mean = zs.reduce((a, b) => a + b, 0) / zs.length;
      const sd = Math.sqrt(zs.reduce((a, z) => a + (z - mean) ** 2, 0) / zs.length);
      expect(Math.abs(mean)).toBeLessThan(0.01);
      expect(Math.abs(sd - 1)).toBeLessThan(0.01);
      expect(zs.filter((z) => Math.abs(z) > 2).length / zs.length).toBeGreaterThan(0.03); // ~4.6% for a normal
    }
  });

  it('draws integers in [0, n) covering the range', () => {
    const rng = new Rng(3);
    const seen = new Set(Array.from({ length: 1000 }, () => rng.int(7)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('draws exponentials with mean 1', () => {
    const rng = new Rng(4);
    const xs = Array.from({ length: 100_000 }, () => rng.exp());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(1, 1);
  });

  it('forks by label, independently of how much the parent has drawn', () => {
    const a = new Rng('seed');
    const b = new Rng('seed');
    draw(b, 57);
    expect(draw(a.fork('AAPL'), 20)).toEqual(draw(b.fork('AAPL'), 20));
    expect(draw(a.fork('AAPL'), 20)).not.toEqual(draw(a.fork('MSFT'), 20));
    expect(draw(a.fork('AAPL'), 20)).not.toEqual(draw(new Rng('other').fork('AAPL'), 20));
  });
});
