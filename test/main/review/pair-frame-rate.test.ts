/**
 * A blind pair carries each video's measured frame rate, so the player steps one real frame at
 * a time (it assumed 24 fps for every pair, and a 30 fps video skipped frames); an unanalysed
 * video, or a rate that is no positive number, comes as null. Real SQLite, the real service,
 * and the pair checked against the IPC contract the renderer reads it with.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invokeChannels } from '../../../src/shared/ipc/contract';
import { testServices } from '../../helpers/services';
import { seedGenerations } from './seed-review';

type Services = ReturnType<typeof testServices>;
let services: Services;
beforeEach(() => {
  services = testServices({ env: { AIDEON_ACTOR: 'ann' }, analyseVideos: false });
});
afterEach(() => services.cleanup());

/** Sets one model's measured frame rate (the probe JSON the analyser stores). */
function setFps(model: string, probe: string | null): void {
  services.db
    .prepare("UPDATE generations SET video_probe = ? WHERE provider || ':' || model_id = ?")
    .run(probe, model);
}

function modelOf(id: string): string {
  return (
    services.db
      .prepare("SELECT provider || ':' || model_id AS model FROM generations WHERE id = ?")
      .get(id) as { model: string }
  ).model;
}

describe('blind pair frame rates', () => {
  it('each side carries its own measured rate; unmeasured or nonsense is null', () => {
    seedGenerations(services.db, {
      models: ['sandbox:m1', 'sandbox:m2', 'sandbox:m3'],
      prompts: 3,
    });
    setFps('sandbox:m1', '{"fps":30,"width":480,"height":270}');
    setFps('sandbox:m2', '{"fps":23.976}');
    setFps('sandbox:m3', '{"fps":0}');
    const expected: Record<string, number | null> = {
      'sandbox:m1': 30,
      'sandbox:m2': 23.976,
      'sandbox:m3': null,
    };
    const output = invokeChannels['review:next-pair'].output;
    const seen = new Set<string>();
    for (let k = 0; k < 12; k += 1) {
      const pair = services.review.nextPair();
      expect(pair).not.toBeNull();
      expect(output.parse({ pair })).toEqual({ pair });
      const left = modelOf(pair!.left);
      const right = modelOf(pair!.right);
      expect(pair!.leftFps).toBe(expected[left]);
      expect(pair!.rightFps).toBe(expected[right]);
      seen.add(left).add(right);
      services.review.castVote(pair!.token, 'tie', undefined);
    }
    // Every model (and so every kind of rate) was in some pair.
    expect([...seen].sort()).toEqual(Object.keys(expected));
  });

  it('a video never analysed has no rate', () => {
    seedGenerations(services.db, { models: ['sandbox:m1', 'sandbox:m2'], prompts: 1 });
    const pair = services.review.nextPair();
    expect(pair).toMatchObject({ leftFps: null, rightFps: null });
  });
});
