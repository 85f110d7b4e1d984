/**
 * A real-sized county, generated: 15 townships of 25 villages (a seed county has 369),
 * plus a second 东湖村 (in 清溪镇: two townships, one village name) and 大桥村, whose short
 * name is an ordinary word (东湖村的大桥). Village names are two characters and 村, none
 * inside another, so only the two planted ones are ambiguous. Codes follow the statistical
 * divisions' shape (county, township, village), as the demo seed's regions do.
 */
export const TOWNSHIP_NAMES = ['青禾', '清溪', '白沙', '红岭', '金山', '石门', '柳河', '桃源', '梅林', '松岗', '竹溪', '兰亭', '枫桥', '杏坛', '荷塘'].map((n) => `${n}镇`);
const FIRST = ['东', '西', '南', '北', '上', '下', '前', '后', '大', '小', '新', '老', '高', '长', '中'];
const SECOND = ['湖', '坪', '岗', '坝', '庄', '营', '寨', '堡', '塘', '湾', '田', '洼', '坎', '畈', '岙', '埠', '垄', '圩', '墩', '坊', '圳', '岔', '冲', '峪', '沟'];

export interface CountyRegion {
  code: string;
  name: string;
  level: 'county' | 'township' | 'village';
  /** The code of the region above. */
  parent: string | null;
}

const pad = (n: number) => String(n).padStart(3, '0');

/** The county's regions: the county, then each township followed by its villages, in code order. */
export function bigCounty(): CountyRegion[] {
  const regions: CountyRegion[] = [{ code: '3399', name: '大县', level: 'county', parent: null }];
  TOWNSHIP_NAMES.forEach((township, t) => {
    const code = `3399${pad(t + 1)}`;
    regions.push({ code, name: township, level: 'township', parent: '3399' });
    SECOND.forEach((second, v) => regions.push({ code: `${code}${pad(v + 1)}`, name: `${FIRST[t]}${second}村`, level: 'village', parent: code }));
  });
  regions.push({ code: `3399${pad(2)}${pad(SECOND.length + 1)}`, name: '东湖村', level: 'village', parent: `3399${pad(2)}` });
  regions.push({ code: `3399${pad(3)}${pad(SECOND.length + 1)}`, name: '大桥村', level: 'village', parent: `3399${pad(3)}` });
  return regions.sort((a, b) => a.code.localeCompare(b.code));
}

/** The villages of `bigCounty()` as the flows see them (ids by position: villages from 1, townships from 1001). */
export function bigCountyVillages(): { id: number; name: string; code: string; townshipId: number | null; township: string | null }[] {
  const regions = bigCounty();
  const townships = regions.filter((r) => r.level === 'township');
  const townshipId = (code: string | null) => 1001 + townships.findIndex((t) => t.code === code);
  return regions
    .filter((r) => r.level === 'village')
    .map((r, i) => ({ id: i + 1, name: r.name, code: r.code, townshipId: townshipId(r.parent), township: townships.find((t) => t.code === r.parent)?.name ?? null }));
}
