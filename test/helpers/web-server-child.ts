/**
 * The web server alone (the chat page, its webhook and uploads; no app behind it), run by
 * tsx as a child process so that a test can read its log lines and measure it from
 * outside. Its HTTP limits come from the environment (the HTTP_* settings, see
 * src/config.ts). Prints `{"listening":PORT}` on stdout once it listens; stops on SIGTERM.
 *
 *   LOG_LEVEL=debug HTTP_HEADERS_TIMEOUT_SECONDS=2 … tsx test/helpers/web-server-child.ts UPLOAD_DIR
 */
import { createWebAdapter } from '../../bots/web/web-adapter.js';
import { parseConfig } from '../../src/config.js';
import { httpLimitsFrom } from '../../src/web/server.js';

const config = parseConfig(process.env);
const web = createWebAdapter({
  port: 0,
  host: '127.0.0.1',
  database: () => undefined,
  uploadDir: process.argv[2] ?? 'uploads',
  http: httpLimitsFrom(config),
});
await web.start(() => Promise.resolve());
process.stdout.write(`${JSON.stringify({ listening: web.port })}\n`);
process.once('SIGTERM', () => {
  void web.stop().then(() => process.exit(0));
});
