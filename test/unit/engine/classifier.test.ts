import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CategoryClassifier,
  CORRECTION_WEIGHT,
  DEFAULT_KEYWORDS_PATH,
  type Evidence,
  exampleFilesBeside,
  NO_MATCH_CONFIDENCE,
  splitMatters,
} from '../../../src/engine/classifier.js';
import { accuracyOn, crossValidate, evaluate, type LabelledExample, loadExamples, loadLabelled, stratifiedFolds } from '../../../src/engine/classifier-labelled.js';
import { formatReport, matcherReport } from '../../../src/engine/classifier-report.js';
import { NaiveBayesModel } from '../../../src/engine/classifier-model.js';
import { fitScales } from '../../../src/engine/classifier-scales.js';
import { projectPath } from '../../../src/paths.js';
import { CATEGORY_CODES, type CategoryCode } from '../../../src/pipeline/states.js';

let classifier: CategoryClassifier;

beforeAll(() => {
  classifier = CategoryClassifier.load();
});

/** A matcher whose model trained on the tune rows and examples.csv, not on the holdout. */
function withoutHoldout(): CategoryClassifier {
  const tune = loadLabelled().filter((m) => m.split === 'tune');
  return CategoryClassifier.load(undefined, { examples: [...tune, ...loadExamples()] });
}

/** Clear messages written for this test (not taken from the labelled set). */
const CLEAR: Record<CategoryCode, string[]> = {
  road: ['进村的水泥路被压坏了，全是坑', '村东的小桥快塌了，车不敢过', 'There is a big pothole on the village road'],
  water: ['自来水停了两天了', '下水道堵了，污水往外冒', 'The tap water is brown and there is no water pressure'],
  power: ['村口的路灯坏了好几天', '又停电了，电压也不稳', 'The streetlights on the main road are not working'],
  sanitation: ['垃圾堆在路边没人清运，臭得很', '村里的旱厕改造没弄好', 'Nobody collects the garbage in our street'],
  safety: ['昨晚有小偷进了院子，偷走了电动车', '柴火垛着火了，快叫消防', 'Someone stole my motorbike last night'],
  dispute: ['邻居占了俺家的宅基地，吵了好几次，想请村里调解', '兄弟俩为赡养老人的事闹矛盾', 'My neighbour and I have a dispute over a wall'],
  welfare: ['低保怎么申请，需要什么材料', '新农合今年在哪交', 'My mother has not received her pension'],
  health: ['村卫生室没有医生', '孩子该打疫苗了，去哪里打', 'The clinic has no medicine for high blood pressure'],
  education: ['村小的老师太少了', '幼儿园乱收费', 'The school bus no longer comes to our village'],
  housing: ['房子裂了，想申请危房改造', '房顶漏雨，墙也歪了', 'Our roof leaks and the house is unsafe'],
  agriculture: ['种粮补贴还没到账', '买到假化肥，庄稼都死了', 'We need help with the fertilizer subsidy for farmers'],
  employment: ['想找工作，有没有招工的', '老板欠了半年工资不给', 'Is there a job training course for young people?'],
  governance: ['村务公开栏从来不更新', '村干部办事吃拿卡要', 'The village cadres do not publish the accounts'],
  other: ['手机信号太差', '快递不送到村里', 'Thank you, hello'],
};

