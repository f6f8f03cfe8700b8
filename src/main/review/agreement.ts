/**
 * Inter-reviewer agreement.
 *
 * An item is one generation pair (unordered). Each reviewer's LATEST vote on an item counts,
 * with its verdict turned to the item's own orientation (the generation with the smaller id is
 * "first"): first better, second better, tie, both bad (4 categories).
 *
 * - Pairwise: for every two reviewers, on the items both voted on: the share of equal verdicts
 *   and Cohen's kappa κ = (pₒ − pₑ)/(1 − pₑ), pₑ from each reviewer's own verdict shares on
 *   those items. κ is null when pₑ = 1 (both always gave the same single verdict).
 * - Against the others: for each reviewer, on the items at least one other reviewer voted on,
 *   the others' majority verdict (items where the others split evenly are left out); agreement
 *   and κ against that majority.
 * - Flag: a reviewer is flagged as disagreeing with everyone else when
 *     · they share at least MIN_SHARED items with each of at least two other reviewers, and
 *     · with EVERY such reviewer their κ is below SLIGHT (0.2, "slight or worse" on the
 *       Landis–Koch scale; the agreement rate below ½ stands in when κ is undefined), and
 *     · at least two of those others agree with each other (κ ≥ MODERATE, 0.4),
 *   i.e. there is a consensus and this reviewer is outside it. Everyone disagreeing with
 *   everyone flags no one: then there is no consensus to be outside of.
 */
import type {
  ReviewerAgreement,
  ReviewerPairAgreement,
  ReviewerSummary,
  Verdict,
  Vote,
} from '../../shared/review/review-schemas';

export const MIN_SHARED = 5;
export const SLIGHT = 0.2;
export const MODERATE = 0.4;

type Oriented = 0 | 1 | 2 | 3;

function orient(vote: Pick<Vote, 'generationA' | 'generationB' | 'verdict'>): {
  item: string;
  verdict: Oriented;
} {
  const swap = vote.generationA > vote.generationB;
  const item = swap
    ? `${vote.generationB}\u0000${vote.generationA}`
    : `${vote.generationA}\u0000${vote.generationB}`;
  const code: Record<Verdict, Oriented> = { a: 0, b: 1, tie: 2, both_bad: 3 };
  let verdict = code[vote.verdict];
  if (swap && verdict < 2) verdict = (1 - verdict) as Oriented;
  return { item, verdict };
}

/** Agreement share and Cohen's kappa of two verdict lists of equal length. */
export function cohensKappa(
  first: readonly number[],
  second: readonly number[],
): { agreement: number | null; kappa: number | null } {
  const n = first.length;
  if (n === 0) return { agreement: null, kappa: null };
  const countsA = [0, 0, 0, 0];
  const countsB = [0, 0, 0, 0];
  let same = 0;
  for (let k = 0; k < n; k += 1) {
    if (first[k] === second[k]) same += 1;
    countsA[first[k]!]! += 1;
    countsB[second[k]!]! += 1;
  }
  const observed = same / n;
  let expected = 0;
  for (let c = 0; c < 4; c += 1) expected += (countsA[c]! / n) * (countsB[c]! / n);
  const kappa = expected >= 1 - 1e-12 ? null : (observed - expected) / (1 - expected);
  return { agreement: observed, kappa };
}

type VoteForAgreement = Pick<Vote, 'generationA' | 'generationB' | 'verdict' | 'voter' | 'votedAt'>;

export function computeAgreement(votes: readonly VoteForAgreement[]): ReviewerAgreement {
  const byReviewer = new Map<string, Map<string, Oriented>>();
  const counts = new Map<string, number>();
  const sorted = [...votes].sort((x, y) => x.votedAt - y.votedAt);
  for (const vote of sorted) {
    const { item, verdict } = orient(vote);
    let items = byReviewer.get(vote.voter);
    if (!items) byReviewer.set(vote.voter, (items = new Map()));
    items.set(item, verdict); // the latest vote wins
    counts.set(vote.voter, (counts.get(vote.voter) ?? 0) + 1);
  }
  const names = [...byReviewer.keys()].sort((x, y) => x.localeCompare(y, 'en'));
  const pairs: ReviewerPairAgreement[] = [];
  const pairKappa = new Map<
    string,
    { shared: number; kappa: number | null; agreement: number | null }
  >();
  for (let i = 0; i < names.length; i += 1) {
    for (let j = i + 1; j < names.length; j += 1) {
      const a = byReviewer.get(names[i]!)!;
      const b = byReviewer.get(names[j]!)!;
      const first: number[] = [];
      const second: number[] = [];
      for (const [item, verdict] of a) {
        const other = b.get(item);
        if (other !== undefined) {
          first.push(verdict);
          second.push(other);
        }
      }
      const { agreement, kappa } = cohensKappa(first, second);
      pairs.push({
        reviewerA: names[i]!,
        reviewerB: names[j]!,
        shared: first.length,
        agreement,
        kappa,
      });
      const entry = { shared: first.length, kappa, agreement };
      pairKappa.set(`${names[i]}\u0000${names[j]}`, entry);
      pairKappa.set(`${names[j]}\u0000${names[i]}`, entry);
    }
  }
  const disagrees = (entry: { kappa: number | null; agreement: number | null }): boolean =>
    entry.kappa !== null ? entry.kappa < SLIGHT : (entry.agreement ?? 1) < 0.5;

  const reviewers: ReviewerSummary[] = names.map((name) => {
    const own = byReviewer.get(name)!;
    const mine: number[] = [];
    const theirs: number[] = [];
    let sharedPairs = 0;
    for (const [item, verdict] of own) {
      const tally = [0, 0, 0, 0];
      let others = 0;
      for (const other of names) {
        if (other === name) continue;
        const v = byReviewer.get(other)!.get(item);
        if (v !== undefined) {
          tally[v]! += 1;
          others += 1;
        }
      }
      if (others === 0) continue;
      sharedPairs += 1;
      const top = Math.max(...tally);
      const winners = tally.flatMap((count, k) => (count === top ? [k] : []));
      if (winners.length !== 1) continue; // the others split evenly: no majority
      mine.push(verdict);
      theirs.push(winners[0]!);
    }
    const { agreement, kappa } = cohensKappa(mine, theirs);
    const partners = names.filter(
      (other) =>
        other !== name && (pairKappa.get(`${name}\u0000${other}`)?.shared ?? 0) >= MIN_SHARED,
    );
    let flagged = false;
    let flagReason: string | null = null;
    if (
      partners.length >= 2 &&
      partners.every((other) => disagrees(pairKappa.get(`${name}\u0000${other}`)!))
    ) {
      const consensus = partners.some((x) =>
        partners.some((y) => {
          if (x >= y) return false;
          const entry = pairKappa.get(`${x}\u0000${y}`)!;
          return entry.shared >= MIN_SHARED && entry.kappa !== null && entry.kappa >= MODERATE;
        }),
      );
      if (consensus) {
        flagged = true;
        flagReason = `disagrees with each of ${partners.join(', ')} (kappa below ${SLIGHT} on ${MIN_SHARED}+ shared pairs) while they agree with each other`;
      }
    }
    return {
      reviewer: name,
      votes: counts.get(name) ?? 0,
      sharedPairs,
      agreementWithOthers: agreement,
      kappaWithOthers: kappa,
      flagged,
      flagReason,
    };
  });
  return { reviewers, pairs };
}
