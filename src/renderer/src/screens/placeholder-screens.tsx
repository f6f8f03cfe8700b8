/** The Rollout section's screen lives in rollout/; this module keeps the app shell's import. */
export { RolloutScreen } from '../rollout/rollout-screen';
