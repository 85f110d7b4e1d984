/** Where the Open311 interface lives: known at start, its routes loaded on its first request (src/web/routes.ts). */
export const OPEN311_PATH = '/open311';
