/**
 * What a console section's handler (每月一题, 台账, 帮扶, 调解) gets of a logged-in
 * request: the request and the user's reach, and the router's page, not-found and
 * checked-form helpers, so that a section lives in its own files with one hook in the router.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../../db/client.js';
import type { Html } from '../html.js';
import type { FormWithFiles } from '../multipart.js';
import type { StaffScope } from './scope.js';
import type { RegionNode } from '../../org/regions.js';

export interface SectionRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  db: Db;
  scope: StaffScope;
  regions: Map<number, RegionNode>;
  now: Date;
  /** The session's CSRF token, for the section's forms. */
  csrf: string;
  /** Sends a console page with the section's navigation item marked. */
  page(status: number, title: string, body: Html): void;
  notFound(): void;
  /** The POSTed form if it is ours (CSRF), else null with the refusal sent. */
  checkedForm(): Promise<URLSearchParams | null>;
  /** The same for a form with files (multipart), its body read up to `limit` bytes (src/web/multipart.ts). */
  checkedUpload(limit: number): Promise<FormWithFiles | null>;
}
