import type { Migration } from '../migrations';
import { migration0010 } from './0010-initial';

/** Every migration, in order. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [migration0010];
