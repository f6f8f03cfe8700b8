/**
 * Pareto front of points where less of x (cost) and more of y (quality) are better. Pure: no
 * node:*, no react. Used by the quality-versus-cost chart.
 */

export interface ParetoPoint {
  /** Lower is better (for example cost per second, USD). Must be finite to take part. */
  x: number;
  /** Higher is better (for example the rating). Must be finite to take part. */
  y: number;
}

/**
 * Indices of the points on the Pareto front, ordered by ascending x (then descending y).
 *
 * A point is on the front when no other point is at least as good on both axes and strictly
 * better on one. Exact duplicates do not dominate each other, so both stay on the front.
 * Points with a non-finite coordinate are ignored. O(n log n): sort by x, sweep keeping the
 * best y seen so far.
 */
export function paretoFront(points: readonly ParetoPoint[]): number[] {
  const order = points
    .map((point, index) => ({ point, index }))
    .filter(({ point }) => Number.isFinite(point.x) && Number.isFinite(point.y))
    .sort((a, b) => a.point.x - b.point.x || b.point.y - a.point.y || a.index - b.index);
  const front: number[] = [];
  let bestY = Number.NEGATIVE_INFINITY;
  let last: ParetoPoint | null = null;
  for (const { point, index } of order) {
    const duplicate = last !== null && last.x === point.x && last.y === point.y;
    if (point.y > bestY || (duplicate && front.length > 0 && point.y === bestY)) {
      front.push(index);
      bestY = Math.max(bestY, point.y);
      last = point;
    }
  }
  return front;
}

/** The front as a set, for "is this point on it?" lookups. */
export function paretoFrontSet(points: readonly ParetoPoint[]): Set<number> {
  return new Set(paretoFront(points));
}
