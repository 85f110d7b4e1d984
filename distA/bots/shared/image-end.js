/**
 * Where a picture ends, read from its own structure: a JPEG's segments to its EOI marker
 * (through the entropy-coded data after each SOS), a PNG's chunks to IEND, a GIF's
 * blocks to its trailer, a WebP's RIFF size (its chunks checked to fill it exactly).
 *
 * Whatever follows that end is no part of the picture. A file that is a picture and
 * something else at once (a "polyglot": HTML, a script or an archive after the image)
 * is kept only up to the end, so what is stored and served is the picture alone. Cut
 * rather than refused: phones append things after a JPEG's EOI in ordinary photos
 * (Google's and Samsung's motion photos carry a video there), and the picture is what
 * the request needs. Pure: no I/O, tested on bytes.
 */
/** The offset just past the picture's last byte, or null when its structure is broken or cut short. */
export function imageEnd(bytes, type) {
    switch (type) {
        case 'jpg':
            return jpegEnd(bytes);
        case 'png':
            return pngEnd(bytes);
        case 'gif':
            return gifEnd(bytes);
        case 'webp':
            return webpEnd(bytes);
    }
}
/** Markers that stand alone (no length): RST0–RST7 and TEM. */
function standalone(marker) {
    return (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01;
}
function jpegEnd(b) {
    if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8)
        return null;
    let i = 2;
    while (i < b.length) {
        if (b[i] !== 0xff)
            return null;
        // A marker may be preceded by any number of 0xFF fill bytes.
        while (b[i] === 0xff)
            i++;
        const marker = b[i];
        if (marker === undefined)
            return null;
        i++;
        if (marker === 0xd9)
            return i;
        if (marker === 0xd8 || marker === 0x00)
            return null;
        if (standalone(marker))
            continue;
        if (i + 2 > b.length)
            return null;
        const length = b.readUInt16BE(i);
        if (length < 2)
            return null;
        i += length;
        if (i > b.length)
            return null;
        if (marker === 0xda) {
            // Entropy-coded data: a 0xFF in it is followed by 0x00 (a stuffed byte), by a
            // restart marker, or by fill bytes before the next real marker.
            for (;;) {
                const ff = b.indexOf(0xff, i);
                const next = ff < 0 ? undefined : b[ff + 1];
                if (next === undefined)
                    return null;
                if (next === 0x00 || next === 0xff || standalone(next)) {
                    i = ff + 1;
                    continue;
                }
                i = ff;
                break;
            }
        }
    }
    return null;
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
function pngEnd(b) {
    if (b.length < 8 || !b.subarray(0, 8).equals(PNG_SIGNATURE))
        return null;
    let i = 8;
    while (i + 12 <= b.length) {
        const length = b.readUInt32BE(i);
        const type = b.toString('latin1', i + 4, i + 8);
        if (!/^[A-Za-z]{4}$/.test(type) || (i === 8 && type !== 'IHDR') || length > 0x7fffffff)
            return null;
        const end = i + 12 + length;
        if (end > b.length)
            return null;
        if (type === 'IEND')
            return end;
        i = end;
    }
    return null;
}
/** Past a GIF's data sub-blocks (each a size byte and that many bytes; a 0 size ends them). */
function gifSubBlocks(b, from) {
    let i = from;
    for (;;) {
        const size = b[i];
        if (size === undefined)
            return null;
        i += 1 + size;
        if (size === 0)
            return i;
    }
}
/** The size of a GIF colour table a packed field announces (0 without one). */
function colourTable(flags) {
    return flags & 0x80 ? 3 * (1 << ((flags & 0x07) + 1)) : 0;
}
function gifEnd(b) {
    if (b.length < 14 || !/^GIF8[79]a$/.test(b.toString('latin1', 0, 6)))
        return null;
    let i = 13 + colourTable(b[10] ?? 0);
    while (i !== null && i < b.length) {
        const block = b[i];
        if (block === 0x3b)
            return i + 1;
        if (block === 0x21) {
            // An extension: its label, then its sub-blocks.
            i = gifSubBlocks(b, i + 2);
        }
        else if (block === 0x2c) {
            // An image: its descriptor, its colour table, the LZW code size, then its data.
            const flags = b[i + 9];
            if (flags === undefined)
                return null;
            i = gifSubBlocks(b, i + 10 + colourTable(flags) + 1);
        }
        else {
            return null;
        }
    }
    return null;
}
function webpEnd(b) {
    if (b.length < 20 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP')
        return null;
    const end = 8 + b.readUInt32LE(4);
    if (end > b.length || !/^VP8[ LX]$/.test(b.toString('latin1', 12, 16)))
        return null;
    // The chunks inside (each padded to an even size) must fill the RIFF exactly.
    let i = 12;
    while (i + 8 <= end) {
        const size = b.readUInt32LE(i + 4);
        i += 8 + size + (size & 1);
    }
    return i === end ? end : null;
}
