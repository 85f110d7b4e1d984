/** Where the REST API lives: known at start, its routes loaded on its first request (src/web/routes.ts). */
export const API_PATH = '/api/v1';
