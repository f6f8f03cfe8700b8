import { describe, expect, it } from 'vitest';
import { overlapArea, placePointLabels, type Box } from '../../src/renderer/src/lib/label-layout';

const AREA: Box = { left: 0, top: 0, right: 400, bottom: 200 };

/** A point's marks as the quality-versus-cost chart draws them: symbol and vertical error bar. */
function marks(x: number, y: number, above: number, below: number): Box[] {
  return [
    { left: x - 4, right: x + 4, top: y - above, bottom: y + below },
    { left: x - 5, right: x + 5, top: y - 5, bottom: y + 5 },
  ];
}

describe('placePointLabels', () => {
  it('puts a name beside its point, clear of its error bar (not above it, where the bar runs)', () => {
    const obstacles = marks(100, 100, 40, 40);
    const [placed] = placePointLabels(
      [{ x: 100, y: 100, width: 80, height: 15 }],
      obstacles,
      AREA,
      9,
    );
    expect(placed!.overlaps).toBe(false);
    expect(placed!.box).toEqual({ left: 109, right: 189, top: 92.5, bottom: 107.5 });
    for (const obstacle of obstacles) expect(overlapArea(placed!.box, obstacle)).toBe(0);
  });

  it('turns to the left near the right edge', () => {
    const [placed] = placePointLabels(
      [{ x: 370, y: 100, width: 80, height: 15 }],
      marks(370, 100, 30, 30),
      AREA,
      9,
    );
    expect(placed!.box.right).toBe(361);
    expect(placed!.overlaps).toBe(false);
  });

  it('keeps the names of two near points apart and off both error bars', () => {
    // Two models of nearly the same cost and rating: the second name cannot go where the first
    // went, nor across the first point's error bar on its left.
    const points = [
      { x: 100, y: 100, width: 90, height: 15 },
      { x: 112, y: 104, width: 90, height: 15 },
    ];
    const obstacles = [...marks(100, 100, 30, 30), ...marks(112, 104, 30, 30)];
    const placed = placePointLabels(points, obstacles, AREA, 9);
    expect(placed.every((label) => !label.overlaps)).toBe(true);
    expect(overlapArea(placed[0]!.box, placed[1]!.box)).toBe(0);
    for (const label of placed)
      for (const obstacle of obstacles) expect(overlapArea(label.box, obstacle)).toBe(0);
  });

  it('takes the least-covered place and says so when no place is free', () => {
    // A point hemmed in: obstacles fill the whole area around it.
    const wall: Box = { left: 0, top: 0, right: 400, bottom: 200 };
    const [placed] = placePointLabels([{ x: 200, y: 100, width: 60, height: 15 }], [wall], AREA, 9);
    expect(placed!.overlaps).toBe(true);
  });

  it('measures overlap in square pixels, zero for boxes that only touch', () => {
    expect(
      overlapArea(
        { left: 0, top: 0, right: 10, bottom: 10 },
        { left: 5, top: 5, right: 20, bottom: 20 },
      ),
    ).toBe(25);
    expect(
      overlapArea(
        { left: 0, top: 0, right: 10, bottom: 10 },
        { left: 10, top: 0, right: 20, bottom: 10 },
      ),
    ).toBe(0);
  });
});
