/**
 * The demo roster of the fictional county 青禾县 (code QH), generated deterministically
 * from a seeded PRNG. At the default scale (450 households) it is the data set shipped
 * in data/demo/; the benchmark and the large test use the same generator at larger
 * scales (more townships, villages and grids; same codes and shapes).
 *
 * Everyone in it is fictional; phone numbers are valid in format only (199 prefix).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from './import/csv.js';
import { ROSTER_COLUMNS } from './import/kinds.js';
/** Why a demo household is a 重点 household, visited weekly (src/visits/coverage.ts). */
const KEY_REASONS = ['独居老人', '低保户', '重病患者', '残疾人家庭', '邻里纠纷'];
/** Households per village and per geographic grid, and households per liaison. */
const PER_VILLAGE = 90;
const PER_GRID = 30;
const PER_LIAISON = 10;
/** Villages per township when the county grows beyond the demo. */
const VILLAGES_PER_TOWNSHIP = 20;
export const DEMO_COUNTY = { code: 'QH', name: '青禾县' };
/**
 * Where the fictional county lies (WGS 84), for the maps: townships on a ring around the
 * county seat, each township's villages on a smaller ring around it, a few km apart.
 * Computed from the indexes, not drawn from the PRNG, so the rest of the roster stays
 * as it was.
 */
