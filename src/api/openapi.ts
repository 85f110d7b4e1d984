/**
 * The REST API described: the OpenAPI 3.1 document, generated from the very zod schemas
 * the routes validate with (./schemas.ts, through zod's own `z.toJSONSchema`), and a
 * plain reference page drawn from the same table.
 */
import { z } from 'zod';
import { html, type Html } from '../web/html.js';
import { documentOf } from '../web/page.js';
import { IDEMPOTENCY_HOURS } from './idempotency.js';
import { API_ROUTES, type ApiRoute, apiError } from './schemas.js';

/** What the document says of one parameter. */
interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required: boolean;
  description?: string;
  schema: Record<string, unknown>;
}

/** The parameters of an object schema: a field that accepts nothing is required. */
function parametersOf(schema: z.ZodObject, where: Parameter['in']): Parameter[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const type = field as z.ZodType;
    const { description, ...json } = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete json['$schema'];
    return { name, in: where, required: !type.safeParse(undefined).success, ...(typeof description === 'string' ? { description } : {}), schema: json };
  });
}

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return json;
}

const ERRORS: Record<string, string> = {
  '400': 'A parameter is malformed',
  '401': 'No key, or a key that is unknown or revoked',
  '403': 'The key lacks the scope',
  '404': "Not there, or outside the key's region",
  '429': 'Too many requests for this key: retry after the retry-after header',
};

/** What a POST may carry to be sent again safely (./idempotency.ts). */
const IDEMPOTENCY_KEY: Parameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: `Any unique text (a UUID): the same request sent again with it within ${IDEMPOTENCY_HOURS} hours gets the first answer again, marked Idempotent-Replayed: true`,
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

/** The errors of a POST beyond every route's. */
const POST_ERRORS: Record<string, string> = {
  '409': 'A request with this Idempotency-Key is still being handled',
  '422': 'This Idempotency-Key was used with another request',
};

function parametersOfRoute(route: ApiRoute): Parameter[] {
  return [...(route.pathParams ? parametersOf(route.pathParams, 'path') : []), ...parametersOf(route.query, 'query'), ...(route.body ? [IDEMPOTENCY_KEY] : [])];
}

/** The OpenAPI 3.1 document of the API. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  for (const [name, route] of Object.entries(API_ROUTES) as [string, ApiRoute][]) {
    const ok = route.answer ? { description: 'OK', content: { 'application/json': { schema: jsonSchemaOf(route.answer) } } } : { description: 'OK' };
    const body = route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(route.body, 'input'), example: route.example } } } } : {};
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: {
        operationId: name,
        summary: route.summary,
        ...(route.scope ? { security: [{ bearer: [] }, { apiKey: [] }], 'x-scope': route.scope } : { security: [] }),
        parameters: parametersOfRoute(route),
        ...body,
        responses: {
          [String(route.success ?? 200)]: ok,
          ...Object.fromEntries(
            Object.entries({ ...ERRORS, ...(route.body ? POST_ERRORS : {}), ...route.errors }).map(([status, description]) => [status, { description, ...error }]),
          ),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '民情 Minqing REST API',
      version: '1',
      description:
        "Tickets, figures and regions for other systems. A key (npm run apikey -- create --scope read [--region CODE]) reads its region's tickets as the console shows them to staff, scrubbed; a key without a region reads only what the public board publishes. Internal staff notes never leave. A write key (--scope write --as USERNAME) takes the console's actions as that console user, never beyond what they may do there, and each event names the key.",
    },
    paths,
    components: {
      schemas: { Error: jsonSchemaOf(apiError) },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer KEY' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
    },
  };
}

function parameterRows(route: ApiRoute): Html {
  const parameters = parametersOfRoute(route);
  if (!parameters.length) return html`<p>无参数 No parameters.</p>`;
  return html`<table>
<thead><tr><th>参数 Parameter</th><th>位置 In</th><th>必填 Required</th><th>说明 Description</th></tr></thead>
<tbody>${parameters.map((p) => html`<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${p.required ? '是 yes' : '否 no'}</td><td>${p.description ?? ''}</td></tr>`)}</tbody>
</table>`;
}

type ObjectSchema = { properties?: Record<string, { const?: string }>; description?: string; required?: string[] };

/** An object's fields, the required ones marked with *. */
function fieldsOf(schema: ObjectSchema, except = ''): string {
  const required = new Set(schema.required ?? []);
  const names = Object.keys(schema.properties ?? {}).filter((name) => name !== except);
  return names.map((name) => (required.has(name) ? `${name}*` : name)).join(', ') || '—';
}

/** What a body holds: its fields, or for a body of variants (the actions) each variant's. */
function bodyFields(body: z.ZodType): string {
  const json = jsonSchemaOf(body, 'input');
  const variants = (json['oneOf'] ?? json['anyOf']) as ObjectSchema[] | undefined;
  if (!variants) return fieldsOf(json);
  return variants.map((v) => `action ${v.properties?.['action']?.const ?? '?'}（${v.description ?? ''}：${fieldsOf(v, 'action')}）`).join(' · ');
}

/** The reference page: every route with its scope and parameters, no script, no CDN. */
export function docsPage(): string {
  const routes = Object.values(API_ROUTES) as ApiRoute[];
  const body = html`<main>
<h1>民情 REST API 参考 Minqing REST API reference</h1>
<p>用密钥访问：请求头 <code>Authorization: Bearer KEY</code> 或 <code>X-Api-Key: KEY</code>。密钥由县级管理员用 <code>npm run apikey -- create</code> 发放。
Send a key as <code>Authorization: Bearer KEY</code> or <code>X-Api-Key: KEY</code>; keys are issued with <code>npm run apikey -- create</code>.</p>
<p>有地区的密钥可读该地区的诉求（已脱敏）；没有地区的密钥只能读公开栏公布的诉求。内部备注从不输出。
A key with a region reads that region's tickets, scrubbed; a key without one reads only what the public board publishes. Internal staff notes never leave.</p>
<p>可写的密钥（<code>--scope write --as 用户名</code>）代表一名控制台用户办理诉求，权限与其在控制台中相同，不会更多；每条记录注明所用密钥。
A write key (<code>--scope write --as USERNAME</code>) acts as one console user, with exactly what that user may do in the console; each event names the key.</p>
<p>错误 Errors: 400 参数或请求体有误 bad parameter or body · 401 无效密钥 no or bad key · 403 权限不足 missing scope, or the user may not · 409 当前状态不允许 the state does not allow it · 404 不存在或不在本地区 not there or outside the key's region · 429 请求过多 too many requests.
机器可读文档 Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
${routes.map(
  (r) => html`<section>
<h2><code>${r.method.toUpperCase()} ${r.path}</code></h2>
<p>${r.summary}. 权限 Scope: ${r.scope ? html`<code>${r.scope}</code>` : '无需密钥 none'}</p>
${parameterRows(r)}
${r.body ? html`<p>请求体 JSON body（* 必填 required）: ${bodyFields(r.body)}</p><p>例 e.g.:</p><pre>${JSON.stringify(r.example, null, 2)}</pre>` : ''}
</section>`,
)}
</main>`;
  return documentOf('民情 REST API', body, '/public/style.css');
}
