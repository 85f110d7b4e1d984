/**
 * The REST API described: the OpenAPI 3.1 document, generated from the very zod schemas
 * the routes validate with (./schemas.ts, through zod's own `z.toJSONSchema`), and a
 * plain reference page drawn from the same table.
 */
import { z } from 'zod';
import { html } from '../web/html.js';
import { documentOf } from '../web/page.js';
import { API_ROUTES, apiError } from './schemas.js';
/** The parameters of an object schema: a field that accepts nothing is required. */
function parametersOf(schema, where) {
    return Object.entries(schema.shape).map(([name, field]) => {
        const type = field;
        const { description, ...json } = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' });
        delete json['$schema'];
        return { name, in: where, required: !type.safeParse(undefined).success, ...(typeof description === 'string' ? { description } : {}), schema: json };
    });
}
function jsonSchemaOf(schema) {
    const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'output' });
    return json;
}
const ERRORS = {
    '400': 'A parameter is malformed',
    '401': 'No key, or a key that is unknown or revoked',
    '403': 'The key lacks the scope',
    '404': "Not there, or outside the key's region",
    '429': 'Too many requests for this key: retry after the retry-after header',
};
function parametersOfRoute(route) {
    return [...(route.pathParams ? parametersOf(route.pathParams, 'path') : []), ...parametersOf(route.query, 'query')];
}
/** The OpenAPI 3.1 document of the API. */
export function openApiDocument() {
    const paths = {};
    const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    for (const [name, route] of Object.entries(API_ROUTES)) {
        const ok = route.answer ? { description: 'OK', content: { 'application/json': { schema: jsonSchemaOf(route.answer) } } } : { description: 'OK' };
        paths[route.path] = {
            ...paths[route.path],
            [route.method]: {
                operationId: name,
                summary: route.summary,
                ...(route.scope ? { security: [{ bearer: [] }, { apiKey: [] }], 'x-scope': route.scope } : { security: [] }),
                parameters: parametersOfRoute(route),
                responses: {
                    '200': ok,
                    ...Object.fromEntries(Object.entries(ERRORS).map(([status, description]) => [status, { description, ...error }])),
                },
            },
        };
    }
    return {
        openapi: '3.1.0',
        info: {
            title: '民情 Minqing REST API',
            version: '1',
            description: "Tickets, figures and regions for other systems. A key (npm run apikey -- create --scope read [--region CODE]) reads its region's tickets as the console shows them to staff, scrubbed; a key without a region reads only what the public board publishes. Internal staff notes never leave.",
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
function parameterRows(route) {
    const parameters = parametersOfRoute(route);
    if (!parameters.length)
        return html `<p>无参数 No parameters.</p>`;
    return html `<table>
<thead><tr><th>参数 Parameter</th><th>位置 In</th><th>必填 Required</th><th>说明 Description</th></tr></thead>
<tbody>${parameters.map((p) => html `<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${p.required ? '是 yes' : '否 no'}</td><td>${p.description ?? ''}</td></tr>`)}</tbody>
</table>`;
}
/** The reference page: every route with its scope and parameters, no script, no CDN. */
export function docsPage() {
    const routes = Object.values(API_ROUTES);
    const body = html `<main>
<h1>民情 REST API 参考 Minqing REST API reference</h1>
<p>用密钥访问：请求头 <code>Authorization: Bearer KEY</code> 或 <code>X-Api-Key: KEY</code>。密钥由县级管理员用 <code>npm run apikey -- create</code> 发放。
Send a key as <code>Authorization: Bearer KEY</code> or <code>X-Api-Key: KEY</code>; keys are issued with <code>npm run apikey -- create</code>.</p>
<p>有地区的密钥可读该地区的诉求（已脱敏）；没有地区的密钥只能读公开栏公布的诉求。内部备注从不输出。
A key with a region reads that region's tickets, scrubbed; a key without one reads only what the public board publishes. Internal staff notes never leave.</p>
<p>错误 Errors: 401 无效密钥 no or bad key · 403 权限不足 missing scope · 404 不存在或不在本地区 not there or outside the key's region · 429 请求过多 too many requests.
机器可读文档 Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
${routes.map((r) => html `<section>
<h2><code>${r.method.toUpperCase()} ${r.path}</code></h2>
<p>${r.summary}. 权限 Scope: ${r.scope ? html `<code>${r.scope}</code>` : '无需密钥 none'}</p>
${parameterRows(r)}
</section>`)}
</main>`;
    return documentOf('民情 REST API', body, '/public/style.css');
}