const DEMO_CENTRE = { latitude: 30.0, longitude: 120.0 };
/** Degrees of longitude per degree of latitude's distance at the demo's latitude. */
const LONGITUDE_STRETCH = 1 / Math.cos((DEMO_CENTRE.latitude * Math.PI) / 180);
/** A point `radius` degrees (of latitude's length) from `centre` at `angle` radians, to 4 decimals (about 10 m). */
function demoPoint(centre, radius, angle) {
    const round = (v) => Math.round(v * 10_000) / 10_000;
    return [round(centre.latitude + radius * Math.sin(angle)), round(centre.longitude + radius * Math.cos(angle) * LONGITUDE_STRETCH)];
}
/** The i-th (0-based) of `count` points on a ring around `centre`, rings wider as they hold more. */
function ringPoint(centre, i, count, spacing, turn) {
    if (count === 1)
        return demoPoint(centre, 0, 0);
    // Neighbours about `spacing` apart; every other one a little further out, so labels do not line up.
    const radius = Math.max(spacing, (spacing * count) / (2 * Math.PI)) * (i % 2 === 0 ? 1 : 1.25);
    return demoPoint(centre, radius, turn + (2 * Math.PI * i) / count);
}
/** Department kinds with their township and county names. */
export const DEMO_DEPARTMENTS = [
    { kind: 'transport', township: '交通管理站', county: '交通运输局' },
    { kind: 'water', township: '水务站', county: '水务局' },
    { kind: 'power', township: '供电所', county: '供电公司' },
    { kind: 'sanitation', township: '环卫所', county: '环境卫生管理处' },
    { kind: 'police', township: '派出所', county: '公安局' },
    { kind: 'mediation', township: '司法所（调解委员会）', county: '司法局' },
    { kind: 'civil_affairs', township: '民政办', county: '民政局' },
    { kind: 'health', township: '卫生院', county: '卫生健康局' },
    { kind: 'education', township: '教育办', county: '教育局' },
    { kind: 'housing', township: '住建办', county: '住房和城乡建设局' },
    { kind: 'agriculture', township: '农业农村办', county: '农业农村局' },
    { kind: 'labour', township: '人社所', county: '人力资源和社会保障局' },
    { kind: 'office', township: '党政办', county: '县委县政府办公室' },
];
/** The default categories (data/categories.csv), in the column order of a categories file. */
export const CATEGORY_DEFAULTS = [
    ['road', '道路交通', 'Roads and traffic', 'transport', 'promised', 10, 24, 2, true],
    ['water', '供水排水', 'Water supply and drainage', 'water', 'promised', 3, 24, 2, true],
    ['power', '电力照明', 'Power and lighting', 'power', 'promised', 3, 24, 2, true],
    ['sanitation', '环境卫生', 'Sanitation', 'sanitation', 'promised', 5, 24, 2, true],
    ['safety', '治安消防', 'Public safety and fire', 'police', 'urgent', 5, 24, 1, true],
    ['dispute', '矛盾纠纷', 'Disputes', 'mediation', 'promised', 15, 24, 2, true],
    ['welfare', '社会保障', 'Social security', 'civil_affairs', 'promised', 10, 24, 2, true],
    ['health', '医疗卫生', 'Health', 'health', 'promised', 5, 24, 2, true],
    ['education', '教育', 'Education', 'education', 'promised', 10, 24, 2, true],
    ['housing', '住房建设', 'Housing', 'housing', 'promised', 20, 24, 2, true],
    ['agriculture', '农业土地', 'Agriculture and land', 'agriculture', 'promised', 10, 24, 2, true],
    ['employment', '就业创业', 'Employment', 'labour', 'promised', 10, 24, 2, true],
    ['governance', '村务政务', 'Village affairs', 'office', 'promised', 10, 24, 2, true],
    ['other', '其他', 'Other', 'office', 'immediate', 1, 24, 2, true],
];
const TOWNSHIP_NAMES = ['清水镇', '禾丰镇'];
const VILLAGE_NAMES = ['东湖村', '柳树湾村', '石桥村', '杏花村', '南坡村'];
const PLACE_FIRST = [...'东西南北前后上下大小新老高红青白金银马牛杨柳桃李梨枣松竹梅兰'];
const PLACE_SECOND = [...'湖河沟坡岭庄店集屯寨营桥湾洼台坪园林塘堡峪山泉溪'];
const SURNAMES = [
    ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤',
];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文春梅海燕德福贵兴荣淑珍凤琴云飞鹏宇浩然欣怡雪梅松柏立新长江永胜家和'];
const CN_DIGITS = [...'零一二三四五六七八九'];
/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same county. */
export function seededRandom(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
/** 1 → 一, 12 → 十二, 35 → 三十五 (1..99). */
function chineseNumber(n) {
    if (n < 10)
        return CN_DIGITS[n] ?? String(n);
    const tens = Math.floor(n / 10);
    const units = n % 10;
    return `${tens === 1 ? '' : (CN_DIGITS[tens] ?? '')}十${units === 0 ? '' : (CN_DIGITS[units] ?? '')}`;
}
const pad = (n, width) => String(n).padStart(width, '0');
/**
 * Generates the demo roster of 青禾县. Codes: townships QH-01, villages QH-01-001, grids
 * QH-01-001-G1 (geographic) and QH-01-T1 (thematic), households QH-01-001-H001, residents
 * R-<household>, liaisons L-QH-01-001-01, departments QH-01-D-water / QH-D-water with
 * handlers H-QH-01-water / H-QH-water, dispatchers DSP-QH-01 / DSP-QH, supervisors
 * SUP-QH-01 / SUP-QH, admin ADM-QH.
 */
export function generateDemoRoster(options = {}) {
    const householdTotal = Math.max(1, Math.floor(options.households ?? 450));
    const random = seededRandom(options.seed ?? 20130520);
    const pick = (list) => list[Math.floor(random() * list.length)];
    const personName = () => pick(SURNAMES) + pick(GIVEN) + (random() < 0.6 ? pick(GIVEN) : '');
    let residentPhone = 0;
    let staffPhone = 0;
    let liaisonPhone = 0;
    const regions = [[DEMO_COUNTY.code, DEMO_COUNTY.name, 'county', '', DEMO_CENTRE.latitude, DEMO_CENTRE.longitude]];
    const departments = [];
    const grids = [];
    const households = [];
    const staff = [];
    const liaisons = [];
    const residents = [];
    const pairings = [];
    let householdGrids = 0;
    let roles = 0;
    let gridLeaders = 0;
    const villageCount = Math.ceil(householdTotal / PER_VILLAGE);
    const townshipCount = villageCount < 2 ? 1 : Math.max(2, Math.ceil(villageCount / VILLAGES_PER_TOWNSHIP));
    // Unique place names beyond the fixed ones, in a seeded order.
    const usedNames = new Set([...TOWNSHIP_NAMES, ...VILLAGE_NAMES].map((n) => n.slice(0, -1)));
    const places = [];
    for (const a of PLACE_FIRST)
        for (const b of PLACE_SECOND)
            if (!usedNames.has(a + b))
                places.push(a + b);
    for (let i = places.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [places[i], places[j]] = [places[j], places[i]];
    }
    let placeIndex = 0;
    const nextPlace = () => {
        const round = Math.floor(placeIndex / places.length);
        const base = places[placeIndex % places.length];
        placeIndex++;
        return round === 0 ? base : `${base}${chineseNumber(round + 1)}`;
    };
    const addDepartments = (regionCode, regionName, level) => {
        for (const d of DEMO_DEPARTMENTS) {
            const code = `${regionCode}-D-${d.kind}`;
            departments.push([code, regionName + (level === 'county' ? d.county : d.township), d.kind, regionCode]);
            const handler = `H-${regionCode}-${d.kind}`;
            const locale = handler === 'H-QH-01-health' ? 'en' : 'zh';
            staff.push([handler, personName(), `1991${pad(++staffPhone, 7)}`, locale, '', code, `department_handler@${code}`]);
            roles++;
        }
    };
    const addStaff = (regionCode) => {
        const locale = (code) => (code === 'SUP-QH-02' ? 'en' : 'zh');
        for (const [prefix, role] of [
            ['DSP', 'dispatcher'],
            ['SUP', 'supervisor'],
        ]) {
            const code = `${prefix}-${regionCode}`;
            staff.push([code, personName(), `1991${pad(++staffPhone, 7)}`, locale(code), '', '', `${role}@${regionCode}`]);
            roles++;
        }
    };
    addDepartments(DEMO_COUNTY.code, DEMO_COUNTY.name, 'county');
    addStaff(DEMO_COUNTY.code);
    staff.push(['ADM-QH', personName(), `1991${pad(++staffPhone, 7)}`, 'zh', '', '', `admin@${DEMO_COUNTY.code}`]);
    roles++;
    let villageIndex = 0;
    let householdIndex = 0;
    for (let t = 1; t <= townshipCount; t++) {
        const township = `${DEMO_COUNTY.code}-${pad(t, 2)}`;
        const townshipName = TOWNSHIP_NAMES[t - 1] ?? `${nextPlace()}镇`;
        const townshipPoint = ringPoint(DEMO_CENTRE, t - 1, townshipCount, 0.09, 0.4);
        regions.push([township, townshipName, 'township', DEMO_COUNTY.code, ...townshipPoint]);
        addDepartments(township, townshipName, 'township');
        addStaff(township);
        // Villages spread evenly over townships, the first ones taking the remainder.
        const villagesHere = Math.floor(villageCount / townshipCount) + (t <= villageCount % townshipCount ? 1 : 0);
        const elderly = t % 2 === 1;
        const thematic = `${township}-T1`;
        grids.push([thematic, `${townshipName}${elderly ? '高龄老人网格' : '养殖户网格'}`, 'thematic', township]);
        let thematicLeaderSet = false;
        for (let v = 1; v <= villagesHere; v++) {
            const village = `${township}-${pad(v, 3)}`;
            const villageName = VILLAGE_NAMES[villageIndex] ?? `${nextPlace()}村`;
            villageIndex++;
            regions.push([village, villageName, 'village', township, ...ringPoint({ latitude: townshipPoint[0], longitude: townshipPoint[1] }, v - 1, villagesHere, 0.03, t)]);
            const householdsHere = Math.min(PER_VILLAGE, householdTotal - householdIndex);
            const gridCount = Math.ceil(householdsHere / PER_GRID);
            let liaisonNo = 0;
            for (let g = 1; g <= gridCount; g++) {
                const grid = `${village}-G${g}`;
                grids.push([grid, `${villageName}第${chineseNumber(g)}网格`, 'geographic', village]);
                const first = (g - 1) * PER_GRID;
                const inGrid = Math.min(PER_GRID, householdsHere - first);
                const liaisonCodes = [];
                for (let k = 0; k < Math.ceil(inGrid / PER_LIAISON); k++) {
                    const code = `L-${village}-${pad(++liaisonNo, 2)}`;
                    const scoped = [`liaison@${village}`];
                    if (k === 0)
                        scoped.push(`grid_leader@${grid}`);
                    // The thematic grid's leader: the second liaison of the township's first grid.
                    const lastChance = k === Math.ceil(inGrid / PER_LIAISON) - 1;
                    if ((k === 1 || lastChance) && !thematicLeaderSet) {
                        scoped.push(`grid_leader@${thematic}`);
                        thematicLeaderSet = true;
                    }
                    gridLeaders += scoped.length - 1;
                    roles += scoped.length;
                    const locale = code === 'L-QH-02-001-01' ? 'en' : 'zh';
                    liaisons.push([code, personName(), `1992${pad(++liaisonPhone, 7)}`, locale, '', '', scoped.join(';')]);
                    liaisonCodes.push(code);
                }
                for (let i = 0; i < inGrid; i++) {
                    const n = first + i + 1;
                    const code = `${village}-H${pad(n, 3)}`;
                    const head = personName();
                    const mobile = householdIndex % 25 === 24 ? '' : `1990${pad(++residentPhone, 7)}`;
                    const phone = mobile === '' ? '' : householdIndex % 15 === 7 ? `0539-${pad(2_000_000 + householdIndex, 7)}` : mobile;
                    const gridCodes = [grid];
                    if (random() < 0.08)
                        gridCodes.push(thematic);
                    householdGrids += gridCodes.length;
                    const address = `${villageName}${chineseNumber(g)}组${i + 1}号`;
                    // One household in 17 is a 重点 household (no draw: the rest of the roster stays as it was).
                    const keyReason = householdIndex % 17 === 5 ? (KEY_REASONS[Math.floor(householdIndex / 17) % KEY_REASONS.length] ?? '') : '';
                    households.push([code, village, address, head, phone, gridCodes.join(';'), keyReason]);
                    const locale = householdIndex % 97 === 42 ? 'en' : 'zh';
                    residents.push([`R-${code}`, head, mobile, locale, code, '', 'resident']);
                    roles++;
                    pairings.push([liaisonCodes[Math.floor(i / PER_LIAISON)] ?? '', code]);
                    householdIndex++;
                }
            }
        }
    }
    const people = [...staff, ...liaisons, ...residents];
    return {
        files: {
            'regions.csv': { header: [...ROSTER_COLUMNS.regions, 'latitude', 'longitude'], rows: regions },
            'departments.csv': { header: ROSTER_COLUMNS.departments, rows: departments },
            'grids.csv': { header: ROSTER_COLUMNS.grids, rows: grids },
            'households.csv': { header: [...ROSTER_COLUMNS.households, 'key_reason'], rows: households },
            'people.csv': { header: ROSTER_COLUMNS.people, rows: people },
            'pairings.csv': { header: ROSTER_COLUMNS.pairings, rows: pairings },
        },
        stats: {
            townships: townshipCount,
            villages: villageCount,
            grids: grids.length,
            thematicGrids: townshipCount,
            households: households.length,
            people: people.length,
            liaisons: liaisons.length,
            gridLeaders,
            departments: departments.length,
            pairings: pairings.length,
            householdGrids,
            roles,
        },
    };
}
/** The categories file (data/categories.csv) as CSV text. */
export function categoriesCsv() {
    return toCsv(ROSTER_COLUMNS.categories, CATEGORY_DEFAULTS);
}
/**
 * Writes the demo roster's CSV files into `dir` (created if needed) and returns their
 * paths, with the roster.
 */
export function writeDemoRoster(dir, options = {}) {
    mkdirSync(dir, { recursive: true });
    const roster = generateDemoRoster(options);
    const paths = [];
    for (const [name, table] of Object.entries(roster.files)) {
        const path = join(dir, name);
        writeFileSync(path, toCsv(table.header, table.rows));
        paths.push(path);
    }
    return { paths, roster };
}
