import { Rng } from './prng.js';

/**
 * Deterministic vocabularies for the generated corpora. Rank 0 is the most
 * frequent word under the Zipf sampler, so the list is ordered the way real
 * text is: a head of real, short function words, then generated words that get
 * longer as they get rarer. The vocabularies depend on their own fixed seeds,
 * not on the corpus seed, so every corpus shares the same words.
 */

export const ENGLISH_VOCABULARY_SIZE = 50_000;
export const CJK_VOCABULARY_SIZE = 5_000;

const ENGLISH_SEED = 0x5eed_e061;
const CJK_SEED = 0x5eed_c1c1;

const COMMON_ENGLISH = (
  'the of and to a in is it you that he was for on are with as i his they be at one have this from or had by ' +
  'word but what some we can out other were all there when up use your how said an each she which do their time ' +
  'if will way about many then them write would like so these her long make thing see him two has look more day ' +
  'could go come did number sound no most people my over know water than call first who may down side been now find'
).split(' ');

const ONSETS = [
  '', '', '', 'b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'y', 'z',
  'b', 'c', 'd', 'l', 'm', 'n', 'p', 'r', 's', 't', 'br', 'ch', 'cl', 'cr', 'dr', 'fl', 'fr', 'gl', 'gr', 'pl',
  'pr', 'qu', 'sc', 'sh', 'sk', 'sl', 'sm', 'sn', 'sp', 'st', 'str', 'sw', 'th', 'tr', 'wh',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'i', 'o', 'e', 'ai', 'ea', 'ee', 'ie', 'oa', 'oo', 'ou', 'y'];
const CODAS = [
  '', '', '', '', 'n', 'r', 's', 't', 'l', 'm', 'd', 'nd', 'ng', 'nt', 'st', 'ck', 'rt', 'll', 'ss', 'sh', 'th', 'x',
];

/** Common Chinese words (the seed material's examples first), then generated ones. */
const COMMON_CJK = (
  '长江 黄河 老鹰 呼叫 猎狗 数据 实时 计算 北京 上海 广州 深圳 订单 省份 金额 用户 时间 窗口 状态 批次 ' +
  '中国 我们 他们 今天 明天 工作 学习 问题 发展 经济 社会 国家 城市 公司 市场 技术 系统 信息 网络 服务'
).split(' ');
const CJK_FIRST = 0x4e00;
const CJK_LAST = 0x9fa5;

let englishCache: readonly string[] | undefined;
let cjkCache: readonly string[] | undefined;

/** 50,000 distinct plausible lowercase ASCII words, most frequent first. */
export function englishVocabulary(): readonly string[] {
  englishCache ??= buildEnglish(ENGLISH_VOCABULARY_SIZE);
  return englishCache;
}

/** 5,000 distinct CJK words of 2–4 characters, most frequent first. */
export function cjkVocabulary(): readonly string[] {
  cjkCache ??= buildCjk(CJK_VOCABULARY_SIZE);
  return cjkCache;
}

function buildEnglish(size: number): string[] {
  return buildVocabulary(ENGLISH_SEED, COMMON_ENGLISH, size, (rng, rank) => {
    // Frequent words are short, rare ones long, as in natural text.
    const syllables = rank < 2_000 ? 1 : rank < 15_000 ? rng.nextRange(1, 2) : rng.nextRange(2, 3);
    let word = '';
    for (let s = 0; s < syllables; s++) word += rng.pick(ONSETS) + rng.pick(VOWELS) + rng.pick(CODAS);
    return word.length < 2 ? undefined : word;
  });
}

function buildCjk(size: number): string[] {
  return buildVocabulary(CJK_SEED, COMMON_CJK, size, (rng) => {
    const length = rng.nextRange(2, 4);
    let word = '';
    for (let i = 0; i < length; i++) word += String.fromCharCode(rng.nextRange(CJK_FIRST, CJK_LAST));
    return word;
  });
}

/** `head`, then distinct candidates (undefined = rejected) until there are `size` words. */
function buildVocabulary(seed: number, head: readonly string[], size: number, candidate: (rng: Rng, rank: number) => string | undefined): string[] {
  const rng = new Rng(seed);
  const seen = new Set<string>(head);
  const words = [...seen];
  while (words.length < size) {
    const word = candidate(rng, words.length);
    if (word === undefined || seen.has(word)) continue;
    seen.add(word);
    words.push(word);
  }
  return words;
}