describe('CategoryClassifier', () => {
  for (const code of CATEGORY_CODES) {
    it(`recognises clear ${code} messages`, () => {
      for (const text of CLEAR[code]) {
        expect({ text, code: classifier.classify(text).code }).toEqual({ text, code });
      }
    });
  }

  it('prints the example of the brief with a high confidence', () => {
    const result = classifier.classify('村口的路灯坏了好几天');
    expect(result.code).toBe('power');
    expect(result.confidence).toBeGreaterThan(0.8);
    expect(result.matched.some((keyword) => keyword.includes('路灯'))).toBe(true);
  });

  it('copes with typos and colloquial phrasing', () => {
    const cases: [string, CategoryCode][] = [
      ['路等不亮了', 'power'],
      ['俺家低报咋给停了', 'welfare'],
      ['危防改造的钱啥时候到', 'housing'],
      ['俺村停水了，咋整', 'water'],
      ['自来水发黄', 'water'],
      ['土地流传的租金还没给', 'agriculture'],
      ['He stole our chickens', 'safety'],
      ['streetlights broken', 'power'],
    ];
    for (const [text, code] of cases) expect({ text, code: classifier.classify(text).code }).toEqual({ text, code });
  });

  it('gives both topics of a two-topic message, the first-mentioned one first', () => {
    const result = classifier.classify('俺村垃圾半个月没人收了，还有村口路灯也不亮');
    expect(result.code).toBe('sanitation');
    expect(result.alternatives.map((a) => a.code)).toContain('power');
    expect(result.alternatives[0]?.confidence).toBeLessThan(result.confidence);

    const english = classifier.classify('The street lights are broken and also the garbage is not collected');
    expect(english.code).toBe('power');
    expect(english.alternatives.map((a) => a.code)).toContain('sanitation');
  });

  it('guesses the kind of request from cue words', () => {
    expect(classifier.classify('我要投诉村干部不作为').kind).toBe('complaint');
    expect(classifier.classify('请问低保怎么办理').kind).toBe('inquiry');
    expect(classifier.classify('建议在村口装几个路灯').kind).toBe('suggestion');
    expect(classifier.classify('邻居和我吵架了').kind).toBe('dispute');
    expect(classifier.classify('停水了').kind).toBe('help');
  });

  it('does not throw on empty, emoji-only or very long input', () => {
    for (const text of ['', '   ', '\n', '😀😀👍', '？？？', '\u0000\uFFFF']) {
      const result = classifier.classify(text);
      expect(result.code).toBe('other');
      expect(result.confidence).toBe(NO_MATCH_CONFIDENCE);
      expect(result.matched).toEqual([]);
    }
    const long = '村口的路灯坏了好几天，晚上黑得很。'.repeat(700).slice(0, 10_000);
    const result = classifier.classify(long);
    expect(result.code).toBe('power');
    expect(result.confidence).toBeGreaterThanOrEqual(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
    const noise = 'x'.repeat(10_000);
    expect(classifier.classify(noise).code).toBe('other');
  });

  it('is deterministic and keeps confidences in [0, 1]', () => {
    for (const text of ['停水了', '垃圾没人收，路灯也坏了，低保也没发', 'bridge and road and water']) {
      const first = classifier.classify(text);
      expect(classifier.classify(text)).toEqual(first);
      for (const { confidence } of [first, ...first.alternatives]) {
        expect(confidence).toBeGreaterThanOrEqual(0);
        expect(confidence).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps holdout accuracy above the floor, with a model that never saw the holdout', () => {
    const messages = loadLabelled();
    expect(messages.length).toBeGreaterThanOrEqual(330);
    for (const code of CATEGORY_CODES) expect(messages.filter((m) => m.category === code).length).toBeGreaterThanOrEqual(20);
    // The shipped matcher trains on every labelled row; this one leaves the holdout out.
    const { bySplit } = evaluate(withoutHoldout(), messages);
    // Measured: holdout 95.3% (121/127), tune 100% (274/274; trained on).
    // Keyword table alone: holdout 94.5% (120/127), tune 99.6% (273/274).
    expect(bySplit.holdout.rate).toBeGreaterThanOrEqual(0.92);
    expect(bySplit.tune.rate).toBeGreaterThanOrEqual(0.95);
  });
});

describe('keyword table validation', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'minqing-keywords-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function tableFile(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text, 'utf8');
    return path;
  }

  const header = '# a comment\ncategory,keyword,weight\n';

  it('refuses a bad weight with the file and the line', () => {
    const path = tableFile('weight.csv', `${header}power,路灯,3\n# another comment\nwater,停水,9\n`);
    expect(() => CategoryClassifier.load(path)).toThrow(`${path}:5: weight must be at most 3`);
  });

  it('refuses an unknown category, a non-number weight and a missing column', () => {
    const category = tableFile('category.csv', `${header}roads,修路,2\n`);
    expect(() => CategoryClassifier.load(category)).toThrow(new RegExp(`${category}:3: category must be one of`));
    const weight = tableFile('nan.csv', `${header}road,修路,heavy\n`);
    expect(() => CategoryClassifier.load(weight)).toThrow(`${weight}:3: weight must be a number`);
    const columns = tableFile('columns.csv', `${header}road,修路\n`);
    expect(() => CategoryClassifier.load(columns)).toThrow(`${columns}:3: expected 3 columns`);
  });

  it('refuses a wrong header, a duplicate and an empty keyword', () => {
    const wrongHeader = tableFile('header.csv', 'code,word,weight\nroad,修路,2\n');
    expect(() => CategoryClassifier.load(wrongHeader)).toThrow(`${wrongHeader}:1: the header must be category,keyword,weight`);
    const duplicate = tableFile('dup.csv', `${header}road,修路,2\nroad,修路,3\n`);
    expect(() => CategoryClassifier.load(duplicate)).toThrow(`${duplicate}:4: keyword 修路 is listed twice`);
    const empty = tableFile('empty.csv', `${header}road,,2\n`);
    expect(() => CategoryClassifier.load(empty)).toThrow(`${empty}:3: keyword is empty`);
  });

  it('names the file when it cannot be read', () => {
    const missing = join(dir, 'missing.csv');
    expect(() => CategoryClassifier.load(missing)).toThrow(missing);
  });

  it('uses an edited table', () => {
    const path = tableFile('small.csv', `${header}water,水管,3\npower,light,2\n`);
    const small = CategoryClassifier.load(path);
    expect(small.classify('水管爆了').code).toBe('water');
    expect(small.classify('the lights are off').code).toBe('power');
    expect(small.classify('路灯坏了').code).toBe('other');
  });
});

/**
 * The examples of the issue that asked for the model: misses of the keyword table on text
 * written by other people. They are in no training file and no keyword (checked below),
 * so classifying them right is a check of generalisation, not of memory.
 */
const ISSUE_EXAMPLES: [string, CategoryCode][] = [
  ['去镇上的桥栏杆断了好几根，小孩上学走那里太危险', 'road'],
  ['秸秆有人在田里烧，烟太大了', 'sanitation'],
  ['no running water in our house since Monday', 'water'],
];

describe('the learned model', () => {
  it('places the issue examples the keyword table alone got wrong', () => {
    // The table alone still misses the two Chinese ones. (The English one it now gets:
    // "house" no longer counts twice, as both house and housing; see below.)
    const keywordsOnly = CategoryClassifier.load(undefined, { keywordsOnly: true });
    expect(ISSUE_EXAMPLES.slice(0, 2).map(([text]) => keywordsOnly.classify(text).code)).toEqual(['education', 'other']);
    const model = withoutHoldout();
    for (const [text, code] of ISSUE_EXAMPLES) {
      expect({ text, code: model.classify(text).code }).toEqual({ text, code });
      expect({ text, code: classifier.classify(text).code }).toEqual({ text, code });
    }
  });

  it('has not seen the issue examples in any training file or keyword', () => {
    const files = ['labelled.csv', 'examples.csv', 'keywords.csv'].map((name) => readFileSync(projectPath('data', 'classifier', name), 'utf8').toLowerCase());
    for (const [text] of ISSUE_EXAMPLES) {
      for (const file of files) expect(file.includes(text.toLowerCase())).toBe(false);
    }
    // Nor their distinctive pieces as keywords of the category they belong to.
    const table = readFileSync(DEFAULT_KEYWORDS_PATH, 'utf8');
    for (const row of ['road,桥栏杆', 'sanitation,秸秆,', 'water,running water']) expect(table.includes(row)).toBe(false);
  });

  it('keeps confidence meaningful: none without evidence, low for scattered words, high for a clear message', () => {
    for (const text of ['嗯嗯嗯', '龘靐齉', '在吗？']) {
      expect(classifier.classify(text)).toMatchObject({ code: 'other', confidence: NO_MATCH_CONFIDENCE });
    }
    // Known words that point nowhere in particular: the dialogue offers the full list (it
    // proposes a category only when one other than 其他 has a confidence of 0.5 or more).
    const vague = classifier.classify('今天下午三点');
    expect(vague.code === 'other' || vague.confidence < 0.5).toBe(true);
    // Clear messages, with and without a keyword of the table.
    expect(classifier.classify('停水三天了，自来水一滴都没有').confidence).toBeGreaterThan(0.9);
    expect(classifier.classify('秸秆有人在田里烧，烟太大了').confidence).toBeGreaterThan(0.5);
  });

  it('uses the keyword table alone when asked, and a model of the table rows when given no examples', () => {
    const table = 'category,keyword,weight\nwater,水管,3\npower,电线,3\n';
    const keywordsOnly = CategoryClassifier.fromText(table, '<t>', { keywordsOnly: true });
    expect(keywordsOnly.modelSize).toEqual({ examples: 0, features: 0 });
    expect(keywordsOnly.classify('水管').code).toBe('water');
    expect(keywordsOnly.evidence('水龙头').known).toBe(0);
    const tableModel = CategoryClassifier.fromText(table, '<t>');
    expect(tableModel.modelSize.examples).toBe(6);
    // The table's 水管 taught the model 水: a message with 水 but not 水管 leans to water.
    const { model, keywords } = tableModel.evidence('水龙头');
    expect(keywords.every((score) => score === 0)).toBe(true);
    expect(model[CATEGORY_CODES.indexOf('water')]).toBeGreaterThan(model[CATEGORY_CODES.indexOf('power')] ?? 0);
  });

  it('counts a word that matches two rows with the same stem once, with the row spelt like the message', () => {
    const table = CategoryClassifier.fromText('category,keyword,weight\nhousing,house,2\nhousing,housing,3\n', '<t>', { keywordsOnly: true });
    expect(table.evidence('our house').keywords[CATEGORY_CODES.indexOf('housing')]).toBe(2);
    expect(table.evidence('housing subsidy').keywords[CATEGORY_CODES.indexOf('housing')]).toBe(3);
    expect(table.classify('houses').matched).toEqual(['house']);
  });
});

describe('learning from corrections', () => {
  // A county whose staff file biogas digesters 沼气池 under agriculture (农村能源 sits with
  // the agriculture bureau), where the table knows nothing of them and 漏气 says safety.
  const corrections: [string, CategoryCode][] = [
    ['沼气池坏了好几个月，没人来修', 'agriculture'],
    ['沼气池的补贴什么时候发', 'agriculture'],
    ['家里的沼气不产气了，能不能派技术员来看看', 'agriculture'],
  ];
  const similar = ['村里的沼气池坏了', '沼气池漏气了没法做饭', '沼气用不上了找谁'];

  it('moves similar messages to the corrected category and keeps the rest', () => {
    const matcher = withoutHoldout();
    const holdout = loadLabelled().filter((m) => m.split === 'holdout');
    const before = accuracyOn(matcher, holdout).accuracy.correct;
    expect(similar.map((text) => matcher.classify(text).code)).not.toContain('agriculture');
    const size = matcher.modelSize;
    for (const [text, code] of corrections) matcher.learn(text, code);
    expect(similar.map((text) => matcher.classify(text).code)).toEqual(['agriculture', 'agriculture', 'agriculture']);
    expect(matcher.modelSize.examples).toBe(size.examples + corrections.length * CORRECTION_WEIGHT);
    // The rest keeps its accuracy, and a real gas leak is still a safety matter.
    expect(accuracyOn(matcher, holdout).accuracy.correct).toBeGreaterThanOrEqual(before - 1);
    expect(matcher.classify('液化气罐漏气了，闻着有味').code).toBe('safety');
    expect(matcher.classify('村口的路灯坏了好几天').code).toBe('power');
  });

  it('learnAll is learn for each example, and ignores text with nothing to learn', () => {
    const one = CategoryClassifier.fromText('category,keyword,weight\nwater,水管,3\n', '<t>');
    const all = CategoryClassifier.fromText('category,keyword,weight\nwater,水管,3\n', '<t>');
    for (const [text, code] of corrections) one.learn(text, code);
    all.learnAll(corrections.map(([text, category]) => ({ text, category })));
    expect(all.modelSize).toEqual(one.modelSize);
    for (const text of similar) expect(all.classify(text)).toEqual(one.classify(text));
    const size = all.modelSize;
    all.learn('😀😀', 'other');
    expect(all.modelSize).toEqual(size);
  });
});

describe('cross-validation and fitting', () => {
  const rows: LabelledExample[] = CATEGORY_CODES.flatMap((category) => Array.from({ length: 7 }, (_, i) => ({ text: `${category} ${i}`, category })));

  it('puts every category in every fold in the same proportion', () => {
    const folds = stratifiedFolds(rows, 3);
    for (const category of CATEGORY_CODES) {
      const ofCategory = folds.filter((_, index) => rows[index]?.category === category);
      expect([0, 1, 2].map((fold) => ofCategory.filter((f) => f === fold).length)).toEqual([3, 2, 2]);
    }
    expect(() => stratifiedFolds(rows, 1)).toThrow(RangeError);
  });

  it('classifies each example once, with a model built without its fold', () => {
    const built: LabelledExample[][] = [];
    const scored = crossValidate(rows, 4, (training) => {
      built.push(training);
      return CategoryClassifier.fromText('category,keyword,weight\nwater,water,3\n', '<t>', { examples: training });
    });
    expect(built).toHaveLength(4);
    expect(scored.accuracy.total).toBe(rows.length);
    expect(scored.results.map((row) => row.example)).toEqual(rows);
    const folds = stratifiedFolds(rows, 4);
    built.forEach((training, fold) => {
      expect(training).toEqual(rows.filter((_, index) => folds[index] !== fold));
    });
  });

  it('fits the scales that rank the right category first with the best log-loss', () => {
    const evidence = (keywords: number[], model: number[]): Evidence => ({
      keywords: Float64Array.from(CATEGORY_CODES, (_, c) => keywords[c] ?? 0),
      model: Float64Array.from(CATEGORY_CODES, (_, c) => model[c] ?? 0),
      known: 1,
    });
    // Keywords say road, the model says water, and water is right: trust the model.
    const data = [{ evidence: evidence([2], [0, 5]), category: 'water' as const }];
    const [best] = fitScales(data, { keyword: [0.5, 2], model: [0.5, 2], otherPrior: [0] });
    expect(best?.scales).toEqual({ keyword: 0.5, model: 2, otherPrior: 0 });
    expect(best?.accuracy).toBe(1);
  });
});

describe('classify:eval report', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'minqing-eval-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints holdout, cross-validated, examples and independent lines', () => {
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text, 'utf8');
      return join(dir, name);
    };
    const keywordsPath = file('keywords.csv', 'category,keyword,weight\nwater,停水,3\npower,停电,3\nroad,修路,3\n');
    const labelledRows: [string, CategoryCode][] = [
      ['停水了', 'water'],
      ['又停水了', 'water'],
      ['水管漏水', 'water'],
      ['停电了', 'power'],
      ['又停电了', 'power'],
      ['电线断了', 'power'],
    ];
    // Six tune rows, and a holdout row like the third of each category.
    const labelledPath = file(
      'labelled.csv',
      'text,category,split\n' + labelledRows.map(([text, category]) => `${text},${category},tune\n`).join('') + '水管又漏水了,water,holdout\n电线又断了,power,holdout\n',
    );
    const examplesPath = file('examples.csv', 'text,category\n水管爆了,water\n电表坏了,power\n水龙头没水,water\n电灯不亮,power\n');
    const independentPath = join(dir, 'independent.csv');
    const options = { keywordsPath, labelledPath, examplesPaths: [examplesPath], independentPaths: [independentPath], folds: 2 };
    const absent = formatReport(matcherReport(options));
    expect(absent).toHaveLength(4);
    expect(absent[0]).toMatch(/^holdout +100\.0% \(2\/2\) +keywords alone +0\.0% \(0\/2\) .*trained on the 6 tune rows \+ 4 examples/);
    expect(absent[1]).toMatch(/^2-fold CV +\d+\.\d% \(\d\/8\) +keywords alone .*table fixed, tuned on the 6 tune rows/);
    expect(absent[2]).toMatch(/^examples CV +\d+\.\d% \(\d\/4\)/);
    expect(absent[3]).toBe(`independent     — (${independentPath} not present)`);
    writeFileSync(independentPath, 'text,category\n水管坏了,water\n电线坏了,power\n', 'utf8');
    const present = formatReport(matcherReport(options));
    expect(present[3]).toMatch(/^independent +100\.0% \(2\/2\) +keywords alone +0\.0% \(0\/2\)/);
  });
});

