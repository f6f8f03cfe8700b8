/**
 * Where to write each point's name on a scatter chart so that it covers neither the marks of any
 * point (its symbol, its error bar) nor another point's name. Pure (pixels in, pixels out), so
 * the quality-versus-cost chart's layout is tested without a browser.
 *
 * Why not recharts' own labels: a LabelList draws each label on its own, centred above its point,
 * which is exactly where a vertical error bar runs; and it cannot see the other labels, so two
 * models of similar cost and rating wrote their names on top of each other.
 */

/** A rectangle in the chart's pixels (y grows downwards, as in SVG). */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface PointLabel {
  /** The point's centre. */
  x: number;
  y: number;
  /** The label's size as it will be drawn. */
  width: number;
  height: number;
}

export interface PlacedLabel {
  /** Where the label goes: its text starts at `left` and is centred on (top + bottom) / 2. */
  box: Box;
  /** True when no free place was found and the least-covered one was taken. */
  overlaps: boolean;
}

/** How much of `a` lies over `b`, in square pixels. */
export function overlapArea(a: Box, b: Box): number {
  const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return width > 0 && height > 0 ? width * height : 0;
}

/** How much of `box` lies outside `area`, in square pixels. */
function outside(box: Box, area: Box): number {
  const size = (box.right - box.left) * (box.bottom - box.top);
  return size - overlapArea(box, area);
}

/**
 * One place per label, in the order given. Each label tries, in turn: beside its point on the
 * right, on the left, then the same a line higher and a line lower, two lines higher and lower.
 * The first place that is inside `area` and covers no obstacle and no label placed before it is
 * taken; failing all, the one covering the least (outside the area counts ten times over).
 *
 * @param obstacles what no label may cover: every point's symbol and error bar.
 * @param clearance the distance from the point's centre to the near edge of its label: beyond
 *   its symbol and its error bar's caps.
 */
export function placePointLabels(
  labels: readonly PointLabel[],
  obstacles: readonly Box[],
  area: Box,
  clearance: number,
): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  for (const label of labels) {
    const candidates: Box[] = [];
    for (const lines of [0, -1, 1, -2, 2]) {
      const top = label.y - label.height / 2 + lines * label.height;
      const right = label.x + clearance;
      const left = label.x - clearance - label.width;
      candidates.push({ left: right, right: right + label.width, top, bottom: top + label.height });
      candidates.push({ left, right: left + label.width, top, bottom: top + label.height });
    }
    let best: Box = candidates[0]!;
    let bestCost = Infinity;
    for (const candidate of candidates) {
      let cost = outside(candidate, area) * 10;
      for (const obstacle of obstacles) cost += overlapArea(candidate, obstacle);
      for (const other of placed) cost += overlapArea(candidate, other.box);
      if (cost < bestCost) {
        best = candidate;
        bestCost = cost;
        if (cost === 0) break;
      }
    }
    placed.push({ box: best, overlaps: bestCost > 0 });
  }
  return placed;
}
