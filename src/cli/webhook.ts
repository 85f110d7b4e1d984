/**
 * `npm run webhook -- create --name NAME --url URL --events a,b [--region CODE]`: registers
 * a webhook subscriber and prints its signing secret as the last line of the output,
 * once (the console shows it once too). Events: ticket.created, ticket.state_changed,
 * ticket.rated. Without a region it hears of what the public board shows.
 * `npm run webhook -- list`: every subscriber with its events, region and state.
 * `npm run webhook -- pause NAME` / `resume NAME`: nothing is sent while paused (events
 * still queue); resuming sends them, in order, from the first not delivered.
 * `npm run webhook -- delete NAME`: the subscriber and its delivery log are gone.
 */
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { formatLocal } from '../web/format.js';
import { createSubscriber, deleteSubscriberNamed, listSubscribers, pauseSubscriberNamed, resumeSubscriberNamed, WEBHOOK_EVENTS } from '../webhooks/subscribers.js';
import { commaList, parseCommandLine, runCli, withDatabase } from './run-cli.js';

const USAGE = `usage: npm run webhook -- create --name NAME --url URL --events ${WEBHOOK_EVENTS.join(',')} [--region CODE] | list | pause NAME | resume NAME | delete NAME`;

type Command = 'create' | 'list' | 'pause' | 'resume' | 'delete';

/** The command and its options, or a ConfigError with the usage. */
function parse(): { command: Command; name?: string; url?: string; events: string[]; region?: string } {
  const { command, operands, values, optionless } = parseCommandLine(
    { name: { type: 'string' }, url: { type: 'string' }, events: { type: 'string', multiple: true }, region: { type: 'string' } },
    USAGE,
  );
  const events = commaList(values.events ?? []);
  if (command === 'create' && values.name && values.url && events.length && !operands.length) {
    return { command, name: values.name, url: values.url, events, ...(values.region === undefined ? {} : { region: values.region }) };
  }
  if (command === 'list' && !operands.length && optionless) return { command, events };
  if ((command === 'pause' || command === 'resume' || command === 'delete') && operands.length === 1 && optionless) return { command, name: operands[0]!, events };
  throw new ConfigError([USAGE]);
}

await runCli(async () => {
  const args = parse();
  return withDatabase(loadConfig().DATABASE_URL, async ({ db }) => {
    const now = new Date();
    if (args.command === 'create') {
      const input = { name: args.name!, url: args.url!, events: args.events, ...(args.region === undefined ? {} : { regionCode: args.region }) };
      const { secret, record } = await createSubscriber(db, input, now);
      console.log(
        `已创建推送订阅 ${record.name}（${record.url}；事件 ${record.events.join(', ')}；地区 ${record.regionName ?? '无（仅公开看板的工单）'}）。签名密钥只显示这一次，请妥善保存：`,
      );
      console.log(
        `webhook subscriber ${record.name} created (${record.url}; events ${record.events.join(', ')}; region ${record.regionCode ?? 'none: the public board only'}). Its signing secret is shown this once; keep it safe:`,
      );
      console.log(secret);
    } else if (args.command === 'list') {
      const subscribers = await listSubscribers(db);
      if (!subscribers.length) console.log('没有推送订阅 no webhook subscribers');
      for (const s of subscribers) {
        const state = s.pausedAt
          ? `已暂停 paused ${formatLocal(s.pausedAt)} (${s.pauseReason ?? '-'})`
          : s.failingSince
            ? `失败中 failing since ${formatLocal(s.failingSince)}`
            : '运行 active';
        console.log([s.name, s.url, s.events.join(','), s.regionCode ?? '-', `created ${formatLocal(s.createdAt)}`, state].join('\t'));
      }
    } else if (args.command === 'pause') {
      await pauseSubscriberNamed(db, args.name!, now);
      console.log(`已暂停推送订阅 ${args.name}。 webhook subscriber ${args.name} paused.`);
    } else if (args.command === 'resume') {
      await resumeSubscriberNamed(db, args.name!, now);
      console.log(`已恢复推送订阅 ${args.name}，从未送达的第一条起补发。 webhook subscriber ${args.name} resumed: sending from its first undelivered event.`);
    } else {
      await deleteSubscriberNamed(db, args.name!);
      console.log(`已删除推送订阅 ${args.name}。 webhook subscriber ${args.name} deleted.`);
    }
    return 0;
  });
});