describe('the shipped model, restored instead of trained at start', () => {
  it('classifies exactly as a freshly trained one, and keeps learning', () => {
    // load() restores the model of the shipped files (trained once, see classifier-cache.ts);
    // passing the examples explicitly trains afresh.
    const restored = CategoryClassifier.load();
    const fresh = CategoryClassifier.load(DEFAULT_KEYWORDS_PATH, {
      examples: [...loadLabelled(), ...exampleFilesBeside(DEFAULT_KEYWORDS_PATH).flatMap((file) => loadExamples(file))],
    });
    expect(restored.modelSize).toEqual(fresh.modelSize);
    for (const { text } of loadLabelled()) expect(restored.classify(text)).toEqual(fresh.classify(text));
    restored.learn('沼气池坏了好几个月，没人来修', 'agriculture');
    fresh.learn('沼气池坏了好几个月，没人来修', 'agriculture');
    expect(restored.classify('村里的沼气池坏了')).toEqual(fresh.classify('村里的沼气池坏了'));
  });

  it('a snapshot that does not fit together is refused, not half-restored', () => {
    const model = new NaiveBayesModel(1);
    expect(NaiveBayesModel.restore({ ...model.snapshot(), features: ['x'] })).toBeNull();
  });
});

describe('a message cut where a second matter starts (splitMatters: the report offers to file it apart)', () => {
  it.each([
    ['路灯坏了好几天，还有垃圾也没人收', { first: '路灯坏了好几天', second: '垃圾也没人收' }],
    ['村口路灯不亮。另外，水管漏水', { first: '村口路灯不亮', second: '水管漏水' }],
    ['村口路灯不亮，再一个，水管漏水', { first: '村口路灯不亮', second: '水管漏水' }],
  ])('%s', (text, parts) => {
    expect(splitMatters(text)).toEqual(parts);
  });
  it.each(['还有村里的自来水又停了三天了', '路灯坏了，还有', '村口路灯坏了'])('%s has no two sides', (text) => {
    expect(splitMatters(text)).toBeNull();
  });
});
