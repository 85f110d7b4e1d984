/**
 * A handler for the paths under one root whose module is imported on the first request
 * there, not at start: a serving process holds the console's code once staff open it, and
 * the REST API's and Open311's once another system calls them (README, "Memory").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { onFirstUse } from '../on-first-use.js';

/** Answers a request under its root, or false for any other path. */
export type PathHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** The handler `load` makes, made once, on the first request at `root` or below it. */
export function onFirstRequest(root: string, load: () => Promise<PathHandler>): PathHandler {
  const handler = onFirstUse(load);
  return async (req, res, url) => {
    if (url.pathname !== root && !url.pathname.startsWith(`${root}/`)) return false;
    return (await handler())(req, res, url);
  };
}
