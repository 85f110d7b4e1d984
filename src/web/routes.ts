/**
 * The pages the web server serves besides the web chat: the staff console at
 * `/console` and the public board at `/public`, with their stylesheet, and Open311 at
 * `/open311` (src/open311) and the REST API at `/api/v1` (src/api). The web chat's adapter owns the server and hands every
 * request here first (`routes`); what is not ours answers false and goes on to the chat.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { logger } from '../log.js';
import { bi } from './html.js';
import { PAGE_HEADERS, RequestAborted, sendHtml } from './http.js';
import { noteAborted } from './server.js';
import type { ConsoleApp } from './console/router.js';
import { CONSOLE_PATHS, messagePage } from './console/layout.js';
import { ICON_PATHS, ICON_SVG, STYLESHEET_PATHS } from './page.js';
import { BOARD_PATH } from './board-path.js';
import { projectPath } from '../paths.js';
import { type MediationSettings, mediationRulesOf } from '../mediation/transitions.js';
import { OPEN311_PATH } from '../open311/path.js';
import { API_PATH } from '../api/path.js';
import { onFirstRequest } from './on-first-request.js';

const log = logger('web-pages');

/** A request handler that may decline a request (false: not one of its paths). */
export type Routes = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const STYLESHEET = readFileSync(projectPath('src', 'web', 'assets', 'console.css'));

export interface WebRoutesOptions {
  /** The running app, or undefined while it starts. */
  app: () => ConsoleApp | undefined;
  config: Pick<
    Config,
    | 'CONSOLE_SESSION_IDLE_MINUTES'
    | 'CONSOLE_LOGIN_MAX_FAILURES'
    | 'CONSOLE_LOGIN_USER_CEILING'
    | 'CONSOLE_LOGIN_WINDOW_MINUTES'
    | 'TRUST_PROXY'
    | 'OPEN311_REQUESTS_PER_MINUTE'
    | MediationSettings
  >;
  /** The web chat's upload folder, where the console stores the photos posted with 受理登记 (default data/uploads). */
  uploadDir?: string;
}

/** The console, the public board and their stylesheet, and Open311, as one handler. */
export function createWebRoutes(options: WebRoutesOptions): Routes {
  const serveConsole = onFirstRequest(CONSOLE_PATHS.root, async () =>
    (await import('./console/router.js')).createConsole({
      app: options.app,
      sessionIdleMinutes: options.config.CONSOLE_SESSION_IDLE_MINUTES,
      loginMaxFailures: options.config.CONSOLE_LOGIN_MAX_FAILURES,
      loginUserCeiling: options.config.CONSOLE_LOGIN_USER_CEILING,
      loginWindowMinutes: options.config.CONSOLE_LOGIN_WINDOW_MINUTES,
      trustProxy: options.config.TRUST_PROXY,
      mediationRules: mediationRulesOf(options.config),
      uploadDir: options.uploadDir,
    }),
  );
  const interfaceOptions = { app: options.app, trustProxy: options.config.TRUST_PROXY, requestsPerMinute: options.config.OPEN311_REQUESTS_PER_MINUTE };
  const serveOpen311 = onFirstRequest(OPEN311_PATH, async () => (await import('../open311/routes.js')).createOpen311(interfaceOptions));
  const serveRestApi = onFirstRequest(API_PATH, async () => (await import('../api/routes.js')).createRestApi(interfaceOptions));
  // The board's pages (with the statistics, the ranking and the boards of themes, assistance and the ledger they show) load on its first request.
  const serveBoard = onFirstRequest(BOARD_PATH, async () => {
    const { servePublicBoard } = await import('./public-board.js');
    return async (req, res, url) => {
      const app = options.app();
      if (app) return servePublicBoard(req, res, app.database.db, url, app.pipeline.clock.now());
      req.resume();
      sendHtml(res, 503, messagePage({ zh: '正在启动', en: 'Starting' }, bi('系统正在启动，请稍后刷新。', 'Minqing is starting; reload in a moment.'), null), {
        'retry-after': '5',
      });
      return true;
    };
  });
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if ((STYLESHEET_PATHS as readonly string[]).includes(url.pathname) && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache', ...PAGE_HEADERS });
      res.end(STYLESHEET);
      return true;
    }
    if ((ICON_PATHS as readonly string[]).includes(url.pathname) && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400', ...PAGE_HEADERS });
      res.end(ICON_SVG);
      return true;
    }
    try {
      if (await serveConsole(req, res, url)) return true;
      if (await serveOpen311(req, res, url)) return true;
      if (await serveRestApi(req, res, url)) return true;
      return await serveBoard(req, res, url);
    } catch (error) {
      if (error instanceof RequestAborted) {
        noteAborted(req.socket, 'request aborted by the client', { path: url.pathname });
        return true;
      }
      log.error({ err: error, path: url.pathname }, 'page failed');
      if (!res.headersSent) {
        sendHtml(res, 500, messagePage({ zh: '出错了', en: 'Something went wrong' }, bi('请稍后再试；问题已记录。', 'Please try again later; the problem was logged.'), null));
      } else {
        res.destroy();
      }
      return true;
    }
  };
}
