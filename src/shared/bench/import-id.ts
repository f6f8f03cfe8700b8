/**
 * The renderer's name for one run bundle import, so it shows only its own import's progress
 * events. It travels in an upload's query string, so: letters, digits and dashes. No zod here:
 * the browser server checks it before the contract's schemas are loaded.
 */
export const IMPORT_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;
export const IMPORT_ID_RULE = 'must be 1 to 64 letters, digits or dashes';
