import type { Migration } from '../migrations';
import { migration0010 } from './0010-initial';
import { migration0020 } from './0020-votes';
import { migration0030 } from './0030-video-analysis';
import { migration0040 } from './0040-monitor';
import { migration0050 } from './0050-routing';
import { migration0060 } from './0060-publishing';
import { migration0070 } from './0070-watch';
import { migration0080 } from './0080-publish-settings';
import { migration0090 } from './0090-inbox-breaches';
import { migration0100 } from './0100-review-team';
import { migration0110 } from './0110-shared-history';
import { migration0120 } from './0120-media-analysis-cache';
import { migration0130 } from './0130-run-leases';
import { migration0140 } from './0140-external-votes';
import { migration0150 } from './0150-run-timeout';
import { migration0220 } from './0220-vote-pools';
import { migration0240 } from './0240-generation-waiting';
import { migration0241 } from './0241-run-spent';
import { migration0255 } from './0255-generation-billing-unknown';
import { migration0256 } from './0256-run-allow-cache';
import { migration0257 } from './0257-rollback-notices';
import { migration0258 } from './0258-model-prices';
import { migration0261 } from './0261-model-price-history';
import { migration0262 } from './0262-unconfirmed-commits';

/** Every migration, in order. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  migration0010,
  migration0020,
  migration0030,
  migration0040,
  migration0050,
  migration0060,
  migration0070,
  migration0080,
  migration0090,
  migration0100,
  migration0110,
  migration0120,
  migration0130,
  migration0140,
  migration0150,
  migration0220,
  migration0240,
  migration0241,
  migration0255,
  migration0256,
  migration0257,
  migration0258,
  migration0261,
  migration0262,
];
