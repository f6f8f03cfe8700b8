import type { Services } from '../services';
import type { PartialHandlerMap } from './dispatcher';

export function registerReviewIpc(services: Services): PartialHandlerMap {
  return {
    'review:next-pair': ({ category, pool }, caller) => ({
      pair: services.review.nextPair(category, caller, pool),
    }),
    'review:cast-vote': ({ token, verdict, comment }, caller) =>
      services.review.castVote(token, verdict, comment, caller),
    'review:get-session': (_input, caller) =>
      caller.reviewer === undefined
        ? { role: 'admin' as const, name: services.review.localVoter }
        : { role: 'reviewer' as const, name: caller.reviewer },
    'review:get-ratings': (filter) => services.review.ratings(filter),
    'review:import-votes': ({ csv }) => services.review.importCsv(csv),
    'review:export-votes': () => ({ csv: services.review.exportCsv() }),
    'review:get-chart-data': ({ category }) => services.review.chartData(category),
    'review:list-library': () => services.review.library(),
  };
}
