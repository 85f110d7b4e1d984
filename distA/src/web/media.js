/**
 * Photos and voice notes on the staff's pages (the ticket page, the inbox): a stored
 * photo as a thumbnail, a stored voice note as a player (or a download, for WeChat's SILK
 * and AMR, which no browser plays), anything else named for what it is.
 */
import { mediaKindOf } from '../engine/media.js';
import { bi, html } from './html.js';
/** Formats browsers cannot play: offered as a download. */
const UNPLAYABLE = /\.(?:silk|amr)$/i;
/** One media reference as a page shows it. */
function mediaItem(ref) {
    const local = ref.startsWith('/uploads/');
    if (mediaKindOf(ref) === 'voice') {
        if (!local)
            return html `<span class="ref" title="${ref}">${bi('聊天平台语音', 'voice note on the chat platform')}</span>`;
        return UNPLAYABLE.test(ref)
            ? html `<a href="${ref}" download>${bi('语音（下载收听）', 'voice note (download to listen)')}</a>`
            : html `<audio controls preload="metadata" src="${ref}">${bi('语音', 'voice note')}</audio>`;
    }
    if (local)
        return html `<a href="${ref}" target="_blank" rel="noopener"><img src="${ref}" alt="照片 photo" loading="lazy"></a>`;
    if (/^https:\/\//.test(ref))
        return html `<a href="${ref}" target="_blank" rel="noopener noreferrer">${bi('照片链接', 'photo link')}</a>`;
    return html `<span class="ref" title="${ref}">${bi('聊天平台照片', 'photo on the chat platform')}</span>`;
}
/** A list of media references. */
export function mediaLinks(refs) {
    return html `<div class="photos">${refs.map(mediaItem)}</div>`;
}
