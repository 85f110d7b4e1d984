/** Where the public board lives: known at start, its pages loaded on its first request (src/web/routes.ts). */
export const BOARD_PATH = '/public';
