/**
 * The model ids a mistyped one was probably meant to be, for NoSuchModelError. Vendor ids are
 * long and spelled the vendor's way (`kwaivgI/kling-2.1-master`, `fal-ai/veo3.1/image-to-video`),
 * so the usual slips are a part of the id (`kling-2.1`), another case, or a letter or two.
 *
 * Edit distance comes from `leven` (a small, widely used implementation) rather than our own.
 */
import leven from 'leven';

/** At most `max` known ids, the likeliest first; [] when none is close. */
export function similarModelIds(wanted: string, known: readonly string[], max = 3): string[] {
  const typed = wanted.trim().toLowerCase();
  if (typed.length === 0) return [];
  const scored: { id: string; score: number }[] = [];
  for (const id of new Set(known)) {
    const lower = id.toLowerCase();
    let score: number;
    if (lower === typed) score = 0;
    // A part of the id, or the id with something around it: ranked by what is missing.
    else if (lower.includes(typed) || typed.includes(lower))
      score = 1 + Math.abs(lower.length - typed.length) / 100;
    else {
      // A close spelling of the whole id, or of its last part (after the owner's "org/").
      const distance = Math.min(
        leven(typed, lower),
        leven(typed, lower.slice(lower.indexOf('/') + 1)),
      );
      if (distance > Math.max(2, Math.floor(typed.length * 0.3))) continue;
      score = 2 + distance;
    }
    scored.push({ id, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, max)
    .map((entry) => entry.id);
}
