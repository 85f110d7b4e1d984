/**
 * The page of 受理登记 in the console: find the resident in the roster (or enter a new
 * one), how the request came in, what and where, and 当场办结 for a matter settled on
 * the spot, and photos (the file input is last, so that what was typed survives photos too
 * large together). Plain forms, no script: the category suggestion is a server round-trip.
 */
import { type IntakeErrors, RECEIPT_CHANNELS, type ResidentHit } from '../../intake/intake.js';
import { channelName } from '../../stats/channels.js';
import { MAX_MEDIA } from '../../engine/media.js';
import { bi, type Html, html } from '../html.js';
import { mediaLinks } from '../media.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { type Option, select } from './queue-page.js';

/** The form as typed: what comes back after a refusal or a suggestion, unchanged. */
export interface IntakeFormValues {
  /** The search words of the resident lookup. */
  q: string;
  /** A person id of the search, or "new". */
  resident: string;
  name: string;
  phone: string;
  region: string;
  channel: string;
  category: string;
  description: string;
  location: string;
  urgent: boolean;
  settled: boolean;
  result: string;
  /** Photos posted already (stored uploads), carried by the form until it registers. */
  photos: string[];
}

export const EMPTY_INTAKE_FORM: IntakeFormValues = {
  q: '',
  resident: '',
  name: '',
  phone: '',
  region: '',
  channel: 'station',
  category: '',
  description: '',
  location: '',
  urgent: false,
  settled: false,
  result: '',
  photos: [],
};

function fieldError(errors: IntakeErrors, field: keyof IntakeErrors): Html | string {
  const message = errors[field];
  return message ? html`<span class="field-error" role="alert">${message}</span>` : '';
}

function hitLabel(hit: ResidentHit): string {
  return [hit.name, hit.phone, hit.household, hit.village].filter((part): part is string => !!part).join(' · ');
}

/** The whole page: the search, then the registration form. */
export function intakeBody(input: {
  form: IntakeFormValues;
  hits: ResidentHit[] | null;
  villages: Option[];
  categories: Option[];
  csrf: string;
  errors: IntakeErrors;
  /** The number just registered (and whether it was settled on the spot). */
  done?: { number: string; settled: boolean };
  /** The matcher's suggestion for the description, after 建议类别; null when it was unsure. */
  suggested?: string | null;
}): Html {
  const { form, errors } = input;
  const hits = input.hits ?? [];
  return html`<section class="intake">
<h1>${bi('受理登记', 'Register a request')}</h1>
<p class="hint">${bi('为来访、来电、来信或走访的群众登记诉求：与群众在聊天中反映的一样派单、计时和回访。', 'For a resident who came in, phoned, wrote or was visited: dispatched, timed and called back like a chat report.')}</p>
${input.done ? notice('ok', html`${input.done.settled ? bi('已登记并当场办结', 'Registered and settled on the spot') : bi('已登记', 'Registered')}：<a href="${CONSOLE_PATHS.tickets}/${input.done.number}">${input.done.number}</a>`) : ''}
${Object.keys(errors).length ? notice('error', bi('请更正下面标出的内容。', 'Please correct what is marked below.')) : ''}
<form method="get" action="${CONSOLE_PATHS.intake}" class="filters intake-search" role="search">
<label class="grow">${bi('查找群众（姓名、电话或户号）', 'Find the resident (name, phone or household code)')}<input name="q" value="${form.q}" maxlength="40"></label>
<div class="buttons"><button type="submit">${bi('查找', 'Search')}</button></div>
</form>
<form method="post" action="${CONSOLE_PATHS.intake}" enctype="multipart/form-data" class="compose intake-form">
${csrfField(input.csrf)}
<input type="hidden" name="q" value="${form.q}">
<fieldset class="intake-resident"><legend>${bi('群众', 'Resident')}</legend>
${fieldError(errors, 'resident')}
${input.hits !== null && !hits.length ? html`<p class="empty">${bi('名册中没有找到，可登记为新群众。', 'Not in the roster: register a new resident.')}</p>` : ''}
${hits.map(
  (hit) =>
    html`<label class="check"><input type="radio" name="resident" value="${hit.personId}"${form.resident === String(hit.personId) ? html` checked` : ''}> ${hitLabel(hit)}</label>`,
)}
<label class="check"><input type="radio" name="resident" value="new"${form.resident === 'new' || (!hits.length && form.resident === '') ? html` checked` : ''}> ${bi('新群众（不在名册中）', 'A new resident (not in the roster)')}</label>
<label>${bi('姓名', 'Name')}<input name="name" maxlength="40" value="${form.name}"></label>${fieldError(errors, 'name')}
<label>${bi('电话', 'Phone')}<input name="phone" maxlength="20" inputmode="tel" value="${form.phone}"></label>${fieldError(errors, 'phone')}
</fieldset>
<fieldset class="intake-channel"><legend>${bi('受理方式', 'Received')}</legend>
${RECEIPT_CHANNELS.map(
  (c) => html`<label class="check"><input type="radio" name="channel" value="${c}"${form.channel === c ? html` checked` : ''}> ${bi(channelName(c).zh, channelName(c).en)}</label>`,
)}
${fieldError(errors, 'channel')}
</fieldset>
<fieldset class="intake-matter"><legend>${bi('诉求', 'Request')}</legend>
<label class="grow">${bi('诉求内容', 'Description')}<textarea name="description" maxlength="2000" rows="4">${form.description}</textarea></label>${fieldError(errors, 'description')}
<div class="buttons"><button type="submit" name="suggest" value="1" formnovalidate>${bi('建议类别', 'Suggest a category')}</button></div>
${input.suggested === null ? html`<p class="hint">${bi('无法判断类别，请手动选择。', 'No confident suggestion: choose the category.')}</p>` : ''}
${select('category', bi('类别', 'Category'), input.categories, form.category, '请选择 choose')}${fieldError(errors, 'category')}
${select('region', bi('村庄（默认群众所在村）', 'Village (the resident’s by default)'), input.villages, form.region, '请选择 choose')}${fieldError(errors, 'region')}
<label class="grow">${bi('地点', 'Place')}<input name="location" maxlength="200" value="${form.location}"></label>
<label class="check"><input type="checkbox" name="urgent" value="1"${form.urgent ? html` checked` : ''}> ${bi('紧急（急事急办，按小时计时）', 'Urgent (counted in hours)')}</label>
</fieldset>
<fieldset class="intake-settle"><legend>${bi('即办', 'Settled on the spot')}</legend>
<label class="check"><input type="checkbox" name="settled" value="1"${form.settled ? html` checked` : ''}> ${bi('当场办结', 'Settled on the spot')}</label>
<label class="grow">${bi('办理结果', 'Result')}<textarea name="result" maxlength="2000" rows="2">${form.result}</textarea></label>${fieldError(errors, 'result')}
</fieldset>
<fieldset class="intake-photos"><legend>${bi('照片', 'Photos')}</legend>
${form.photos.length ? html`${mediaLinks(form.photos)}${form.photos.map((ref) => html`<input type="hidden" name="photo" value="${ref}">`)}` : ''}
<label class="grow">${bi(`添加照片（JPG、PNG、GIF 或 WebP，每张 5 MB 以内，最多 ${MAX_MEDIA} 张）`, `Add photos (JPG, PNG, GIF or WebP, up to 5 MB each, ${MAX_MEDIA} at most)`)}<input type="file" name="photos" accept="image/*" multiple></label>${fieldError(errors, 'photos')}
</fieldset>
<div class="buttons"><button type="submit" class="primary">${bi('登记', 'Register')}</button></div>
</form>
</section>`;
}
