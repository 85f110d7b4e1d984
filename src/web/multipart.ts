/**
 * A form with a file input (`multipart/form-data`), as the console's 受理登记 posts its
 * photos. Parsed by Node's own fetch implementation (`Response#formData`, undici, which
 * Node ships): no parsing library of our own to keep.
 *
 * The body is read up to `limit` bytes. A larger one is not thrown away whole: the parts
 * that arrived complete within the limit are kept and `truncated` says the rest was cut.
 * A form that puts its file input last so keeps everything typed into it, and its CSRF
 * token, when the photos together are too large.
 */
import type { IncomingMessage } from 'node:http';
import { readBody, readForm, withoutControlCharacters } from './http.js';

/** A file of the form: the field it came in, the name the browser gave it, its bytes. */
export interface PostedFile {
  field: string;
  name: string;
  bytes: Buffer;
}

/** The form's text fields (as `readForm` gives them: without control characters), its non-empty files, and whether the body was cut at the limit. */
export interface FormWithFiles {
  form: URLSearchParams;
  files: PostedFile[];
  truncated: boolean;
}

/** The boundary of a `multipart/form-data` content type, or null when it is no such type. */
function boundaryOf(contentType: string): string | null {
  const [type, ...params] = contentType.split(';').map((part) => part.trim());
  if (type?.toLowerCase() !== 'multipart/form-data') return null;
  for (const param of params) {
    const match = /^boundary=(?:"([^"]{1,70})"|([^\s";]{1,70}))$/i.exec(param);
    if (match) return match[1] ?? match[2] ?? null;
  }
  return null;
}

/** The body cut after its last complete part, closed as a whole body is. */
function wholeParts(prefix: Buffer, boundary: string): Buffer {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const end = prefix.lastIndexOf(delimiter);
  if (end < 0) return Buffer.from(`--${boundary}--\r\n`);
  return Buffer.concat([prefix.subarray(0, end), Buffer.from(`\r\n--${boundary}--\r\n`)]);
}

/**
 * A form that may carry files: a `multipart/form-data` body of at most `limit` bytes (see
 * above for a larger one), or a plain url-encoded form (no files). Null when the request
 * is neither or its body cannot be read as one.
 */
export async function readFormWithFiles(req: IncomingMessage, limit: number): Promise<FormWithFiles | null> {
  const boundary = boundaryOf(req.headers['content-type'] ?? '');
  if (!boundary) {
    const form = await readForm(req);
    return form && { form, files: [], truncated: false };
  }
  const body = await readBody(req, limit, { keepPrefix: true });
  const bytes = body.ok ? body.bytes : wholeParts(body.prefix, boundary);
  let parsed: FormData;
  try {
    parsed = await new Response(bytes, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }).formData();
  } catch {
    return null;
  }
  const fields = new URLSearchParams();
  const files: PostedFile[] = [];
  for (const [field, value] of parsed) {
    if (typeof value === 'string') fields.append(field, value);
    // An empty file input still sends a part, with no name and no bytes.
    else if (value.size > 0) files.push({ field, name: value.name, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return { form: withoutControlCharacters(fields), files, truncated: !body.ok };
}
