/**
 * Where a request is, as people read it. A liaison on a phone needs the place in words and
 * a link that opens a map at the spot the resident shared; Minqing serves no map tiles of
 * its own (it runs offline), so the link goes to a public map.
 */
/**
 * A public map link for a WGS 84 point (as Telegram and browsers share it), or null. Amap
 * (高德) is what villagers' phones open; `coordinate=wgs84` tells it to convert to its
 * own GCJ-02 grid (we store WGS 84 as phones and the roster give it, and convert nowhere).
 * `name` labels the marker (a request's number).
 */
export function mapLink(latitude, longitude, name) {
    if (latitude === null || longitude === null || !Number.isFinite(latitude) || !Number.isFinite(longitude))
        return null;
    if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180)
        return null;
    const label = name ? `&name=${encodeURIComponent(name)}` : '';
    return `https://uri.amap.com/marker?position=${longitude.toFixed(6)},${latitude.toFixed(6)}${label}&coordinate=wgs84&callnative=0`;
}
/** The place in words: the village and what the resident said of the spot. */
export function placeOf(regionName, location) {
    const parts = [regionName, location].filter((p) => typeof p === 'string' && p.trim() !== '');
    // "东湖村 东湖村村口": the resident's words already name the village.
    if (parts.length === 2 && parts[1].startsWith(parts[0]))
        return parts[1];
    return parts.length ? parts.join(' ') : null;
}
