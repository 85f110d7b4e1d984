/**
 * docs/flows.md, drawn from the flows themselves: for each flow, what starts it (typed
 * words, a menu button, a ticket button) and a Mermaid state diagram of its steps and the moves each
 * declares (Step.next, ends, starts). `npm run flows` writes it; `--check` fails when the
 * file no longer matches the code.
 */
import type { Flow } from './flow.js';
import type { FlowSet } from './flows.js';
import { render } from './i18n.js';

/** A Mermaid state name for another flow a step hands over to. */
const handOver = (flowId: string) => `to_${flowId}`;

/** One flow's section: a heading, its entries, its diagram. */
function flowSection(flow: Flow): string {
  const lines = [`## ${flow.id}`, ''];
  for (const entry of flow.entries) {
    const ways = [
      entry.words ? `typed \`${entry.words.source}\`` : null,
      entry.menu ? `menu button 「${render('zh', entry.menu.label)}」 / "${render('en', entry.menu.label)}" (\`menu:${entry.name}\`)` : null,
    ].filter((w) => w !== null);
    lines.push(`- Started by ${ways.join(' or ')}, with \`${JSON.stringify(entry.data)}\`.`);
  }
  for (const button of flow.buttons) {
    lines.push(`- Opened by the ticket button \`${button.verb}:<number>\`${button.guarded === false ? '' : " (for the ticket's resident or handler only)"}.`);
  }
  if (!flow.entries.length && !flow.buttons.length) lines.push('- Started by other flows only.');
  if (!flow.expires) lines.push('- Does not start over when the chat falls silent.');
  lines.push('', '```mermaid', 'stateDiagram-v2', `  [*] --> ${flow.first}`);
  const handedTo = new Set<string>();
  for (const [id, step] of Object.entries(flow.steps)) {
    if (typeof step.takes === 'function') lines.push(`  ${id}: ${id} (takes choices only or a text, as its question asks)`);
    else if (step.takes && step.takes !== 'text') lines.push(`  ${id}: ${id} (takes ${step.takes === 'choice' ? 'choices only' : 'a view, words are a new request'})`);
    for (const next of step.next ?? []) lines.push(`  ${id} --> ${next}`);
    for (const target of step.starts ?? []) {
      handedTo.add(target);
      lines.push(`  ${id} --> ${handOver(target)}`);
    }
    if (step.ends) lines.push(`  ${id} --> [*]`);
  }
  for (const target of handedTo) lines.push(`  state "flow ${target}" as ${handOver(target)}`);
  lines.push('```', '');
  return lines.join('\n');
}

/** The whole of docs/flows.md. */
export function flowsMarkdown(flows: FlowSet): string {
  return [
    '# Flows',
    '',
    '<!-- Written by `npm run flows` from flows/ (src/engine/flow-diagram.ts); CI fails when it is stale. Do not edit by hand. -->',
    '',
    'Each flow as its code declares it: what starts it from anywhere, and its steps with the moves each may make',
    '(`[*]` at the end: the flow is finished and the main menu follows). Global commands (取消, 返回, 帮助, 菜单) work at',
    'every step, as typed or with punctuation and polite words around them (src/engine/choices.ts, commandForms);',
    'an answer that is not taken keeps the step.',
    '',
    ...[...flows.byId.values()].map(flowSection),
  ].join('\n');
}
