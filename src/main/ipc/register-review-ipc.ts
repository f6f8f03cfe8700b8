import type { Services } from '../services';
import type { PartialHandlerMap } from './dispatcher';

export function registerReviewIpc(services: Services): PartialHandlerMap {
  return {
    'review:next-pair': ({ category }) => ({ pair: services.review.nextPair(category) }),
    'review:cast-vote': ({ token, verdict, comment }) =>
      services.review.castVote(token, verdict, comment),
    'review:get-ratings': () => services.review.ratings(),
    'review:import-votes': ({ csv }) => services.review.importCsv(csv),
    'review:export-votes': () => ({ csv: services.review.exportCsv() }),
    'review:get-chart-data': ({ category }) => services.review.chartData(category),
    'review:list-library': () => services.review.library(),
  };
}
