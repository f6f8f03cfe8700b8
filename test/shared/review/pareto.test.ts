import { describe, expect, it } from 'vitest';
import { paretoFront, type ParetoPoint } from '../../../src/shared/review/pareto';

/** Brute force: a point is on the front when nothing dominates it. */
function bruteForce(points: readonly ParetoPoint[]): number[] {
  const valid = (p: ParetoPoint) => Number.isFinite(p.x) && Number.isFinite(p.y);
  return points
    .map((point, index) => ({ point, index }))
    .filter(({ point }) => valid(point))
    .filter(
      ({ point }) =>
        !points.some(
          (other) =>
            valid(other) &&
            other.x <= point.x &&
            other.y >= point.y &&
            (other.x < point.x || other.y > point.y),
        ),
    )
    .sort((a, b) => a.point.x - b.point.x || b.point.y - a.point.y || a.index - b.index)
    .map(({ index }) => index);
}

describe('paretoFront (lower x, higher y is better)', () => {
  it('is empty for no points and keeps a single point', () => {
    expect(paretoFront([])).toEqual([]);
    expect(paretoFront([{ x: 1, y: 1 }])).toEqual([0]);
  });

  it('keeps the cheap-and-worse and the dear-and-better, drops the dominated', () => {
    const points = [
      { x: 0.05, y: 980 }, // cheap, weaker: front
      { x: 0.12, y: 1060 }, // dearer, best: front
      { x: 0.1, y: 970 }, // dearer than 0 and worse: dominated
      { x: 0.2, y: 1000 }, // dearer than 1 and worse: dominated
      { x: 0.08, y: 1010 }, // between: front
    ];
    expect(paretoFront(points)).toEqual([0, 4, 1]);
  });

  it('drops a point with equal cost but lower quality, and equal quality but higher cost', () => {
    expect(
      paretoFront([
        { x: 1, y: 5 },
        { x: 1, y: 4 },
        { x: 2, y: 5 },
      ]),
    ).toEqual([0]);
  });

  it('keeps exact duplicates on the front (neither dominates the other)', () => {
    expect(
      paretoFront([
        { x: 1, y: 5 },
        { x: 1, y: 5 },
        { x: 3, y: 9 },
      ]),
    ).toEqual([0, 1, 2]);
  });

  it('ignores points with a missing (non-finite) coordinate', () => {
    expect(
      paretoFront([
        { x: Number.NaN, y: 2000 },
        { x: 1, y: 1 },
        { x: Number.POSITIVE_INFINITY, y: 3000 },
      ]),
    ).toEqual([1]);
  });

  it('agrees with a brute-force check on random sets', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 200; trial += 1) {
      const n = 1 + Math.floor(random() * 30);
      // Coarse values so ties and duplicates happen often.
      const points = Array.from({ length: n }, () => ({
        x: Math.floor(random() * 8),
        y: Math.floor(random() * 8),
      }));
      expect(paretoFront(points)).toEqual(bruteForce(points));
    }
  });
});
