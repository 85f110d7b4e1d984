/**
 * `npm run apikey -- create --name NAME [--region CODE] [--scope SCOPE]…`: makes a key for
 * another system (Open311, the REST API) and prints it as the last line of the output,
 * once: only its hash is kept. `--scope` may repeat or list scopes with commas; the
 * default is open311:write. A `write` key acts as a console user, `--as USERNAME` (required
 * for it): with that person's roles and regions, never more.
 * `npm run apikey -- list`: every key with its region, scopes, who it acts as and dates (never the key).
 * `npm run apikey -- revoke NAME`: the key is refused from then on.
 */
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { API_SCOPES, createApiKey, listApiKeys, revokeApiKey } from '../open311/keys.js';
import { formatLocal } from '../web/format.js';
import { commaList, parseCommandLine, runCli, withDatabase } from './run-cli.js';

const USAGE = `usage: npm run apikey -- create --name NAME [--region CODE] [--scope ${API_SCOPES.join('|')}] [--as USERNAME (required with write)] | list | revoke NAME`;

/** The command and its options, or a ConfigError with the usage. */
function parse(): { command: 'create' | 'list' | 'revoke'; name?: string; region?: string; actsAs?: string; scopes: string[] } {
  const { command, operands, values, optionless } = parseCommandLine(
    { name: { type: 'string' }, region: { type: 'string' }, scope: { type: 'string', multiple: true }, as: { type: 'string' } },
    USAGE,
  );
  const scopes = commaList(values.scope ?? ['open311:write']);
  if (command === 'create' && values.name && !operands.length) {
    return { command, name: values.name, ...(values.region === undefined ? {} : { region: values.region }), ...(values.as === undefined ? {} : { actsAs: values.as }), scopes };
  }
  if (command === 'list' && !operands.length && optionless) return { command, scopes };
  if (command === 'revoke' && operands.length === 1 && optionless) return { command, name: operands[0]!, scopes };
  throw new ConfigError([USAGE]);
}

await runCli(async () => {
  const args = parse();
  return withDatabase(loadConfig().DATABASE_URL, async ({ db }) => {
    if (args.command === 'create') {
      const input = {
        name: args.name!,
        ...(args.region === undefined ? {} : { regionCode: args.region }),
        ...(args.actsAs === undefined ? {} : { actsAs: args.actsAs }),
        scopes: args.scopes,
      };
      const { key, record } = await createApiKey(db, input, new Date());
      const actsAs = record.actsAsUsername ? `；代表 ${record.actsAsUsername}` : '';
      console.log(`已创建密钥 ${record.name}（权限 ${record.scopes.join(', ')}；地区 ${record.regionName ?? '无'}${actsAs}）。密钥只显示这一次，请妥善保存：`);
      console.log(
        `key ${record.name} created (scopes ${record.scopes.join(', ')}; region ${record.regionCode ?? 'none'}${record.actsAsUsername ? `; acts as ${record.actsAsUsername}` : ''}). It is shown this once; keep it safe:`,
      );
      console.log(key);
    } else if (args.command === 'list') {
      const keys = await listApiKeys(db);
      if (!keys.length) console.log('没有密钥 no keys');
      for (const k of keys) {
        const state = k.revokedAt ? `已吊销 revoked ${formatLocal(k.revokedAt)}` : '有效 live';
        console.log(
          [
            k.name,
            k.scopes.join(','),
            k.regionCode ?? '-',
            `acts as ${k.actsAsUsername ?? '-'}`,
            `created ${formatLocal(k.createdAt)}`,
            `last used ${k.lastUsedAt ? formatLocal(k.lastUsedAt) : '-'}`,
            state,
          ].join('\t'),
        );
      }
    } else {
      await revokeApiKey(db, args.name!, new Date());
      console.log(`已吊销密钥 ${args.name}。 key ${args.name} revoked.`);
    }
    return 0;
  });
});
